// The PDF object model the incremental writer and the verifier need: enough to read the
// trailer, catalog, AcroForm and page tree of any PDF and write back the few objects a
// signature changes. Strings keep their source bytes, so an object read and written back
// says exactly what it said before.

export class PdfName {
  constructor(readonly value: string) {}
}

export class PdfString {
  /** `raw` is the text between the delimiters, exactly as in the file. */
  constructor(readonly raw: Buffer, readonly hex: boolean) {}

  /** A text string as PDF wants it for any script: UTF-16BE with a byte-order mark, hex-encoded. */
  static text(value: string): PdfString {
    if (/^[\x20-\x7e]*$/.test(value)) return new PdfString(Buffer.from(value.replace(/[\\()]/g, (c) => `\\${c}`), 'latin1'), false);
    const utf16 = Buffer.from(value, 'utf16le').swap16();
    return new PdfString(Buffer.from(`FEFF${utf16.toString('hex').toUpperCase()}`, 'latin1'), true);
  }

  bytes(): Buffer {
    return this.hex ? decodeHexString(this.raw) : decodeLiteralString(this.raw);
  }

  /** Decodes a PDF text string (UTF-16BE with BOM, or PDFDocEncoding read as Latin-1). */
  text(): string {
    const bytes = this.bytes();
    if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
    return bytes.toString('latin1');
  }
}

export class PdfRef {
  constructor(readonly num: number, readonly gen: number) {}
  toString(): string {
    return `${this.num} ${this.gen} R`;
  }
}

/** Pre-formatted bytes written verbatim (placeholders whose width must not change). */
export class PdfRaw {
  constructor(readonly text: string) {}
}

export class PdfDict {
  readonly entries: Map<string, PdfValue>;
  constructor(entries?: Iterable<[string, PdfValue]>) {
    this.entries = new Map(entries);
  }
  get(key: string): PdfValue | undefined {
    return this.entries.get(key);
  }
  set(key: string, value: PdfValue): this {
    this.entries.set(key, value);
    return this;
  }
  name(key: string): string | undefined {
    const value = this.entries.get(key);
    return value instanceof PdfName ? value.value : undefined;
  }
  number(key: string): number | undefined {
    const value = this.entries.get(key);
    return typeof value === 'number' ? value : undefined;
  }
  clone(): PdfDict {
    return new PdfDict(this.entries);
  }
}

export class PdfStream {
  /** `data` is the stream's bytes as stored (still encoded by its filters). */
  constructor(readonly dict: PdfDict, readonly data: Buffer) {}
}

export type PdfValue = null | boolean | number | PdfName | PdfString | PdfRef | PdfRaw | PdfDict | PdfStream | PdfValue[];

// ---------------------------------------------------------------------------- parsing

const WHITESPACE = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const DELIMITERS = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);

export const isWhitespace = (byte: number): boolean => WHITESPACE.has(byte);

/** Arrays and dictionaries nested deeper than this are refused (the parser recurses on them). */
export const MAX_NESTING = 128;

export class PdfParseError extends Error {
  constructor(message: string, readonly at: number) {
    super(`${message} at byte ${at}`);
  }
}

/** A cursor over PDF bytes that reads one object at a time. */
export class PdfLexer {
  private depth = 0;
  constructor(readonly bytes: Buffer, public at = 0) {}

  private enter(): void {
    if (++this.depth > MAX_NESTING) throw new PdfParseError(`arrays and dictionaries nested more than ${MAX_NESTING} deep`, this.at);
  }

  skipWhitespace(): void {
    const { bytes } = this;
    while (this.at < bytes.length) {
      const byte = bytes[this.at];
      if (WHITESPACE.has(byte)) this.at++;
      else if (byte === 0x25) {
        // comment to end of line
        while (this.at < bytes.length && bytes[this.at] !== 0x0a && bytes[this.at] !== 0x0d) this.at++;
      } else break;
    }
  }

  /** Reads a bare keyword or number token (no delimiters). */
  token(): string {
    this.skipWhitespace();
    const start = this.at;
    while (this.at < this.bytes.length && !WHITESPACE.has(this.bytes[this.at]) && !DELIMITERS.has(this.bytes[this.at])) this.at++;
    return this.bytes.toString('latin1', start, this.at);
  }

  peekToken(): string {
    const saved = this.at;
    const token = this.token();
    this.at = saved;
    return token;
  }

  expect(keyword: string): void {
    const token = this.token();
    if (token !== keyword) throw new PdfParseError(`expected "${keyword}", found "${token}"`, this.at);
  }

  value(): PdfValue {
    this.skipWhitespace();
    const { bytes } = this;
    const byte = bytes[this.at];
    if (byte === undefined) throw new PdfParseError('unexpected end of data', this.at);
    if (byte === 0x2f) return this.name();
    if (byte === 0x28) return this.literalString();
    if (byte === 0x3c) {
      if (bytes[this.at + 1] === 0x3c) return this.dict();
      return this.hexString();
    }
    if (byte === 0x5b) {
      this.at++;
      this.enter();
      const items: PdfValue[] = [];
      for (;;) {
        this.skipWhitespace();
        if (bytes[this.at] === 0x5d) {
          this.at++;
          this.depth--;
          return items;
        }
        if (this.at >= bytes.length) throw new PdfParseError('unterminated array', this.at);
        items.push(this.value());
      }
    }
    const token = this.token();
    if (token === 'true') return true;
    if (token === 'false') return false;
    if (token === 'null') return null;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(token)) throw new PdfParseError(`unexpected token "${token}"`, this.at);
    const number = Number(token);
    // "n g R" is a reference: look ahead for two more tokens without consuming them otherwise.
    if (/^\d+$/.test(token)) {
      const saved = this.at;
      const gen = this.token();
      if (/^\d+$/.test(gen) && this.token() === 'R') return new PdfRef(number, Number(gen));
      this.at = saved;
    }
    return number;
  }

  private name(): PdfName {
    this.at++; // '/'
    const start = this.at;
    while (this.at < this.bytes.length && !WHITESPACE.has(this.bytes[this.at]) && !DELIMITERS.has(this.bytes[this.at])) this.at++;
    return new PdfName(this.bytes.toString('latin1', start, this.at));
  }

  private literalString(): PdfString {
    const start = ++this.at;
    let depth = 1;
    while (this.at < this.bytes.length) {
      const byte = this.bytes[this.at];
      if (byte === 0x5c) this.at += 2;
      else {
        if (byte === 0x28) depth++;
        else if (byte === 0x29 && --depth === 0) break;
        this.at++;
      }
    }
    if (depth !== 0) throw new PdfParseError('unterminated string', start);
    const raw = this.bytes.subarray(start, this.at);
    this.at++;
    return new PdfString(Buffer.from(raw), false);
  }

  private hexString(): PdfString {
    const start = ++this.at;
    const end = this.bytes.indexOf(0x3e, start);
    if (end < 0) throw new PdfParseError('unterminated hex string', start);
    this.at = end + 1;
    return new PdfString(Buffer.from(this.bytes.subarray(start, end)), true);
  }

  private dict(): PdfDict {
    this.at += 2;
    this.enter();
    const dict = new PdfDict();
    for (;;) {
      this.skipWhitespace();
      if (this.bytes[this.at] === 0x3e && this.bytes[this.at + 1] === 0x3e) {
        this.at += 2;
        this.depth--;
        return dict;
      }
      if (this.at >= this.bytes.length) throw new PdfParseError('unterminated dictionary', this.at);
      const key = this.value();
      if (!(key instanceof PdfName)) throw new PdfParseError('dictionary key is not a name', this.at);
      dict.set(key.value, this.value());
    }
  }
}

export interface IndirectObject {
  num: number;
  gen: number;
  value: PdfValue;
  /** Byte offsets of the object in the file ("n g obj" … "endobj"). */
  start: number;
  end: number;
}

/**
 * Parses "n g obj … endobj" at `offset`. A stream's /Length may be an indirect
 * reference; `resolveLength` answers it (the caller owns the cross-reference table).
 */
export function parseIndirectObject(bytes: Buffer, offset: number, resolveLength?: (ref: PdfRef) => number | undefined): IndirectObject {
  const lexer = new PdfLexer(bytes, offset);
  const num = Number(lexer.token());
  const gen = Number(lexer.token());
  lexer.expect('obj');
  if (!Number.isInteger(num) || !Number.isInteger(gen)) throw new PdfParseError('not an indirect object', offset);
  let value = lexer.value();
  if (value instanceof PdfDict && lexer.peekToken() === 'stream') {
    lexer.token();
    // "stream" is followed by CRLF or LF, then the data.
    if (bytes[lexer.at] === 0x0d) lexer.at++;
    if (bytes[lexer.at] === 0x0a) lexer.at++;
    const dataStart = lexer.at;
    const lengthValue = value.get('Length');
    let length = typeof lengthValue === 'number' ? lengthValue : lengthValue instanceof PdfRef ? resolveLength?.(lengthValue) : undefined;
    const endstreamAt = length !== undefined ? dataStart + length : -1;
    if (length === undefined || bytes.toString('latin1', skipWs(bytes, endstreamAt), skipWs(bytes, endstreamAt) + 9) !== 'endstream') {
      // Missing or wrong /Length: fall back to the keyword, trimming the EOL before it.
      let end = bytes.indexOf('endstream', dataStart, 'latin1');
      if (end < 0) throw new PdfParseError('unterminated stream', dataStart);
      if (bytes[end - 1] === 0x0a) end--;
      if (bytes[end - 1] === 0x0d) end--;
      length = end - dataStart;
    }
    value = new PdfStream(value, Buffer.from(bytes.subarray(dataStart, dataStart + length)));
    lexer.at = dataStart + length;
    lexer.expect('endstream');
  }
  lexer.expect('endobj');
  return { num, gen, value, start: offset, end: lexer.at };
}

function skipWs(bytes: Buffer, at: number): number {
  while (at >= 0 && at < bytes.length && WHITESPACE.has(bytes[at])) at++;
  return at;
}

export function decodeHexString(raw: Buffer): Buffer {
  const hex = raw.toString('latin1').replace(/[^0-9a-fA-F]/g, '');
  return Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex');
}

export function decodeLiteralString(raw: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i];
    if (byte !== 0x5c) {
      out.push(byte);
      continue;
    }
    const next = raw[++i];
    const simple: Record<number, number> = { 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x62: 0x08, 0x66: 0x0c, 0x28: 0x28, 0x29: 0x29, 0x5c: 0x5c };
    if (next in simple) out.push(simple[next]);
    else if (next >= 0x30 && next <= 0x37) {
      let octal = next - 0x30;
      for (let k = 0; k < 2 && raw[i + 1] >= 0x30 && raw[i + 1] <= 0x37; k++) octal = octal * 8 + (raw[++i] - 0x30);
      out.push(octal & 0xff);
    } else if (next === 0x0d) {
      if (raw[i + 1] === 0x0a) i++;
    } else if (next !== 0x0a && next !== undefined) out.push(next);
  }
  return Buffer.from(out);
}

// ---------------------------------------------------------------------------- writing

export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return value.toFixed(4).replace(/\.?0+$/, '');
}

export function serialize(value: PdfValue): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return formatNumber(value);
  if (value instanceof PdfName) return `/${value.value}`;
  if (value instanceof PdfString) return value.hex ? `<${value.raw.toString('latin1')}>` : `(${value.raw.toString('latin1')})`;
  if (value instanceof PdfRef) return value.toString();
  if (value instanceof PdfRaw) return value.text;
  if (Array.isArray(value)) return `[${value.map(serialize).join(' ')}]`;
  if (value instanceof PdfDict) {
    let out = '<<';
    for (const [key, entry] of value.entries) out += `/${key} ${serialize(entry)}`;
    return `${out}>>`;
  }
  throw new Error('a stream cannot be serialized inline');
}

/** The bytes of an indirect object's body (between "obj" and "endobj"). */
export function serializeObjectBody(value: PdfValue): Buffer {
  if (value instanceof PdfStream) {
    const dict = value.dict.clone().set('Length', value.data.length);
    return Buffer.concat([Buffer.from(`${serialize(dict)}\nstream\n`, 'latin1'), value.data, Buffer.from('\nendstream', 'latin1')]);
  }
  return Buffer.from(serialize(value), 'latin1');
}
