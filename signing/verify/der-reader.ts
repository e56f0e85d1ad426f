// A bounds-checked reader over BER/DER for the few structures the verifier walks on every
// call (CMS SignedData, SignerInfo, attributes, TSTInfo). Walking the bytes in place costs
// microseconds where building an ASN.1 object model (pkijs) cost milliseconds per
// signature. It is separate from signing/der.ts, the writer: a bug in one is not mirrored
// in the other. Certificates themselves are still parsed by node:crypto and pkijs, once
// per distinct certificate (certificates.ts caches them).

export class DerError extends Error {
  constructor(message: string) {
    super(`malformed ASN.1: ${message}`);
    this.name = 'DerError';
  }
}

export interface DerNode {
  bytes: Uint8Array;
  /** The identifier octet (tags above 30 are not used by the structures read here). */
  tag: number;
  start: number;
  contentStart: number;
  /** End of the contents (excluding an indefinite form's end-of-contents octets). */
  contentEnd: number;
  /** End of the whole element. */
  end: number;
}

const MAX_DEPTH = 64;

/** Reads the element at `at`, which must end by `limit`. */
export function readNode(bytes: Uint8Array, at: number, limit = bytes.length, depth = 0): DerNode {
  if (depth > MAX_DEPTH) throw new DerError('nested too deep');
  if (at + 2 > limit) throw new DerError('element runs past its container');
  const tag = bytes[at];
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tags are not supported');
  const first = bytes[at + 1];
  let contentStart = at + 2;
  if (first === 0x80) {
    // BER indefinite length (some signers' outer ContentInfo): children up to 00 00.
    if (!(tag & 0x20)) throw new DerError('indefinite length on a primitive element');
    let cursor = contentStart;
    for (;;) {
      if (cursor + 2 > limit) throw new DerError('indefinite length without end-of-contents');
      if (bytes[cursor] === 0 && bytes[cursor + 1] === 0) return { bytes, tag, start: at, contentStart, contentEnd: cursor, end: cursor + 2 };
      cursor = readNode(bytes, cursor, limit, depth + 1).end;
    }
  }
  let length = first;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count > 4 || contentStart + count > limit) throw new DerError('bad length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[contentStart + i];
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > limit) throw new DerError('element runs past its container');
  return { bytes, tag, start: at, contentStart, contentEnd: end, end };
}

export const content = (node: DerNode): Uint8Array => node.bytes.subarray(node.contentStart, node.contentEnd);
/** The element's encoding as it stands in the input (tag, length and contents). */
export const encoded = (node: DerNode): Uint8Array => node.bytes.subarray(node.start, node.end);

/** The elements inside a constructed element. */
export function children(node: DerNode): DerNode[] {
  if (!(node.tag & 0x20)) throw new DerError(`tag 0x${node.tag.toString(16)} is not constructed`);
  const out: DerNode[] = [];
  for (let at = node.contentStart; at < node.contentEnd; ) {
    const child = readNode(node.bytes, at, node.contentEnd);
    out.push(child);
    at = child.end;
  }
  return out;
}

export function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (!node || node.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found ${node ? `0x${node.tag.toString(16)}` : 'nothing'}`);
  return node;
}

export function oidText(node: DerNode): string {
  expectTag(node, 0x06, 'object identifier');
  const bytes = content(node);
  if (bytes.length === 0) throw new DerError('empty object identifier');
  const parts: number[] = [];
  let value = 0;
  for (const byte of bytes) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

/** OCTET STRING contents; a BER constructed one is joined from its pieces. */
export function octets(node: DerNode): Uint8Array {
  if (node.tag === 0x04) return content(node);
  if (node.tag === 0x24) return Buffer.concat(children(node).map(octets));
  throw new DerError(`expected an OCTET STRING, found tag 0x${node.tag.toString(16)}`);
}

/** UTCTime or GeneralizedTime (with optional fractions; Z or an offset). */
export function timeValue(node: DerNode): Date {
  const text = Buffer.from(content(node)).toString('latin1');
  const match = node.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(Z|[+-]\d{4})$/.exec(text) : node.tag === 0x18 ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,](\d+))?(Z|[+-]\d{4})?$/.exec(text) : null;
  if (!match) throw new DerError(`not a time: ${text.slice(0, 32)}`);
  let year = Number(match[1]);
  if (node.tag === 0x17) year += year < 50 ? 2000 : 1900;
  const fraction = node.tag === 0x18 && match[7] ? Number(`0.${match[7]}`) * 1000 : 0;
  const zone = node.tag === 0x17 ? match[7] : match[8];
  let utc = Date.UTC(year, Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5] ?? 0), Number(match[6] ?? 0)) + Math.round(fraction);
  if (zone && zone !== 'Z') utc -= (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60_000;
  return new Date(utc);
}
