// The pure byte-level pieces: DER writer, PDF object parser/serializer, placeholder and
// byte-range helpers, incremental-update writer, credit-code check.
import * as asn1js from 'asn1js';
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { generalizedTime, oid, setOf, smallInteger, tlv, unsignedInteger } from '../../signing/der';
import { byteRangePlaceholder, contentsPlaceholder, embedContents, fillByteRange, locatePlaceholders, signedSlices } from '../../signing/pdf/byte-range';
import { describeRevisionTail, writeIncrementalUpdate, xrefTableBody } from '../../signing/pdf/incremental-update';
import { PdfDict, PdfLexer, PdfName, PdfRef, PdfString, serialize, serializeObjectBody } from '../../signing/pdf/objects';
import { PdfReader } from '../../signing/pdf/xref';
import { creditCodeCheckCharacter, isValidCreditCode } from '../../signing/subject';
import { findRevisions } from '../../signing/verify/revisions';
import { makeContractPdf } from './support/contract-pdf';

describe('DER writer', () => {
  it('encodes what asn1js decodes back', () => {
    expect((asn1js.fromBER(oid('1.2.840.113549.1.9.16.2.47')).result as asn1js.ObjectIdentifier).valueBlock.toString()).toBe('1.2.840.113549.1.9.16.2.47');
    expect(Buffer.from(smallInteger(128)).toString('hex')).toBe('02020080');
    expect(Buffer.from(unsignedInteger(Uint8Array.of(0, 0, 0xff))).toString('hex')).toBe('020200ff');
    const long = tlv(0x04, new Uint8Array(300));
    expect(Buffer.from(long.subarray(0, 4)).toString('hex')).toBe('0482012c');
  });

  it('sorts SET OF members by encoding and drops trailing zeros of fractional seconds', () => {
    expect(Buffer.from(setOf(Uint8Array.of(0x04, 1, 2), Uint8Array.of(0x02, 1, 1))).toString('hex')).toBe('3106020101040102');
    expect(Buffer.from(generalizedTime(new Date('2025-06-01T06:03:05.120Z')).subarray(2)).toString()).toBe('20250601060305.12Z');
    expect(Buffer.from(generalizedTime(new Date('2025-06-01T06:03:05.000Z')).subarray(2)).toString()).toBe('20250601060305Z');
  });
});

describe('PDF objects', () => {
  it('parses dictionaries, references, strings and arrays, and writes them back unchanged', () => {
    const source = '<</Type/Annot/T(a\\(b\\)c)/V 12 0 R/Rect[0 0 10.5 -3]/Name<FEFF738B>/Flag true/N null>>';
    const value = new PdfLexer(Buffer.from(source, 'latin1')).value() as PdfDict;
    expect(value.name('Type')).toBe('Annot');
    expect((value.get('T') as PdfString).text()).toBe('a(b)c');
    expect(value.get('V')).toEqual(new PdfRef(12, 0));
    expect((value.get('Name') as PdfString).text()).toBe('王');
    expect(serialize(value)).toBe('<</Type /Annot/T (a\\(b\\)c)/V 12 0 R/Rect [0 0 10.5 -3]/Name <FEFF738B>/Flag true/N null>>');
  });

  it('writes any text as a PDF text string', () => {
    expect(serialize(PdfString.text('plain (x)'))).toBe('(plain \\(x\\))');
    expect(PdfString.text('合同').text()).toBe('合同');
  });
});

describe('signature placeholders', () => {
  it('fills the byte range around /Contents and embeds the signature within it', () => {
    const body = serializeObjectBody(new PdfDict([['Type', new PdfName('Sig')], ['ByteRange', byteRangePlaceholder()], ['Contents', contentsPlaceholder(8)]]));
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n1 0 obj\n'), body, Buffer.from('\nendobj\n%%EOF\n')]);
    const position = locatePlaceholders(body, 17);
    expect(pdf.toString('latin1', position.contentsAt, position.contentsAt + position.contentsLength)).toBe(`<${'0'.repeat(16)}>`);
    const range = fillByteRange(pdf, position);
    expect(range).toEqual([0, position.contentsAt, position.contentsAt + 18, pdf.length - position.contentsAt - 18]);
    expect(pdf.toString('latin1')).toContain(`/ByteRange [0 ${range[1]} ${range[2]} ${range[3]}]`);
    embedContents(pdf, position, Uint8Array.of(0xca, 0xfe));
    expect(pdf.toString('latin1')).toContain('/Contents <cafe000000000000>');
    const [first, second] = signedSlices(pdf, range);
    expect(first.length + second.length).toBe(pdf.length - 18);
    expect(() => embedContents(pdf, position, new Uint8Array(9))).toThrow(/does not fit/);
  });
});

describe('incremental updates', () => {
  it('writes classic xref subsections with 20-byte entries', () => {
    const table = xrefTableBody(new Map([[3, { offset: 17, gen: 0 }], [4, { offset: 99, gen: 0 }], [9, { offset: 1234, gen: 2 }]]));
    expect(table).toBe('3 2\n0000000017 00000 n\r\n0000000099 00000 n\r\n9 1\n0000001234 00002 n\r\n');
  });

  it.each([true, false])('appends objects that a reader (and pdf-lib) find through the new xref (object streams: %s)', async (objectStreams) => {
    const original = Buffer.from(await makeContractPdf({ objectStreams }));
    const reader = new PdfReader(original);
    const catalogRef = reader.trailer.get('Root') as PdfRef;
    const catalog = reader.catalog().clone().set('Lang', PdfString.text('zh-CN'));
    const added = new PdfRef(reader.size, 0);
    const update = writeIncrementalUpdate(describeRevisionTail(reader), [
      { ref: catalogRef, body: serializeObjectBody(catalog) },
      { ref: added, body: serializeObjectBody(new PdfDict([['Note', PdfString.text('新增')]])) },
    ]);
    const updated = Buffer.concat([original, update.bytes]);
    expect(updated.subarray(0, original.length).equals(original)).toBe(true); // earlier bytes untouched
    const after = new PdfReader(updated);
    expect((after.catalog().get('Lang') as PdfString).text()).toBe('zh-CN');
    expect(((after.dict(added)!.get('Note')) as PdfString).text()).toBe('新增');
    expect(after.pageRefs()).toHaveLength(3);
    expect(after.sections[0].kind).toBe(objectStreams ? 'stream' : 'table');
    expect(findRevisions(updated).revisions).toHaveLength(2);
    expect((await PDFDocument.load(updated)).getPageCount()).toBe(3);
  });
});

describe('unified social credit code', () => {
  it('computes and checks the GB 32100 check character', () => {
    expect(isValidCreditCode('91350100M000100Y43')).toBe(true); // a published example
    expect(isValidCreditCode('91350100M000100Y44')).toBe(false);
    expect(creditCodeCheckCharacter('91350100M000100Y4')).toBe('3');
  });
});
