// Anchoring (全链路存证): the hub seals the hashes of every evidence event recorded since the
// last anchor under one Merkle root (merkle.ts) and has a TSA timestamp that root, so that
// later edits to any contract's stored events show, whoever makes them: the event no longer
// hashes to the leaf under a root whose time a third party signed. A contract's proof is,
// per anchor holding its events, the inclusion path of its last event there — that event's
// chain hash covers every event before it.
import { createHash } from 'node:crypto';
import { verifyTimestampToken, type TimestampClient } from '../signing';
import type { Anchor, AnchorLeaf, Store } from '../store';
import { evidenceChainOf } from './events';
import { inclusionPath, merkleRoot, verifyInclusion } from './merkle';
import { timestampFacts } from './signature-parts';

export interface AnchorOptions {
  store: Store;
  /** The TSA that stamps roots (SEALFLOW_ANCHOR_TSA_URL, else the hub's own). */
  timestamps: TimestampClient;
  /** How the anchor names that TSA: its URL, or 'sealflow' for the hub's own. */
  tsa: string;
  now?: () => Date;
}

export interface AnchorOutcome {
  anchor: Pick<Anchor, 'seq' | 'root' | 'leafCount' | 'stampedAt' | 'tsa'> | null;
  /** Contracts looked at (written since the last anchor). */
  contracts: number;
}

const bytes = (hex: string) => Buffer.from(hex, 'hex');
/** What the TSA stamps: SHA-256 over the root's 32 bytes (`openssl ts -verify -data anchor-N.root`). */
export const rootImprint = (rootHex: string) => createHash('sha256').update(bytes(rootHex)).digest();

/** How often a lost race with another anchorer (two workers, or the CLI) is tried again. */
const ATTEMPTS = 3;

/**
 * Anchors every evidence event recorded since the last anchor; null when there was none.
 * Safe to run from several processes at once: the anchor's seq is unique, and the loser
 * starts over from what the winner recorded.
 */
export async function anchorNewEvents({ store, timestamps, tsa, now = () => new Date() }: AnchorOptions): Promise<AnchorOutcome> {
  for (let attempt = 1; ; attempt++) {
    // The latest anchor first: another anchor recorded after this read makes ours collide on seq, never double-count.
    const latest = await store.anchors.latest();
    const { through, contractIds } = await store.anchors.pending();
    if (contractIds.length === 0) return { anchor: null, contracts: 0 };
    const anchored = await store.anchors.anchoredThrough(contractIds);
    const leaves: Omit<AnchorLeaf, 'anchorSeq'>[] = [];
    for (const contractId of contractIds) {
      const contract = await store.contracts.get(contractId);
      if (!contract) continue;
      const after = anchored.get(contractId) ?? 0;
      for (const event of evidenceChainOf(contract)) {
        if (event.seq > after) leaves.push({ index: leaves.length, contractId, eventSeq: event.seq, eventHash: event.hash });
      }
    }
    if (leaves.length === 0) {
      await store.anchors.settle(through);
      return { anchor: null, contracts: contractIds.length };
    }
    const root = merkleRoot(leaves.map((leaf) => bytes(leaf.eventHash))).toString('hex');
    const token = await timestamps.timestamp({ hashAlgorithm: 'sha256', digest: rootImprint(root) });
    const anchor = { seq: (latest?.seq ?? 0) + 1, root, token, tsa, stampedAt: timestampFacts(token).time, createdAt: now().toISOString() };
    if (await store.anchors.record(anchor, leaves, through)) return { anchor: { seq: anchor.seq, root, leafCount: leaves.length, stampedAt: anchor.stampedAt, tsa }, contracts: contractIds.length };
    if (attempt >= ATTEMPTS) throw new Error(`anchor ${anchor.seq} was recorded by another process ${ATTEMPTS} times in a row; try again`);
  }
}

/** The proof that one anchor holds a contract's events up to `leaf.eventSeq`; what anchors/*.json in a package holds. */
export interface AnchorProof {
  contractId: string;
  anchor: { seq: number; root: string; leafCount: number; tsa: string; stampedAt: string };
  /** The contract's last event in this anchor: its hash covers every earlier event of the chain. */
  leaf: { index: number; eventSeq: number; eventHash: string };
  /** RFC 6962 audit path, sibling hashes from the leaf up, hex. */
  path: string[];
}

export interface ProofCheck {
  anchorSeq: number;
  /** The contract's event at leaf.eventSeq, as stored today, hashes into the anchored root. */
  included: boolean;
  /** The token stamps this root, its signature holds, and its TSA chains to a trust anchor. */
  timestamp: { ok: boolean; time: string; tsa: string; problems: string[] };
}

export interface ContractProof {
  contractId: string;
  ok: boolean;
  events: number;
  head: string;
  proofs: (AnchorProof & ProofCheck)[];
  /** Seqs of events recorded after the last anchor that holds this contract. */
  notYetAnchored: number[];
  /** For a person: what does not hold, and where. */
  problems: string[];
}

/** Checks one proof against the event hash it should prove and the anchor's token. */
export function checkProof(proof: AnchorProof, eventHash: string | undefined, token: Uint8Array, trustAnchors: readonly Uint8Array[]): ProofCheck {
  const included =
    eventHash !== undefined &&
    verifyInclusion({ data: bytes(eventHash), index: proof.leaf.index, size: proof.anchor.leafCount, path: proof.path.map(bytes), root: bytes(proof.anchor.root) });
  const report = verifyTimestampToken(token, [bytes(proof.anchor.root)], trustAnchors);
  return { anchorSeq: proof.anchor.seq, included, timestamp: { ok: report.imprintMatches && report.signatureValid && report.trusted, time: report.time, tsa: report.tsa, problems: report.problems } };
}

/** The contract's proofs as the anchors hold them (paths computed from the stored leaves), with their tokens. */
export async function anchorProofs(store: Store, contractId: string): Promise<{ proof: AnchorProof; token: Uint8Array }[]> {
  const mine = await store.anchors.leavesOf(contractId);
  const lastPerAnchor = new Map<number, AnchorLeaf>();
  for (const leaf of mine) if ((lastPerAnchor.get(leaf.anchorSeq)?.eventSeq ?? -1) < leaf.eventSeq) lastPerAnchor.set(leaf.anchorSeq, leaf);
  const result = [];
  for (const [seq, leaf] of [...lastPerAnchor].sort(([a], [b]) => a - b)) {
    const anchor = await store.anchors.get(seq);
    if (!anchor) continue;
    const all = await store.anchors.leaves(seq);
    const path = inclusionPath(all.map((l) => bytes(l.eventHash)), leaf.index).map((p) => p.toString('hex'));
    result.push({
      proof: { contractId, anchor: { seq, root: anchor.root, leafCount: anchor.leafCount, tsa: anchor.tsa, stampedAt: anchor.stampedAt }, leaf: { index: leaf.index, eventSeq: leaf.eventSeq, eventHash: leaf.eventHash }, path },
      token: anchor.token,
    });
  }
  return result;
}

/**
 * Proves a contract's events as stored today against the anchors: each anchored event must
 * still hash into its root (a changed, removed or reordered event breaks every later hash of
 * the chain), and each root's token must hold. Null when there is no such contract.
 */
export async function proveContract(store: Store, contractId: string, trustAnchors: readonly Uint8Array[]): Promise<ContractProof | null> {
  const contract = await store.contracts.get(contractId);
  if (!contract) return null;
  const chain = evidenceChainOf(contract);
  return proveChain(contractId, chain, await anchorProofs(store, contractId), trustAnchors);
}

/** The same check over a chain and proofs from anywhere (an evidence package). */
export function proveChain(contractId: string, chain: readonly { seq: number; hash: string }[], proofs: readonly { proof: AnchorProof; token: Uint8Array }[], trustAnchors: readonly Uint8Array[]): ContractProof {
  const hashOf = new Map(chain.map((e) => [e.seq, e.hash]));
  const problems: string[] = [];
  const checked = proofs.map(({ proof, token }) => {
    const check = checkProof(proof, hashOf.get(proof.leaf.eventSeq), token, trustAnchors);
    if (!check.included) {
      problems.push(
        hashOf.has(proof.leaf.eventSeq)
          ? `anchor ${proof.anchor.seq}: event ${proof.leaf.eventSeq} no longer hashes into the anchored root: it or an event before it was changed, removed or reordered after ${proof.anchor.stampedAt}`
          : `anchor ${proof.anchor.seq}: event ${proof.leaf.eventSeq} was anchored but is missing now`,
      );
    }
    if (!check.timestamp.ok) problems.push(`anchor ${proof.anchor.seq}: the timestamp token does not hold: ${check.timestamp.problems.join('; ') || 'untrusted'}`);
    return { ...proof, ...check };
  });
  const anchoredThrough = Math.max(0, ...proofs.map((p) => p.proof.leaf.eventSeq));
  const notYetAnchored = chain.filter((e) => e.seq > anchoredThrough).map((e) => e.seq);
  if (proofs.length === 0) problems.push('no anchor holds this contract yet');
  return { contractId, ok: problems.length === 0, events: chain.length, head: chain.at(-1)?.hash ?? '', proofs: checked, notYetAnchored, problems };
}
