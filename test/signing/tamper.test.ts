// Changes after signing must be detected by poppler and by our verifier: a byte flipped
// inside the signed range, a page appended as an incremental update, an edited signature
// dictionary (in place, and replaced by a later update).
import { beforeAll, describe, expect, it } from 'vitest';
import { signPdf, verifyPdf } from '../../signing/index';
import { describeRevisionTail, writeIncrementalUpdate } from '../../signing/pdf/incremental-update';
import { PdfDict, PdfName, PdfRef, PdfStream, serializeObjectBody } from '../../signing/pdf/objects';
import { PdfReader } from '../../signing/pdf/xref';
import { makeContractPdf, SIGNATURE_AREAS } from './support/contract-pdf';
import { signingFixture } from './support/fixture';
import { ensureValidators, pdfsig, scratchDir, writeTemp } from './support/validators';

let fixture: Awaited<ReturnType<typeof signingFixture>>;
let dir: string;
let signed: Buffer;

beforeAll(async () => {
  ensureValidators();
  fixture = await signingFixture();
  dir = scratchDir();
  let pdf = await makeContractPdf({ objectStreams: false });
  for (const [i, id] of ['buyer', 'supplier'].entries()) {
    pdf = await signPdf({ pdf, signer: fixture.signers[id], field: { name: id, page: 3, rect: SIGNATURE_AREAS[i], appearance: fixture.appearances[id] }, timestamp: fixture.timestamp });
  }
  signed = Buffer.from(pdf);
});

const verify = (pdf: Uint8Array) => verifyPdf(pdf, { trustAnchors: [fixture.ca.rootCertificate] });

/** Appends a new page (content stream + page + updated page tree) as an incremental update. */
function appendPage(pdf: Buffer): Buffer {
  const reader = new PdfReader(pdf);
  const pagesRef = reader.catalog().get('Pages') as PdfRef;
  const pages = reader.dict(pagesRef)!.clone();
  const next = reader.size;
  const content = new PdfStream(new PdfDict(), Buffer.from('BT /F1 24 Tf 72 700 Td (Extra clause: price doubled) Tj ET'));
  const page = new PdfDict([['Type', new PdfName('Page')], ['Parent', pagesRef], ['MediaBox', [0, 0, 595, 842]], ['Contents', new PdfRef(next, 0)]]);
  pages.set('Kids', [...(pages.get('Kids') as PdfRef[]), new PdfRef(next + 1, 0)]).set('Count', (pages.number('Count') ?? 0) + 1);
  const update = writeIncrementalUpdate(describeRevisionTail(reader), [
    { ref: new PdfRef(next, 0), body: serializeObjectBody(content) },
    { ref: new PdfRef(next + 1, 0), body: serializeObjectBody(page) },
    { ref: pagesRef, body: serializeObjectBody(pages) },
  ]);
  return Buffer.concat([pdf, update.bytes]);
}

describe('tampering after signing', () => {
  it('the untampered document is valid for both', () => {
    expect(verify(signed).valid).toBe(true);
    expect(pdfsig(writeTemp(dir, 'clean.pdf', signed)).signatures.every((s) => s.valid)).toBe(true);
  });

  it('detects a byte flipped inside the signed range', () => {
    const tampered = Buffer.from(signed);
    // A byte of page text in the first revision, covered by both signatures.
    const at = tampered.indexOf('Purchase Contract', 0, 'latin1') >= 0 ? tampered.indexOf('Purchase Contract', 0, 'latin1') : 200;
    tampered[at] ^= 0x01;
    const poppler = pdfsig(writeTemp(dir, 'flipped.pdf', tampered));
    expect(poppler.signatures.map((s) => s.valid), poppler.output).toEqual([false, false]);
    const report = verify(tampered);
    expect(report.valid).toBe(false);
    expect(report.signatures.map((s) => s.intact)).toEqual([false, false]);
    expect(report.signatures[0].problems.join('\n')).toMatch(/digest does not match/);
  });

  it('detects a page appended as an incremental update after the last signature', () => {
    const tampered = appendPage(signed);
    const poppler = pdfsig(writeTemp(dir, 'page-added.pdf', tampered));
    // The cryptography still holds; poppler's signal is that the last signature no longer covers the whole file.
    expect(poppler.signatures.at(-1)!.totalDocumentSigned, poppler.output).toBe(false);
    const report = verify(tampered);
    expect(report.valid).toBe(false);
    expect(report.changesAfterSigning).toHaveLength(1);
    expect(report.changesAfterSigning[0].revision).toBe(4);
    expect(report.changesAfterSigning[0].changes.map((c) => c.kind)).toContain('page added or removed');
    expect(report.signatures.every((s) => s.modifiedAfterSigning && s.intact)).toBe(true);
    expect(report.signatures[1].problems.join('\n')).toMatch(/changed after signing: revision 4 .*page added or removed/);
  });

  it('detects an edited signature dictionary (in place)', () => {
    const tampered = Buffer.from(signed);
    // Rewrite the claimed signing time /M of the first signature, same length.
    const at = tampered.indexOf('/M (D:', 0, 'latin1');
    tampered.write('/M (D:19', at, 'latin1');
    const poppler = pdfsig(writeTemp(dir, 'sigdict-edited.pdf', tampered));
    expect(poppler.signatures[0].valid, poppler.output).toBe(false);
    const report = verify(tampered);
    expect(report.valid).toBe(false);
    expect(report.signatures[0].intact).toBe(false);
  });

  it('detects a signature dictionary replaced by a later update', () => {
    const reader = new PdfReader(signed);
    const acroForm = reader.dict(reader.catalog().get('AcroForm'))!;
    const field = reader.dict((acroForm.get('Fields') as PdfRef[])[0])!;
    const sigRef = field.get('V') as PdfRef;
    const edited = reader.dict(sigRef)!.clone().set('Reason', new PdfName('Forged'));
    const update = writeIncrementalUpdate(describeRevisionTail(reader), [{ ref: sigRef, body: serializeObjectBody(edited) }]);
    const tampered = Buffer.concat([signed, update.bytes]);
    const poppler = pdfsig(writeTemp(dir, 'sigdict-replaced.pdf', tampered));
    expect(poppler.signatures.at(-1)!.totalDocumentSigned, poppler.output).toBe(false);
    const report = verify(tampered);
    expect(report.valid).toBe(false);
    expect(report.changesAfterSigning[0].changes.map((c) => c.kind)).toEqual(['signature dictionary changed']);
  });

  it('reports bytes appended after the last %%EOF', () => {
    const report = verify(Buffer.concat([signed, Buffer.from('% appended garbage\n1 0 obj (x) endobj\n')]));
    expect(report.valid).toBe(false);
    expect(report.trailingBytes).toBeGreaterThan(0);
  });
});
