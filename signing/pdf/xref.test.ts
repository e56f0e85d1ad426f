// The reader against files that steer its loops: cycles end, counts that lie are refused,
// inflates stop at their cap — each in milliseconds, with an error a caller can name.
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PdfLimitError } from './limits';
import { PdfLexer, PdfParseError, PdfStream, PdfDict, PdfName, PdfRef } from './objects';
import { decodeStream, InflateBudget, PdfReader } from './xref';

/** A classic PDF from object bodies (numbered 1…n) and extra trailer entries. */
function pdf(bodies: (string | Buffer)[], trailer = '', options: { prev?: (xrefAt: number) => number } = {}): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n')];
  let at = parts[0].length;
  const offsets: number[] = [];
  bodies.forEach((body, i) => {
    offsets.push(at);
    const bytes = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'), Buffer.from('\nendobj\n')]);
    parts.push(bytes);
    at += bytes.length;
  });
  const rows = offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  const prev = options.prev ? ` /Prev ${options.prev(at)}` : '';
  parts.push(Buffer.from(`xref\n0 ${bodies.length + 1}\n0000000000 65535 f \n${rows}trailer\n<< /Size ${bodies.length + 1} /Root 1 0 R${trailer}${prev} >>\nstartxref\n${at}\n%%EOF\n`));
  return Buffer.concat(parts);
}

const timed = <T>(run: () => T): { value: T; ms: number } => {
  const started = performance.now();
  const value = run();
  return { value, ms: performance.now() - started };
};

describe('PdfReader on hostile files', () => {
  it('lists each page once when /Kids lead back to their /Parent', () => {
    const bytes = pdf([
      '<< /Type /Catalog /Pages 2 0 R >>',
      `<< /Type /Pages /Kids [3 0 R 2 0 R ${'4 0 R 2 0 R '.repeat(10)}] /Count 2 >>`,
      `<< /Type /Pages /Parent 2 0 R /Kids [${'2 0 R 3 0 R 5 0 R '.repeat(10)}] >>`,
      '<< /Type /Page /Parent 2 0 R >>',
      '<< /Type /Page /Parent 3 0 R >>',
    ]);
    const { value, ms } = timed(() => new PdfReader(bytes).pageRefs().map((ref) => ref.num));
    expect(value).toEqual([5, 4]);
    expect(ms).toBeLessThan(100);
  });

  it('reads a stream whose /Length refers to the stream itself', () => {
    const bytes = pdf(['<< /Type /Catalog >>', '<< /Length 2 0 R >>\nstream\nhello\nendstream']);
    const stream = new PdfReader(bytes).object(2);
    expect(stream).toBeInstanceOf(PdfStream);
    expect((stream as PdfStream).data.toString()).toBe('hello');
  });

  it('gives up on an object stream that is said to lie inside itself', () => {
    // Object 2 is listed (by an xref stream) as object 0 of object stream 2.
    const head = Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n');
    const row = (type: number, second: number, third: number) => Buffer.from([type, (second >> 8) & 0xff, second & 0xff, third]);
    const rows = deflateSync(Buffer.concat([row(0, 0, 255), row(1, 9, 0), row(2, 2, 0), row(1, head.length, 0)]));
    const xref = Buffer.concat([Buffer.from(`3 0 obj\n<< /Type /XRef /Size 4 /W [1 2 1] /Root 1 0 R /Filter /FlateDecode /Length ${rows.length} >>\nstream\n`), rows, Buffer.from('\nendstream\nendobj\n')]);
    const bytes = Buffer.concat([head, xref, Buffer.from(`startxref\n${head.length}\n%%EOF\n`)]);
    const reader = new PdfReader(bytes);
    expect(reader.object(2)).toBeUndefined();
    expect(reader.catalog().name('Type')).toBe('Catalog');
  });

  it('follows a /Prev chain that loops back only once around', () => {
    const bytes = pdf(['<< /Type /Catalog >>'], '', { prev: (xrefAt) => xrefAt });
    expect(new PdfReader(bytes).sections).toHaveLength(1);
  });

  it('refuses more cross-reference sections than its limit', () => {
    let bytes = pdf(['<< /Type /Catalog >>']);
    for (let i = 0; i < 20; i++) {
      const prev = Number(bytes.toString('latin1', bytes.lastIndexOf('startxref') + 9).trim().split(/\s/)[0]);
      bytes = Buffer.concat([bytes, Buffer.from(`xref\n0 0\ntrailer\n<< /Size 2 /Root 1 0 R /Prev ${prev} >>\nstartxref\n${bytes.length}\n%%EOF\n`)]);
    }
    expect(new PdfReader(bytes).sections).toHaveLength(21);
    expect(() => new PdfReader(bytes, undefined, { ...new PdfReader(bytes).limits, maxXrefSections: 10 })).toThrow(PdfLimitError);
  });

  it('refuses an xref table that claims a billion entries, at once', () => {
    const bytes = Buffer.from('%PDF-1.7\nxref\n0 1000000000\n0000000000 65535 f \ntrailer\n<< /Size 1 >>\nstartxref\n9\n%%EOF\n');
    const { ms } = timed(() => expect(() => new PdfReader(bytes)).toThrow(/objects|longer than the file/));
    expect(ms).toBeLessThan(100);
  });

  it('refuses an xref stream whose /Index claims more objects than the limit', () => {
    const rows = deflateSync(Buffer.alloc(16));
    const bytes = Buffer.concat([Buffer.from(`%PDF-1.7\n1 0 obj\n<< /Type /XRef /Size 4 /W [1 2 1] /Index [0 2000000000] /Filter /FlateDecode /Length ${rows.length} >>\nstream\n`), rows, Buffer.from('\nendstream\nendobj\nstartxref\n9\n%%EOF\n')]);
    expect(() => new PdfReader(bytes)).toThrow(PdfLimitError);
  });

  it('stops inflating at the cap, for one stream and for all of a file', () => {
    const bomb = deflateSync(Buffer.alloc(64 * 1024 * 1024));
    const stream = (data: Buffer) => new PdfStream(new PdfDict([['Filter', new PdfName('FlateDecode')]]), data);
    const { ms } = timed(() => expect(() => decodeStream(stream(bomb), new InflateBudget({ maxInflatedStreamBytes: 1 << 20, maxInflatedTotalBytes: 1 << 30 }))).toThrow(/inflates to more than 1048576 bytes/));
    expect(ms).toBeLessThan(500);
    const budget = new InflateBudget({ maxInflatedStreamBytes: 1 << 20, maxInflatedTotalBytes: 1 << 20 });
    const small = deflateSync(Buffer.alloc(600 * 1024));
    expect(decodeStream(stream(small), budget)).toHaveLength(600 * 1024);
    expect(() => decodeStream(stream(small), budget)).toThrow(PdfLimitError);
  });

  it('refuses arrays nested thousands deep with a parse error, not a stack overflow', () => {
    const lexer = new PdfLexer(Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`));
    expect(() => lexer.value()).toThrow(PdfParseError);
    expect(new PdfLexer(Buffer.from('[[[1 0 R]]]')).value()).toEqual([[[new PdfRef(1, 0)]]]);
  });
});
