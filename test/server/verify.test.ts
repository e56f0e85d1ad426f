// Verification as an outsider does it: POST /api/verify, the root certificate from
// /api/pki/root.pem, the `sealflow verify` command, and RFC 3161 timestamps from /tsa
// checked by openssl.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPdf } from '../../signing';
import { startTestHub, type TestHub } from '../support/hub';

let hub: TestHub;
let signed: Buffer;
const dir = mkdtempSync(join(tmpdir(), 'sealflow-verify-'));
const root = new URL('../..', import.meta.url).pathname;

async function post(path: string, body: Buffer, contentType: string) {
  const response = await fetch(hub.url + path, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()), type: response.headers.get('content-type') };
}
const verify = async (pdf: Buffer) => {
  const { status, bytes } = await post('/api/verify', pdf, 'application/pdf');
  return { status, body: JSON.parse(bytes.toString()) };
};
// Asynchronous on purpose: the hub serves from this very process and must keep answering.
const cli = (...args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [join(root, 'bin/sealflow.mjs'), 'verify', ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, SEALFLOW_DATA_DIR: dir } }, (error, stdout, stderr) =>
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });

beforeAll(async () => {
  hub = await startTestHub();
  const preview = await fetch(`${hub.url}/api/templates/onboarding-acknowledgement/preview`, { method: 'POST', headers: { authorization: `Bearer ${hub.adminToken}`, 'content-type': 'application/json' }, body: '{}' });
  const pdf = new Uint8Array(await preview.arrayBuffer());
  signed = Buffer.from(await signPdf({ pdf, signer: hub.signing.platformSigner, field: { name: 'Platform', page: 1 }, timestamp: hub.signing.timestamps, reason: '测试' }));
  const pem = await fetch(`${hub.url}/api/pki/root.pem`);
  writeFileSync(join(dir, 'root.pem'), Buffer.from(await pem.arrayBuffer()));
  writeFileSync(join(dir, 'signed.pdf'), signed);
});
afterAll(() => hub?.close());

describe('POST /api/verify', () => {
  it('reports a signed PDF valid: signer, chain to our root, timestamp, nothing changed', async () => {
    const { status, body } = await verify(signed);
    expect(status).toBe(200);
    expect(body.valid).toBe(true);
    expect(body.signatures).toHaveLength(1);
    expect(JSON.stringify(body.signatures[0])).toContain('Sealflow 平台');
    expect(body.changesAfterSigning).toEqual([]);
  });

  it('catches a flipped byte inside the signed range', async () => {
    const flipped = Buffer.from(signed);
    const at = flipped.indexOf('/Type /Page') + 2;
    flipped[at] = flipped[at] ^ 0x20;
    const report = await verify(flipped);
    expect(report.status).toBe(200);
    expect(report.body.valid).toBe(false);
    // appended pages and edited signature dictionaries: test/signing/tamper.test.ts, with pdfsig beside our verifier
  });

  it('answers 400 to what is not a PDF', async () => {
    expect((await verify(Buffer.from('hello'))).status).toBe(400);
    const junk = await verify(Buffer.from('%PDF-1.7\n garbage'));
    expect(junk.status).toBe(400);
    expect(junk.body.error.code).toBe('unreadable_pdf');
    const json = await fetch(`${hub.url}/api/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(400);
  });
});

describe('sealflow verify', () => {
  it('trusts the root it is given and fails a tampered file', async () => {
    const ok = await cli('--trust', 'root.pem', 'signed.pdf');
    expect(ok.status, ok.stderr + ok.stdout).toBe(0);
    expect(ok.stdout).toContain('Sealflow 平台');
    const flipped = Buffer.from(signed);
    const at = flipped.indexOf('/Type /Page') + 2;
    flipped[at] ^= 0x20;
    writeFileSync(join(dir, 'tampered.pdf'), flipped);
    expect((await cli('--trust', 'root.pem', 'tampered.pdf')).status).toBe(1);
    expect((await cli()).status).toBe(2);
  });

  it('finds the hub root in the data folder without --trust', async () => {
    writeFileSync(join(dir, 'sealflow-root.pem'), readFileSync(join(dir, 'root.pem')));
    const json = await cli('--json', 'signed.pdf');
    expect(json.status, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).report.valid).toBe(true);
  });
});

describe('POST /tsa', () => {
  it('answers an RFC 3161 query that openssl verifies against our root', async () => {
    writeFileSync(join(dir, 'data.txt'), '采购合同 4500000001');
    execFileSync('openssl', ['ts', '-query', '-data', join(dir, 'data.txt'), '-sha256', '-cert', '-out', join(dir, 'req.tsq')]);
    const reply = await post('/tsa', readFileSync(join(dir, 'req.tsq')), 'application/timestamp-query');
    expect(reply.status).toBe(200);
    expect(reply.type).toContain('application/timestamp-reply');
    writeFileSync(join(dir, 'reply.tsr'), reply.bytes);
    const out = execFileSync('openssl', ['ts', '-verify', '-data', join(dir, 'data.txt'), '-in', join(dir, 'reply.tsr'), '-CAfile', join(dir, 'root.pem')], { encoding: 'utf8' });
    expect(out).toContain('Verification: OK');
  });
});
