// Writes an incremental update (ISO 32000-1 §7.5.6): new and replaced objects appended
// after the last %%EOF with a cross-reference section whose /Prev points at the previous
// one. The bytes of earlier revisions are never touched — that is what keeps earlier
// signatures valid. Pure: bytes in, bytes out.
import { PdfDict, PdfName, PdfRef, serialize, type PdfValue } from './objects';
import type { PdfReader } from './xref';

export interface RevisionTail {
  /** Length of the PDF the update is appended to. */
  length: number;
  endsWithEol: boolean;
  startXref: number;
  xrefKind: 'table' | 'stream';
  trailer: PdfDict;
  size: number;
}

export function describeRevisionTail(reader: PdfReader): RevisionTail {
  const { bytes } = reader;
  const last = bytes[bytes.length - 1];
  return {
    length: bytes.length,
    endsWithEol: last === 0x0a || last === 0x0d,
    startXref: reader.startXref,
    xrefKind: reader.sections[0].kind,
    trailer: reader.trailer,
    size: reader.size,
  };
}

export interface ObjectToWrite {
  ref: PdfRef;
  /** Object body bytes (see serializeObjectBody). */
  body: Buffer;
}

export interface IncrementalUpdate {
  /** The bytes to append to the previous revision. */
  bytes: Buffer;
  /** For each written object, the absolute file offset where its body starts. */
  bodyOffsets: Map<number, number>;
}

const TRAILER_KEYS_CARRIED = ['Root', 'Info', 'ID'] as const;

export function writeIncrementalUpdate(tail: RevisionTail, objects: readonly ObjectToWrite[]): IncrementalUpdate {
  if (tail.trailer.get('Encrypt') !== undefined) throw new Error('encrypted PDFs are not supported');
  const parts: Buffer[] = [];
  let position = tail.length;
  const push = (chunk: Buffer | string): void => {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
    parts.push(buffer);
    position += buffer.length;
  };
  if (!tail.endsWithEol) push('\n');

  const offsets = new Map<number, { offset: number; gen: number }>();
  const bodyOffsets = new Map<number, number>();
  for (const { ref, body } of objects) {
    offsets.set(ref.num, { offset: position, gen: ref.gen });
    push(`${ref.num} ${ref.gen} obj\n`);
    bodyOffsets.set(ref.num, position);
    push(body);
    push('\nendobj\n');
  }

  const trailer = new PdfDict();
  for (const key of TRAILER_KEYS_CARRIED) {
    const value = tail.trailer.get(key);
    if (value !== undefined) trailer.set(key, value);
  }
  trailer.set('Prev', tail.startXref);

  const xrefOffset = position;
  if (tail.xrefKind === 'table') {
    const size = Math.max(tail.size, ...objects.map((o) => o.ref.num + 1));
    trailer.set('Size', size);
    push(`xref\n${xrefTableBody(offsets)}trailer\n${serialize(reorder(trailer))}\n`);
  } else {
    // A file whose last section is an xref stream keeps using xref streams; the stream
    // lists itself, so it takes the next free object number.
    const xrefNum = Math.max(tail.size, ...objects.map((o) => o.ref.num + 1));
    offsets.set(xrefNum, { offset: xrefOffset, gen: 0 });
    const { data, index } = xrefStreamData(offsets);
    trailer.set('Size', xrefNum + 1).set('Type', new PdfName('XRef')).set('W', [1, 4, 2]).set('Index', index).set('Length', data.length);
    push(`${xrefNum} 0 obj\n${serialize(reorder(trailer))}\nstream\n`);
    push(data);
    push('\nendstream\nendobj\n');
  }
  push(`startxref\n${xrefOffset}\n%%EOF\n`);
  return { bytes: Buffer.concat(parts), bodyOffsets };
}

/** Classic xref subsections: one per run of consecutive object numbers, 20-byte entries. */
export function xrefTableBody(offsets: Map<number, { offset: number; gen: number }>): string {
  const nums = [...offsets.keys()].sort((a, b) => a - b);
  let out = '';
  for (let i = 0; i < nums.length; ) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === nums[j] + 1) j++;
    out += `${nums[i]} ${j - i + 1}\n`;
    for (let k = i; k <= j; k++) {
      const { offset, gen } = offsets.get(nums[k])!;
      out += `${String(offset).padStart(10, '0')} ${String(gen).padStart(5, '0')} n\r\n`;
    }
    i = j + 1;
  }
  return out;
}

function xrefStreamData(offsets: Map<number, { offset: number; gen: number }>): { data: Buffer; index: number[] } {
  const nums = [...offsets.keys()].sort((a, b) => a - b);
  const data = Buffer.alloc(nums.length * 7);
  const index: number[] = [];
  nums.forEach((num, row) => {
    const { offset, gen } = offsets.get(num)!;
    data[row * 7] = 1;
    data.writeUInt32BE(offset, row * 7 + 1);
    data.writeUInt16BE(gen, row * 7 + 5);
    if (row > 0 && nums[row - 1] === num - 1) index[index.length - 1]++;
    else index.push(num, 1);
  });
  return { data, index };
}


/** Puts /Type and /Size first, which makes updates easier to read in a text editor. */
function reorder(dict: PdfDict): PdfDict {
  const ordered = new PdfDict();
  for (const key of ['Type', 'Size']) if (dict.get(key) !== undefined) ordered.set(key, dict.get(key) as PdfValue);
  for (const [key, value] of dict.entries) if (!ordered.entries.has(key)) ordered.set(key, value);
  return ordered;
}
