// The evidence events of one contract as a hash chain: each event's hash covers the
// previous event's hash and the event itself, and the first event links to a genesis
// derived from the contract id. Editing, removing or reordering a stored event therefore
// breaks every link from that event on, and a chain cannot be moved to another contract.
// The head (last hash) is printed in the evidence report, which the platform signs and
// timestamps; that fixes the chain's end as well.
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

export interface EvidenceEvent {
  /** Position in the contract's history; strictly increasing along the chain. */
  seq: number;
  /** ISO 8601 time of the event. */
  at: string;
  /** A user id, a signer id or 'system'. */
  actor: string;
  actorName?: string;
  /** e.g. 'contract.started', 'approval.approved', 'document.generated', 'signer.otp_verified', 'signer.signed'. */
  action: string;
  ip?: string | null;
  userAgent?: string | null;
  /** How the actor's intent was verified: 'sms-otp', 'must-read', 'bearer-token'. */
  intent?: string | null;
  /** The document version the event concerns. */
  documentSha256?: string | null;
  detail?: Record<string, unknown>;
}

export type ChainedEvent = EvidenceEvent & { prevHash: string; hash: string };

export interface ChainOptions {
  /** The hash the first event links to: chainGenesis(contract id). */
  genesis: string;
}

export type ChainVerification = { ok: true; head: string } | { ok: false; brokenAt: number; reason: string };

/** The fields an event hash covers, in the order a reader of the report finds them listed. */
const HASHED_FIELDS = ['seq', 'at', 'actor', 'actorName', 'action', 'ip', 'userAgent', 'intent', 'documentSha256', 'detail'] as const;

const sha256hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** SHA-256 of the contract id: two contracts' chains start from different points. */
export function chainGenesis(contractId: string): string {
  return sha256hex(contractId);
}

/**
 * What an event hash covers: the known event fields only (a database row may carry more),
 * with empty top-level fields left out, so that `ip: null` from a nullable column and a
 * missing `ip` from memory hash alike.
 */
export function hashedContent(event: EvidenceEvent): Record<string, unknown> {
  const content: Record<string, unknown> = {};
  for (const field of HASHED_FIELDS) {
    const value = event[field];
    if (value !== null && value !== undefined) content[field] = value;
  }
  return content;
}

/** hash = sha256hex(prevHash + '\n' + canonicalJson(event)) */
export function eventHash(prevHash: string, event: EvidenceEvent): string {
  return sha256hex(`${prevHash}\n${canonicalJson(hashedContent(event))}`);
}

export function chainEvents(events: readonly EvidenceEvent[], options: ChainOptions): ChainedEvent[] {
  let prevHash = options.genesis;
  let prevSeq = -Infinity;
  return events.map((event) => {
    if (!Number.isSafeInteger(event.seq) || event.seq <= prevSeq) throw new RangeError(`event seq ${event.seq} does not follow seq ${prevSeq}: chain events in increasing seq order`);
    const chained: ChainedEvent = { ...event, prevHash, hash: eventHash(prevHash, event) };
    prevHash = chained.hash;
    prevSeq = event.seq;
    return chained;
  });
}

export interface VerifyChainOptions extends ChainOptions {
  /** The head recorded elsewhere (e.g. in a signed report): also catches events cut off the end. */
  head?: string;
}

/** Walks the chain from the genesis and reports the first link that does not hold. */
export function verifyEventChain(chained: readonly ChainedEvent[], options: VerifyChainOptions): ChainVerification {
  let expectedPrev = options.genesis;
  let prevSeq = -Infinity;
  for (const [index, event] of chained.entries()) {
    if (!(event.seq > prevSeq)) return { ok: false, brokenAt: event.seq, reason: `event ${event.seq} comes after event ${prevSeq}: events were reordered` };
    if (event.prevHash !== expectedPrev) {
      const reason =
        index === 0
          ? `event ${event.seq} does not link to this contract's genesis: the chain starts elsewhere or belongs to another contract`
          : `event ${event.seq} does not link to event ${prevSeq}: an event between them was removed, inserted or reordered`;
      return { ok: false, brokenAt: event.seq, reason };
    }
    if (eventHash(event.prevHash, event) !== event.hash) return { ok: false, brokenAt: event.seq, reason: `event ${event.seq} no longer matches its hash: a field of it was changed` };
    expectedPrev = event.hash;
    prevSeq = event.seq;
  }
  if (options.head !== undefined && options.head !== expectedPrev) {
    const next = chained.length > 0 ? chained[chained.length - 1].seq + 1 : 1;
    return { ok: false, brokenAt: next, reason: `the chain ends at ${expectedPrev}, not at the recorded head ${options.head}: events after the last one were removed, or the chain was rebuilt` };
  }
  return { ok: true, head: expectedPrev };
}
