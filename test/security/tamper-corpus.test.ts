// The verifier cannot be fooled (issue #9): a corpus of incremental updates written by
// pyHanko's own PDF writer after two Sealflow signatures, verified through POST /api/verify of
// a running hub and by pyHanko's difference analysis. Both must call the same files modified;
// a harmless update (another signature, a document timestamp, DSS) must stay valid.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { companySealAppearance, companySubject, createLocalSigner, creditCodeCheckCharacter, enrollSigner, runVerifyCli, signPdf } from '../../signing/index';
import { FontLibrary } from '../../templates';
import { startTestHub, type TestHub } from '../support/hub';
import { makeContractPdf, SIGNATURE_AREAS } from '../signing/support/contract-pdf';
import { ensureValidators, PYHANKO, scratchDir, writeTemp } from '../signing/support/validators';

const PYTHON = join(PYHANKO, '..', 'python');
// Asynchronous: the hub answering pyHanko's timestamp requests runs in this very process.
const python = async (...args: string[]) => (await promisify(execFile)(PYTHON, args, { encoding: 'utf8', maxBuffer: 16 << 20 })).stdout;
const here = import.meta.dirname;

/** Every file of the corpus and whether the signatures before it must still hold. */
const CORPUS: Record<string, { benign: boolean; names?: string[] }> = {
  unchanged: { benign: true },
  'third-signature': { benign: true },
  'document-timestamp': { benign: true },
  'dss-added': { benign: true },
  'overlay-widget': { benign: false, names: ['signature field without a valid signature added', 'unreferenced object added', 'page changed'] },
  'unsigned-signature-widget': { benign: false, names: ['signature field without a valid signature added'] },
  'widget-reusing-signature': { benign: false, names: ['signature field without a valid signature added'] },
  'free-text-annotation': { benign: false, names: ['annotation added'] },
  'stamp-annotation': { benign: false, names: ['annotation added'] },
  'content-stream-edited': { benign: false, names: ['content stream changed'] },
  'page-replaced': { benign: false, names: ['page added or removed'] },
  'field-removed': { benign: false, names: ['form field removed or renamed'] },
  'orphan-dss': { benign: false, names: ['unreferenced object added'] },
  'info-changed': { benign: false, names: ['document information changed'] },
  'hidden-object': { benign: false, names: ['unreferenced object added'] },
};
const SIGNED_BY_SEALFLOW = ['buyer', 'supplier'];

interface PyHankoVerdict {
  field: string;
  level: string;
  modified: boolean;
  detail?: string;
}

let hub: TestHub;
let dir: string;
let rootPem: string;
let pyhanko: Record<string, PyHankoVerdict[]>;

beforeAll(async () => {
  ensureValidators();
  // One client verifies the whole corpus: the per-client rate is not what this file tests.
  hub = await startTestHub({ publicRateLimits: { verify: { burst: 100, perSecond: 50 } } });
  dir = scratchDir();
  // Two companies' signatures with certificates from the hub's own CA, timestamped by its TSA.
  const { vault, ca, timestamps } = hub.signing;
  const fonts = new FontLibrary();
  const unsigned = await makeContractPdf({ objectStreams: false });
  let pdf = unsigned;
  for (const [i, [id, name, code]] of [['buyer', '深圳市华强电子有限公司', '91440300MA5F00001'], ['supplier', '上海浦江精密机械股份有限公司', '91310115MA1K00002']].entries()) {
    await enrollSigner({ vault, ca, tenantId: 'corpus', signerId: `corpus-${id}`, subject: companySubject({ name, creditCode: code + creditCodeCheckCharacter(code) }) });
    const signer = await createLocalSigner({ vault, keyId: `corpus-${id}` });
    pdf = await signPdf({ pdf, signer, field: { name: id, page: 3, rect: SIGNATURE_AREAS[i], appearance: await companySealAppearance({ companyName: name, fonts }) }, timestamp: timestamps });
  }
  const signedPath = writeTemp(dir, 'signed.pdf', pdf);
  const unsignedPath = writeTemp(dir, 'unsigned.pdf', unsigned);
  rootPem = writeTemp(dir, 'root.pem', hub.signing.rootCertificatePem);
  const written: { name: string }[] = JSON.parse(await python(join(here, 'tamper/corpus.py'), signedPath, unsignedPath, dir, `${hub.url}/tsa`));
  expect(written.map((w) => w.name).sort()).toEqual([...Object.keys(CORPUS), 'timestamp-only'].sort());
  const files = Object.keys(CORPUS).map((name) => join(dir, `${name}.pdf`));
  const verdicts = JSON.parse(await python(join(here, 'tamper/diff.py'), ...files));
  pyhanko = Object.fromEntries(Object.entries(verdicts).map(([path, v]) => [path.slice(dir.length + 1, -4), v as PyHankoVerdict[]]));
}, 180_000);

afterAll(async () => {
  await hub?.close();
});

const verify = async (name: string) => {
  const answer = await hub.post('/api/verify', readFileSync(join(dir, `${name}.pdf`)), { 'content-type': 'application/pdf' });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body as { valid: boolean; problems: string[]; signatures: { fieldName: string; kind: string; valid: boolean; modifiedAfterSigning: boolean; problems: string[] }[]; changesAfterSigning: { revision: number; changes: { kind: string }[] }[] };
};

describe('changes after signing, judged by Sealflow and by pyHanko', () => {
  for (const [name, expected] of Object.entries(CORPUS)) {
    it(`${name}: ${expected.benign ? 'the earlier signatures still hold' : 'the change is named and the earlier signatures are changed after signing'}, as pyHanko says`, async () => {
      const report = await verify(name);
      const theirs = pyhanko[name];
      // The same Sealflow signatures seen by both (a removed field is gone for both).
      const ours = report.signatures.filter((s) => SIGNED_BY_SEALFLOW.includes(s.fieldName));
      expect(ours.length).toBeGreaterThan(0);
      expect(ours.map((s) => s.fieldName)).toEqual(theirs.filter((s) => SIGNED_BY_SEALFLOW.includes(s.field)).map((s) => s.field));
      for (const signature of ours) {
        const verdict = theirs.find((t) => t.field === signature.fieldName)!;
        expect(signature.modifiedAfterSigning, `${signature.fieldName}: pyHanko says ${verdict.level} ${verdict.detail ?? ''}`).toBe(verdict.modified);
        expect(signature.modifiedAfterSigning).toBe(!expected.benign);
      }
      if (expected.benign) {
        expect(report.changesAfterSigning).toEqual([]);
        for (const signature of ours) expect(signature.valid, signature.problems.join('\n')).toBe(true);
      } else {
        expect(report.valid).toBe(false);
        const kinds = report.changesAfterSigning.flatMap((c) => c.changes.map((k) => k.kind));
        for (const kind of expected.names!) expect(kinds).toContain(kind);
        for (const signature of ours) expect(signature.problems.join('\n')).toMatch(/changed after signing/);
        expect(report.problems.join('\n')).toMatch(/changed the document after signing/);
      }
    });
  }

  it('the reported attack (a widget painting a new amount over page 1) makes `sealflow verify` exit non-zero', async () => {
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    expect(await runVerifyCli(['--trust', rootPem, join(dir, 'unchanged.pdf')], io)).toBe(0);
    expect(await runVerifyCli(['--trust', rootPem, join(dir, 'overlay-widget.pdf')], io)).not.toBe(0);
    expect(lines.join('\n')).toMatch(/signature field without a valid signature added/);
  });

  it('a third party signing after Sealflow leaves the earlier signatures valid; only the untrusted one fails', async () => {
    const report = await verify('third-signature');
    expect(report.signatures.map((s) => [s.fieldName, s.valid])).toEqual([['buyer', true], ['supplier', true], ['third', false]]);
    expect(report.valid).toBe(false);
  });
});

describe('a document nobody signed', () => {
  it('is not valid when it carries only a document timestamp from the hub’s own TSA', async () => {
    const report = await verify('timestamp-only');
    expect(report.signatures).toHaveLength(1);
    expect(report.signatures[0]).toMatchObject({ kind: 'document-timestamp', valid: true });
    expect(report.valid).toBe(false);
    expect(report.problems.join('\n')).toMatch(/only document timestamps/);
  });
});
