// Reads a PDF's cross-reference sections (classic tables, xref streams and hybrids) and
// resolves objects, including those packed in object streams. Only what is asked for is
// parsed, which keeps signing a 3-page contract far below a millisecond. The file steers
// every loop here, so each one is bounded by PdfLimits and every walk keeps a visited set.
import { inflateSync } from 'node:zlib';
import { DEFAULT_PDF_LIMITS, PdfLimitError, type PdfLimits } from './limits';
import { PdfDict, PdfParseError, PdfRef, PdfStream, PdfLexer, parseIndirectObject, type PdfValue } from './objects';

export type XrefEntry =
  | { type: 'free' }
  | { type: 'offset'; offset: number; gen: number }
  | { type: 'compressed'; stream: number; index: number };

export interface XrefSection {
  /** Offset of "xref" or of the xref stream object (what startxref / Prev point at). */
  offset: number;
  kind: 'table' | 'stream';
  entries: Map<number, XrefEntry>;
  trailer: PdfDict;
}

export function findLastStartXref(bytes: Buffer): number {
  const at = bytes.lastIndexOf('startxref', bytes.length, 'latin1');
  if (at < 0) throw new PdfParseError('no startxref', bytes.length);
  const lexer = new PdfLexer(bytes, at + 9);
  const offset = Number(lexer.token());
  if (!Number.isInteger(offset)) throw new PdfParseError('startxref is not a number', at);
  return offset;
}

/** Counts inflated bytes against the per-stream and per-file caps. */
export class InflateBudget {
  private used = 0;
  constructor(readonly limits: Pick<PdfLimits, 'maxInflatedStreamBytes' | 'maxInflatedTotalBytes'> = DEFAULT_PDF_LIMITS) {}

  /** The most the next stream may inflate to. */
  get nextStreamCap(): number {
    return Math.max(0, Math.min(this.limits.maxInflatedStreamBytes, this.limits.maxInflatedTotalBytes - this.used));
  }

  spend(bytes: number): void {
    this.used += bytes;
  }
}

export function readXrefSection(bytes: Buffer, offset: number, limits: PdfLimits = DEFAULT_PDF_LIMITS, budget = new InflateBudget(limits)): XrefSection {
  if (!Number.isInteger(offset) || offset < 0 || offset >= bytes.length) throw new PdfParseError('a cross-reference offset points outside the file', offset);
  const lexer = new PdfLexer(bytes, offset);
  if (lexer.peekToken() === 'xref') return readXrefTable(bytes, offset, limits, budget);
  return readXrefStream(bytes, offset, limits, budget);
}

function readXrefTable(bytes: Buffer, offset: number, limits: PdfLimits, budget: InflateBudget): XrefSection {
  const lexer = new PdfLexer(bytes, offset);
  lexer.expect('xref');
  const entries = new Map<number, XrefEntry>();
  let listed = 0;
  for (;;) {
    const token = lexer.token();
    if (token === 'trailer') break;
    if (token === '') throw new PdfParseError('the xref table has no trailer', lexer.at);
    const first = Number(token);
    const count = Number(lexer.token());
    if (!Number.isInteger(first) || !Number.isInteger(count) || first < 0 || count < 0) throw new PdfParseError('bad xref subsection header', lexer.at);
    listed += count;
    if (listed > limits.maxObjects) throw new PdfLimitError('maxObjects', `a cross-reference table lists more than ${limits.maxObjects} objects`);
    // Each entry is 20 bytes: a count beyond the bytes left is a lie, not a reason to loop.
    if (count * 18 > bytes.length - lexer.at) throw new PdfParseError('an xref subsection is longer than the file', lexer.at);
    for (let i = 0; i < count; i++) {
      const entryOffset = Number(lexer.token());
      const gen = Number(lexer.token());
      const kind = lexer.token();
      if (!entries.has(first + i)) entries.set(first + i, kind === 'n' ? { type: 'offset', offset: entryOffset, gen } : { type: 'free' });
    }
  }
  const trailer = lexer.value();
  if (!(trailer instanceof PdfDict)) throw new PdfParseError('trailer is not a dictionary', lexer.at);
  const section: XrefSection = { offset, kind: 'table', entries, trailer };
  // Hybrid files: objects in object streams are listed in a second, stream section.
  const xrefStm = trailer.number('XRefStm');
  if (xrefStm !== undefined && xrefStm !== offset) {
    if (!Number.isInteger(xrefStm) || xrefStm < 0 || xrefStm >= bytes.length) throw new PdfParseError('/XRefStm points outside the file', offset);
    for (const [num, entry] of readXrefStream(bytes, xrefStm, limits, budget).entries) if (!entries.has(num)) entries.set(num, entry);
  }
  return section;
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;

function readXrefStream(bytes: Buffer, offset: number, limits: PdfLimits, budget: InflateBudget): XrefSection {
  const object = parseIndirectObject(bytes, offset);
  if (!(object.value instanceof PdfStream) || object.value.dict.name('Type') !== 'XRef') throw new PdfParseError('startxref points at neither an xref table nor an xref stream', offset);
  const { dict } = object.value;
  const w = dict.get('W');
  if (!Array.isArray(w) || w.length !== 3 || !w.every((n) => isCount(n) && n <= 8)) throw new PdfParseError('the xref stream has no usable /W', offset);
  const widths = w as number[];
  const size = dict.number('Size') ?? 0;
  const index = dict.get('Index') ?? [0, size];
  if (!Array.isArray(index) || index.length % 2 !== 0 || !index.every(isCount)) throw new PdfParseError('the xref stream has no usable /Index', offset);
  const rows = (index as number[]).reduce((sum, n, i) => (i % 2 ? sum + n : sum), 0);
  if (rows > limits.maxObjects) throw new PdfLimitError('maxObjects', `a cross-reference stream lists more than ${limits.maxObjects} objects`);
  const data = decodeStream(object.value, budget);
  const rowLength = widths[0] + widths[1] + widths[2];
  if (rows * rowLength > data.length) throw new PdfParseError('the xref stream is shorter than its /Index says', offset);
  const entries = new Map<number, XrefEntry>();
  let row = 0;
  for (let i = 0; i < index.length; i += 2) {
    for (let k = 0; k < index[i + 1]; k++, row++) {
      const base = row * rowLength;
      const field = (n: number, start: number, fallback: number): number => {
        if (widths[n] === 0) return fallback;
        let value = 0;
        for (let b = 0; b < widths[n]; b++) value = value * 256 + data[base + start + b];
        return value;
      };
      const type = field(0, 0, 1);
      const second = field(1, widths[0], 0);
      const third = field(2, widths[0] + widths[1], 0);
      const num = index[i] + k;
      entries.set(num, type === 0 ? { type: 'free' } : type === 1 ? { type: 'offset', offset: second, gen: third } : { type: 'compressed', stream: second, index: third });
    }
  }
  return { offset, kind: 'stream', entries, trailer: dict };
}

/**
 * Decodes FlateDecode (with PNG predictors) — the only filter xref and object streams use in
 * practice. zlib stops at the budget's cap (a few KB of deflate can claim gigabytes).
 */
export function decodeStream(stream: PdfStream, budget = new InflateBudget()): Buffer {
  const filter = stream.dict.get('Filter');
  const filters = filter === undefined ? [] : Array.isArray(filter) ? filter : [filter];
  if (filters.length > 4) throw new PdfParseError('more than four stream filters', 0);
  let data = stream.data;
  for (const name of filters) {
    const value = (name as { value?: string }).value;
    if (value !== 'FlateDecode') throw new PdfParseError(`unsupported stream filter ${value}`, 0);
    const cap = budget.nextStreamCap;
    try {
      data = inflateSync(data, { maxOutputLength: Math.max(1, cap) });
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new PdfLimitError('maxInflatedBytes', `a compressed stream inflates to more than ${cap} bytes`);
      }
      throw new PdfParseError(`a compressed stream cannot be inflated: ${(error as Error).message}`, 0);
    }
    budget.spend(data.length);
  }
  const params = stream.dict.get('DecodeParms');
  const parms = Array.isArray(params) ? params[0] : params;
  if (parms instanceof PdfDict && (parms.number('Predictor') ?? 1) >= 10) {
    const columns = parms.number('Columns') ?? 1;
    if (!Number.isInteger(columns) || columns < 1 || columns > 1 << 16) throw new PdfParseError('bad predictor /Columns', 0);
    data = undoPngPredictor(data, columns);
  }
  return data;
}

function undoPngPredictor(data: Buffer, columns: number): Buffer {
  const rowLength = columns + 1;
  const rows = Math.floor(data.length / rowLength);
  const out = Buffer.alloc(rows * columns);
  for (let r = 0; r < rows; r++) {
    const filterType = data[r * rowLength];
    for (let c = 0; c < columns; c++) {
      const raw = data[r * rowLength + 1 + c];
      const left = c > 0 ? out[r * columns + c - 1] : 0;
      const up = r > 0 ? out[(r - 1) * columns + c] : 0;
      const upLeft = r > 0 && c > 0 ? out[(r - 1) * columns + c - 1] : 0;
      let value = raw;
      if (filterType === 1) value = raw + left;
      else if (filterType === 2) value = raw + up;
      else if (filterType === 3) value = raw + Math.floor((left + up) / 2);
      else if (filterType === 4) {
        const p = left + up - upLeft;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - upLeft);
        value = raw + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
      }
      out[r * columns + c] = value & 0xff;
    }
  }
  return out;
}

/**
 * A read-only view of one revision of a PDF: the cross-reference chain reachable from a
 * given startxref, and lazy object lookup through it.
 */
export class PdfReader {
  readonly sections: XrefSection[] = [];
  readonly entries = new Map<number, XrefEntry>();
  private readonly cache = new Map<number, PdfValue>();
  private readonly objectStreams = new Map<number, { offsets: Map<number, number>; data: Buffer; first: number } | null>();
  /** Objects being read right now: a stream /Length or object stream that leads back to itself is a cycle. */
  private readonly reading = new Set<number>();
  private readonly budget: InflateBudget;

  constructor(readonly bytes: Buffer, readonly startXref = findLastStartXref(bytes), readonly limits: PdfLimits = DEFAULT_PDF_LIMITS) {
    this.budget = new InflateBudget(limits);
    const seen = new Set<number>();
    for (let offset: number | undefined = startXref; offset !== undefined && !seen.has(offset); ) {
      seen.add(offset);
      if (this.sections.length >= limits.maxXrefSections) throw new PdfLimitError('maxXrefSections', `the file has more than ${limits.maxXrefSections} cross-reference sections (revisions)`);
      const section = readXrefSection(bytes, offset, limits, this.budget);
      this.sections.push(section);
      for (const [num, entry] of section.entries) if (!this.entries.has(num)) this.entries.set(num, entry);
      offset = section.trailer.number('Prev');
    }
  }

  /** The newest trailer (its /Root, /Info, /ID, /Size apply to the whole file). */
  get trailer(): PdfDict {
    return this.sections[0].trailer;
  }

  get size(): number {
    let size = 0;
    for (const section of this.sections) size = Math.max(size, section.trailer.number('Size') ?? 0);
    for (const num of this.entries.keys()) size = Math.max(size, num + 1);
    return size;
  }

  /** Follows a reference (or returns the value itself when it is not one). */
  resolve(value: PdfValue | undefined): PdfValue | undefined {
    return value instanceof PdfRef ? this.object(value.num) : value;
  }

  dict(value: PdfValue | undefined): PdfDict | undefined {
    const resolved = this.resolve(value);
    if (resolved instanceof PdfDict) return resolved;
    if (resolved instanceof PdfStream) return resolved.dict;
    return undefined;
  }

  object(num: number): PdfValue | undefined {
    if (this.cache.has(num)) return this.cache.get(num);
    if (this.reading.has(num)) return undefined;
    const entry = this.entries.get(num);
    let value: PdfValue | undefined;
    this.reading.add(num);
    try {
      if (entry?.type === 'offset') {
        if (entry.offset < 0 || entry.offset >= this.bytes.length) return undefined;
        value = parseIndirectObject(this.bytes, entry.offset, (ref) => {
          const length = this.object(ref.num);
          return typeof length === 'number' ? length : undefined;
        }).value;
      } else if (entry?.type === 'compressed') {
        value = this.fromObjectStream(entry.stream, num);
      }
    } finally {
      this.reading.delete(num);
    }
    if (value !== undefined) this.cache.set(num, value);
    return value;
  }

  private fromObjectStream(streamNum: number, num: number): PdfValue | undefined {
    let objectStream = this.objectStreams.get(streamNum);
    if (objectStream === undefined) {
      objectStream = null; // also marks it as being read: an object stream inside itself ends here
      this.objectStreams.set(streamNum, null);
      const stream = this.object(streamNum);
      if (stream instanceof PdfStream) {
        const data = decodeStream(stream, this.budget);
        const count = stream.dict.number('N') ?? 0;
        if (!isCount(count) || count * 4 > data.length) throw new PdfParseError(`object stream ${streamNum} claims more objects than it holds`, 0);
        const lexer = new PdfLexer(data, 0);
        const offsets = new Map<number, number>();
        for (let i = 0; i < count; i++) {
          const objNum = Number(lexer.token());
          offsets.set(objNum, Number(lexer.token()));
        }
        objectStream = { offsets, data, first: stream.dict.number('First') ?? 0 };
        this.objectStreams.set(streamNum, objectStream);
      }
    }
    const offset = objectStream?.offsets.get(num);
    if (!objectStream || offset === undefined || !Number.isInteger(objectStream.first + offset) || objectStream.first + offset >= objectStream.data.length) return undefined;
    return new PdfLexer(objectStream.data, objectStream.first + offset).value();
  }

  catalog(): PdfDict {
    const root = this.dict(this.trailer.get('Root'));
    if (!root) throw new PdfParseError('the trailer has no /Root catalog', this.startXref);
    return root;
  }

  /**
   * References of all pages in order (walks the page tree; inherited attributes are not
   * needed here). A node met twice (a /Kids cycle, or a subtree listed twice) is read once.
   */
  pageRefs(): PdfRef[] {
    const pages: PdfRef[] = [];
    const visited = new Set<number>();
    const visit = (ref: PdfValue | undefined, depth: number): void => {
      if (!(ref instanceof PdfRef) || depth > 64 || visited.has(ref.num)) return;
      visited.add(ref.num);
      if (visited.size > this.limits.maxObjects) throw new PdfLimitError('maxObjects', `the page tree has more than ${this.limits.maxObjects} nodes`);
      const node = this.dict(ref);
      if (!node) return;
      if (node.name('Type') === 'Pages' || node.get('Kids') !== undefined) {
        const kids = this.resolve(node.get('Kids'));
        if (Array.isArray(kids)) for (const kid of kids) visit(kid, depth + 1);
      } else pages.push(ref);
    };
    visit(this.catalog().get('Pages'), 0);
    return pages;
  }
}
