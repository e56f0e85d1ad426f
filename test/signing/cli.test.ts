import { beforeAll, describe, expect, it } from 'vitest';
import { runVerifyCli, signPdf } from '../../signing/index';
import { makeContractPdf, SIGNATURE_AREAS } from './support/contract-pdf';
import { signingFixture } from './support/fixture';
import { pem, scratchDir, writeTemp } from './support/validators';

let files: { signed: string; tampered: string; root: string; unsigned: string };

beforeAll(async () => {
  const fixture = await signingFixture();
  const signed = await signPdf({ pdf: await makeContractPdf(), signer: fixture.signers.buyer, field: { name: 'buyer', page: 3, rect: SIGNATURE_AREAS[0], appearance: fixture.appearances.buyer }, timestamp: fixture.timestamp });
  const tampered = Buffer.from(signed);
  tampered[300] ^= 1;
  const dir = scratchDir();
  files = { signed: writeTemp(dir, 'signed.pdf', signed), tampered: writeTemp(dir, 'tampered.pdf', tampered), root: writeTemp(dir, 'root.pem', pem(fixture.ca.rootCertificate)), unsigned: writeTemp(dir, 'unsigned.pdf', await makeContractPdf()) };
});

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runVerifyCli(argv, { out: (l) => (out += `${l}\n`), err: (l) => (err += `${l}\n`) });
  return { code, out, err };
}

describe('sealflow verify', () => {
  it('exits 0 and prints a readable report for a valid PDF', async () => {
    const { code, out } = await run(['--trust', files.root, files.signed]);
    expect(code).toBe(0);
    expect(out).toMatch(/VALID — 1 signature\(s\), 2 revision\(s\)/);
    expect(out).toMatch(/深圳市华强电子有限公司, 统一社会信用代码 91440300MA5F00001/);
    expect(out).toMatch(/timestamp: .* by C=CN, O=Sealflow, CN=Sealflow TSA/);
  });

  it('prints JSON with --json', async () => {
    const { code, out } = await run(['--json', '--trust', files.root, files.signed]);
    expect(code).toBe(0);
    expect(JSON.parse(out).report.signatures[0]).toMatchObject({ fieldName: 'buyer', valid: true });
  });

  it('exits 1 for a changed or unsigned document, or without trust anchors', async () => {
    expect((await run(['--trust', files.root, files.tampered])).code).toBe(1);
    expect((await run(['--trust', files.root, files.unsigned])).code).toBe(1);
    expect((await run([files.signed])).code).toBe(1);
  });

  it('exits 2 on usage errors', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(['--bogus', files.signed])).code).toBe(2);
    expect((await run(['--trust'])).code).toBe(2);
    expect((await run(['/nonexistent.pdf'])).code).toBe(2);
  });
});
