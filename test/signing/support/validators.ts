// The independent validators the signing tests hold our PDFs against: poppler's pdfsig,
// pyHanko (installed by scripts/setup-test-tools.sh, which npm test runs first) and openssl ts.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '../../..');
export const PYHANKO = join(repo, '.tools/pyhanko-venv/bin/pyhanko');

/** Installs the validators when missing (idempotent, fast when present). */
export function ensureValidators(): void {
  if (existsSync(PYHANKO) && hasCommand('pdfsig') && hasCommand('openssl')) return;
  execFileSync('bash', [join(repo, 'scripts/setup-test-tools.sh')], { stdio: 'inherit' });
}

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'sealflow-signing-'));
}

export function writeTemp(dir: string, name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

export function pem(der: Uint8Array): string {
  const body = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').trim();
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
}

export interface PdfsigSignature {
  field: string;
  valid: boolean;
  totalDocumentSigned: boolean;
  validation: string;
}

/**
 * pdfsig -nocert: poppler checks each signature's digest and CMS signature; certificate
 * trust is pyHanko's part (pdfsig would need an NSS database holding our root).
 */
export function pdfsig(path: string): { output: string; signatures: PdfsigSignature[] } {
  const run = spawnSync('pdfsig', ['-nocert', path], { encoding: 'utf8' });
  const output = `${run.stdout}${run.stderr}`;
  const signatures = output
    .split(/^Signature #\d+:$/m)
    .slice(1)
    .map((block) => ({
      field: /Signature Field Name: (.*)/.exec(block)?.[1]?.trim() ?? '',
      validation: /Signature Validation: (.*)/.exec(block)?.[1]?.trim() ?? '',
      valid: /Signature Validation: Signature is Valid/.test(block),
      totalDocumentSigned: /- Total document signed/.test(block),
    }));
  return { output, signatures };
}

/** A pyHanko command's pretty-printed report with our root as the only trust anchor: one block per signature field. */
function pyhankoReport(command: 'validate' | 'adesverify', path: string, rootPemPath: string) {
  const run = spawnSync(PYHANKO, ['sign', command, '--trust', rootPemPath, '--trust-replace', '--pretty-print', path], { encoding: 'utf8' });
  const output = `${run.stdout}${run.stderr}`;
  const blocks = output
    .split(/^=+\nField \d+: /m)
    .slice(1)
    .map((block) => ({ field: block.split('\n')[0].trim(), block, valid: /The signature is judged VALID/.test(block) }));
  return { output, status: run.status ?? -1, blocks };
}

/** pyhanko sign validate; one verdict per field. */
export function pyhankoValidate(path: string, rootPemPath: string): { output: string; status: number; fields: { field: string; valid: boolean; timestampTrusted: boolean }[] } {
  const { output, status, blocks } = pyhankoReport('validate', path, rootPemPath);
  const fields = blocks.map(({ field, block, valid }) => ({
    field,
    valid,
    timestampTrusted: /The TSA certificate is trusted/.test(block) && /The timestamp token is cryptographically sound/.test(block),
  }));
  return { output, status, fields };
}

/** openssl ts -verify of a timestamp token against the digest it should stamp. */
export function opensslTsVerify(options: { token: Uint8Array; digestHex: string; rootPemPath: string; untrustedPemPath: string; dir: string }): { ok: boolean; output: string } {
  const tokenPath = writeTemp(options.dir, `token-${options.digestHex.slice(0, 8)}.der`, options.token);
  const run = spawnSync('openssl', ['ts', '-verify', '-token_in', '-in', tokenPath, '-digest', options.digestHex, '-CAfile', options.rootPemPath, '-untrusted', options.untrustedPemPath], { encoding: 'utf8' });
  const output = `${run.stdout}${run.stderr}`;
  return { ok: run.status === 0 && /Verification: OK/.test(output), output };
}

/**
 * pyhanko sign adesverify: AdES validation (ETSI EN 319 102-1) of every signature, as an
 * archive's reader would run it years from now. Revocation information is required for
 * every certificate of every path and is taken from the file (the DSS) — nothing is fetched
 * — and past timestamps are validated with the proof of existence the later document
 * timestamps give; a PAdES B-T file without validation data fails it.
 */
export function pyhankoAdesValidate(path: string, rootPemPath: string): { output: string; status: number; fields: { field: string; valid: boolean; revoked: boolean }[] } {
  const { output, status, blocks } = pyhankoReport('adesverify', path, rootPemPath);
  const fields = blocks.map(({ field, block, valid }) => ({ field, valid, revoked: /The signer's certificate is revoked/.test(block) }));
  return { output, status, fields };
}
