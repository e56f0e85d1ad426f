// `sealflow verify [--json] [--trust root.pem]… file.pdf…`: a person-readable (or JSON)
// report of every signature. Exit code 0: all valid; 1: anything invalid or changed; 2: usage.
// Files are verified by the same worker pool, with the same limits, as POST /api/verify.
import { readFile, stat } from 'node:fs/promises';
import { createPdfVerifier } from './verify/verification-pool';
import type { SignatureReport, VerificationReport } from './verify/verify-pdf';

const USAGE = 'usage: sealflow verify [--json] [--trust <root certificate, PEM or DER>]… <file.pdf>…';

export async function runVerifyCli(argv: string[], io: { out: (line: string) => void; err: (line: string) => void } = { out: (l) => console.log(l), err: (l) => console.error(l) }): Promise<number> {
  const files: string[] = [];
  const trustFiles: string[] = [];
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') json = true;
    else if (arg === '--trust') {
      const file = argv[++i];
      if (!file) return usage(io, '--trust needs a file');
      trustFiles.push(file);
    } else if (arg === '-h' || arg === '--help') {
      io.out(USAGE);
      return 0;
    } else if (arg.startsWith('-')) return usage(io, `unknown option ${arg}`);
    else files.push(arg);
  }
  if (files.length === 0) return usage(io, 'no PDF given');

  let trustAnchors: Uint8Array[];
  try {
    trustAnchors = (await Promise.all(trustFiles.map(async (file) => certificatesIn(await readFile(file))))).flat();
  } catch (error) {
    return usage(io, `cannot read trust anchors: ${(error as Error).message}`);
  }
  const reports: { file: string; report?: VerificationReport; error?: string }[] = [];
  const verifier = createPdfVerifier({ trustAnchors, workers: 1 });
  try {
    for (const file of files) {
      let bytes: Buffer;
      try {
        const { size } = await stat(file);
        if (size > verifier.limits.maxBytes) {
          reports.push({ file, error: `too large to verify: ${size} bytes, at most ${verifier.limits.maxBytes}` });
          continue;
        }
        bytes = await readFile(file);
      } catch (error) {
        return usage(io, `cannot read ${file}: ${(error as Error).message}`);
      }
      try {
        reports.push({ file, report: await verifier.verify(bytes) });
      } catch (error) {
        reports.push({ file, error: `not a readable PDF: ${(error as Error).message}` });
      }
    }
  } finally {
    await verifier.close();
  }
  if (json) io.out(JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2));
  else for (const entry of reports) io.out(entry.report ? describe(entry.file, entry.report, trustAnchors.length) : `${entry.file}: ${entry.error}`);
  return reports.every((r) => r.report?.valid) ? 0 : 1;
}

function usage(io: { err: (line: string) => void }, message: string): number {
  io.err(`${message}\n${USAGE}`);
  return 2;
}

/** PEM (one or more certificates) or a single DER certificate. */
export function certificatesIn(bytes: Buffer): Uint8Array[] {
  const text = bytes.toString('latin1');
  if (!text.includes('-----BEGIN CERTIFICATE-----')) return [new Uint8Array(bytes)];
  return [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64')));
}

function describe(file: string, report: VerificationReport, anchorCount: number): string {
  const lines = [`${file}: ${report.valid ? 'VALID' : 'NOT VALID'} — ${report.signatures.length} signature(s), ${report.revisions} revision(s)`];
  if (anchorCount === 0) lines.push('  (no --trust given: no certificate chain can be trusted)');
  if (report.signatures.length === 0) lines.push('  no signatures');
  for (const signature of report.signatures) lines.push(...describeSignature(signature));
  for (const change of report.changesAfterSigning) {
    lines.push(`  ! revision ${change.revision} changed the document after signing: ${change.changes.map((c) => `object ${c.object} (${c.kind})`).join('; ')}`);
  }
  if (report.trailingBytes > 0) lines.push(`  ! ${report.trailingBytes} bytes appended after the last revision`);
  return lines.join('\n');
}

function describeSignature(s: SignatureReport): string[] {
  const who = s.signer ? [s.signer.organization ?? s.signer.commonName, s.signer.creditCode && `统一社会信用代码 ${s.signer.creditCode}`, s.signer.serialNumber && `ID hash ${s.signer.serialNumber.slice(0, 16)}…`].filter(Boolean).join(', ') : 'unknown signer';
  const mark = (ok: boolean): string => (ok ? 'ok' : 'FAILED');
  const lines = [
    `  [${s.valid ? 'valid' : 'INVALID'}] ${s.kind === 'document-timestamp' ? 'document timestamp' : 'signature'} "${s.fieldName}" (revision ${s.revision ?? '?'}) — ${who}`,
    `    signed bytes intact: ${mark(s.intact)}; covers whole revision: ${mark(s.coversWholeRevision)}; covers whole document: ${s.coversWholeDocument ? 'yes' : 'no'}`,
    `    certificate chain: ${s.chainTrusted ? 'trusted' : 'NOT trusted'}${s.certificateChain.length ? ` (${s.certificateChain.map((c) => c.subject.replace(/^.*CN=/, '')).join(' ← ')})` : ''}`,
  ];
  if (s.signingTime) lines.push(`    signing time: ${s.signingTime.time} (${s.signingTime.source})`);
  if (s.timestamp) lines.push(`    timestamp: ${s.timestamp.time} by ${s.timestamp.tsa}; imprint ${mark(s.timestamp.imprintMatches)}, token signature ${mark(s.timestamp.signatureValid)}, TSA ${s.timestamp.trusted ? 'trusted' : 'NOT trusted'}`);
  if (s.modifiedAfterSigning) lines.push('    changed after signing');
  for (const problem of s.problems) lines.push(`    - ${problem}`);
  return lines;
}
