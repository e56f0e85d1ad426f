// The evidence package (证据包) of a contract: one zip a court or the other party can check
// without Sealflow — originals, signed PDFs, the sealed evidence report, the events with
// their hash chain, every certificate and timestamp token taken out of the signatures, each
// signer's real-name verification record, the anchor proofs, and a README with the exact
// pyHanko / openssl / python3 commands. Zipped with yazl (the signed.zip route uses it too),
// one contract at a time, waiting for the reader, so a selection never sits whole in memory.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import * as pkijs from 'pkijs';
import { ZipFile } from 'yazl';
import { contractName, requiredIdentity, type ContractState } from '../flows';
import { toPem, type VerificationReport } from '../signing';
import type { Store } from '../store';
import { anchorProofs, rootImprint } from './anchoring';
import { evidenceChainOf } from './events';
import { evidenceReadme } from './readme';
import { signatureParts, timestampFacts } from './signature-parts';

export interface EvidencePackageOptions {
  store: Store;
  /** The hub's root certificate (DER): the trust anchor every README command names. */
  rootCertificate: Uint8Array;
  /**
   * Where the signatures of a stored PDF are: the verification pool's `verify` (server/app.ts), so a
   * large document or a long archive is parsed by a worker thread, not on the event loop that serves HTTP.
   */
  readSignatures: (pdf: Uint8Array) => Promise<Pick<VerificationReport, 'signatures'>>;
  now?: () => Date;
  /** Where a failure part-way through a zip is told (the client only sees the download end early). */
  log?: (message: string) => void;
}

export interface EvidenceFile {
  path: string;
  content: Buffer;
}

const VERIFY_SCRIPT = new URL('./verify_events.py', import.meta.url);
let verifyScript: Promise<Buffer> | undefined;
const loadVerifyScript = () => (verifyScript ??= import('node:fs/promises').then((fs) => fs.readFile(VERIFY_SCRIPT)));

const sha256hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const json = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
/** A name for a file from text of ours or a certificate's: letters, digits, CJK, . _ - only. */
const fileName = (text: string) => text.replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^[._]+/, '').slice(0, 60) || '_';

function commonName(der: Uint8Array): string {
  try {
    const certificate = pkijs.Certificate.fromBER(der);
    const cn = certificate.subject.typesAndValues.find((t) => t.type === '2.5.4.3');
    return String(cn?.value.valueBlock.value ?? 'certificate');
  } catch {
    return 'certificate';
  }
}

/** What identity/<signer>.json says: the record bound to the signer on this contract, or that there is none. */
async function identityEvidence(store: Store, contract: ContractState, signer: ContractState['signers'][number]) {
  const record = await store.identities.signerRecord(contract.id, signer.id);
  const who = { id: signer.id, name: signer.name, party: signer.party, levelAsked: requiredIdentity(signer) };
  if (!record) return { signer: who, status: 'not verified', note: 'No real-name verification record is bound to this signer on this contract.' };
  return {
    signer: who,
    status: 'verified',
    record: {
      id: record.id,
      level: record.level,
      method: record.method,
      provider: record.provider,
      providerReference: record.providerReference,
      verifiedAt: record.verifiedAt,
      expiresAt: record.expiresAt,
      boundAt: record.boundAt,
      // The ID number only as its keyed hash (HMAC-SHA256), the mobile masked: as stored.
      subject: record.subject,
      evidenceDigest: record.evidenceDigest,
    },
    // A multi-step verification (SMS, transfer, face…): the SHA-256 of each provider answer along the way.
    flows: (await store.identities.flowsOfRecord(record.id)).map((flow) => ({
      id: flow.id,
      provider: flow.provider,
      providerFlowId: flow.providerFlowId,
      method: flow.method,
      level: flow.level,
      status: flow.status,
      startedAt: flow.createdAt,
      endedAt: flow.updatedAt,
      evidenceDigests: flow.evidenceDigests,
    })),
  };
}

/** Every file of one contract's package, paths relative to the package's folder. */
export async function evidenceFiles(options: EvidencePackageOptions, contract: ContractState): Promise<EvidenceFile[]> {
  const { store } = options;
  const files: EvidenceFile[] = [];
  const get = async (sha256: string, what: string) => {
    const stored = await store.documents.get(sha256);
    if (!stored) throw new Error(`${what} (${sha256}) is missing from the document store`);
    return Buffer.from(stored.content);
  };

  const certificates = new Map<string, Uint8Array>();
  const rootFingerprint = sha256hex(options.rootCertificate);
  const timestamps: { file: string; kind: 'signature' | 'document-timestamp'; document: string; field: string; digest: string; time: string }[] = [];
  const signedNames: string[] = [];
  const originalNames: string[] = [];
  for (const document of contract.documents) {
    const original = document.originalSha256 ?? ((document.signedBy?.length ?? 0) === 0 ? document.sha256 : null);
    if (original) {
      files.push({ path: `originals/${document.id}.pdf`, content: await get(original, `the original of document ${document.id}`) });
      originalNames.push(`${document.id}.pdf`);
    }
    if ((document.signedBy?.length ?? 0) === 0) continue;
    const pdf = await get(document.sha256, `the signed document ${document.id}`);
    files.push({ path: `signed/${document.id}.pdf`, content: pdf });
    signedNames.push(`${document.id}.pdf`);
    for (const part of signatureParts(pdf, await options.readSignatures(pdf))) {
      for (const certificate of part.certificates) certificates.set(sha256hex(certificate), certificate);
      if (!part.timestamp) continue;
      const file = `${document.id}--${fileName(part.fieldName)}`;
      files.push({ path: `timestamps/${file}.tsr`, content: Buffer.from(part.timestamp.token) });
      files.push({ path: `timestamps/${file}.digest`, content: Buffer.from(`${part.timestamp.digestHex}\n`) });
      if (part.timestamp.stamped) files.push({ path: `timestamps/${file}.sig`, content: Buffer.from(part.timestamp.stamped) });
      timestamps.push({ file, kind: part.kind, document: document.id, field: part.fieldName, digest: part.timestamp.digestHex, time: part.timestamp.time });
    }
  }
  let hasReport = false;
  if (contract.evidenceSha256) {
    const report = await get(contract.evidenceSha256, 'the evidence report');
    files.push({ path: 'evidence-report.pdf', content: report });
    hasReport = true;
    for (const part of signatureParts(report, await options.readSignatures(report))) for (const certificate of part.certificates) certificates.set(sha256hex(certificate), certificate);
  }
  files.push({ path: 'timestamps/index.json', content: json(timestamps) });

  const chain = evidenceChainOf(contract);
  const genesis = createHash('sha256').update(contract.id, 'utf8').digest('hex');
  files.push({ path: 'events.json', content: json({ contractId: contract.id, genesis, head: chain.at(-1)?.hash ?? genesis, hash: 'sha256(prevHash + "\\n" + JCS(event fields))', events: chain }) });

  for (const signer of contract.signers) files.push({ path: `identity/${fileName(signer.id)}.json`, content: json(await identityEvidence(store, contract, signer)) });

  const proofs = await anchorProofs(store, contract.id);
  for (const { proof, token } of proofs) {
    files.push({ path: `anchors/anchor-${proof.anchor.seq}.json`, content: json({ ...proof, imprint: rootImprint(proof.anchor.root).toString('hex') }) });
    files.push({ path: `anchors/anchor-${proof.anchor.seq}.tsr`, content: Buffer.from(token) });
    files.push({ path: `anchors/anchor-${proof.anchor.seq}.root`, content: Buffer.from(proof.anchor.root, 'hex') });
    for (const certificate of timestampFacts(token).certificates) certificates.set(sha256hex(certificate), certificate);
  }

  files.push({ path: 'certificates/root.pem', content: Buffer.from(toPem(options.rootCertificate)) });
  const others = [...certificates].filter(([fingerprint]) => fingerprint !== rootFingerprint);
  files.push({ path: 'certificates/chain.pem', content: Buffer.from(others.map(([, der]) => toPem(der)).join('')) });
  for (const [fingerprint, der] of others) files.push({ path: `certificates/${fileName(commonName(der))}-${fingerprint.slice(0, 8)}.pem`, content: Buffer.from(toPem(der)) });

  const anchoredThrough = Math.max(0, ...proofs.map((p) => p.proof.leaf.eventSeq));
  files.push({
    path: 'README.txt',
    content: Buffer.from(
      evidenceReadme({
        contractId: contract.id,
        title: contractName(contract),
        generatedAt: (options.now?.() ?? new Date()).toISOString(),
        signed: signedNames,
        originals: originalNames,
        hasReport,
        timestamps,
        anchors: proofs.map((p) => ({ seq: p.proof.anchor.seq, tsa: p.proof.anchor.tsa })),
        notYetAnchored: chain.filter((e) => e.seq > anchoredThrough).length,
        ownTsa: proofs.some((p) => p.proof.anchor.tsa === 'sealflow'),
      }),
      'utf8',
    ),
  });
  files.push({ path: 'verify_events.py', content: await loadVerifyScript() });
  // sha256sum -c SHA256SUMS: every other file of the package, as it left the hub.
  files.push({ path: 'SHA256SUMS', content: Buffer.from(files.map((f) => `${sha256hex(f.content)}  ${f.path}\n`).join('')) });
  return files;
}

/** How far the zip may run ahead of its reader before the next contract waits. */
const AHEAD_BYTES = 8 * 1024 * 1024;

/**
 * The zip of one or more contracts' packages, streamed as it is built. Each contract's files
 * go under its folder ('' puts them at the top: a single contract). `extra` files (a list of
 * what was left out) go at the top. A failure part-way ends the stream with that error.
 */
export function evidenceZip(options: EvidencePackageOptions, contracts: readonly { contract: ContractState; folder: string }[], extra: readonly EvidenceFile[] = []): Readable {
  const zip = new ZipFile();
  const output = zip.outputStream as Readable;
  const add = (path: string, content: Buffer) => zip.addBuffer(content, path, { compress: !path.endsWith('.pdf'), mtime: options.now?.() ?? new Date() });
  (async () => {
    for (const { contract, folder } of contracts) {
      while (output.readableLength > AHEAD_BYTES && !output.destroyed) await new Promise((resolve) => setTimeout(resolve, 20));
      if (output.destroyed) return;
      const prefix = folder ? `${folder}/` : '';
      for (const file of await evidenceFiles(options, contract)) add(prefix + file.path, file.content);
    }
    for (const file of extra) add(file.path, file.content);
    zip.end();
  })().catch((error: unknown) => {
    options.log?.(`[evidence package] ${contracts.map((c) => c.contract.id).join(', ')}: ${(error as Error)?.stack ?? String(error)}`);
    output.destroy(error as Error);
  });
  return output;
}
