// A minimal DER writer for the structures Sealflow emits on the signing hot path
// (CMS SignedData, signed attributes, TSTInfo). Building them from precomputed byte
// pieces costs microseconds, where a round trip through an ASN.1 object model costs more
// than the RSA operation itself. Parsing (verification) uses pkijs/asn1js instead, so the
// verifier never shares this code with the signer.

export type Der = Uint8Array;

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return Uint8Array.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV with a single-byte tag (all tags Sealflow writes fit in one byte). */
export function tlv(tag: number, ...content: Der[]): Der {
  const bodyLength = content.reduce((sum, part) => sum + part.length, 0);
  const length = encodeLength(bodyLength);
  const out = new Uint8Array(1 + length.length + bodyLength);
  out[0] = tag;
  out.set(length, 1);
  let at = 1 + length.length;
  for (const part of content) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export const sequence = (...items: Der[]): Der => tlv(0x30, ...items);
/** SET OF in DER: elements sorted by their encodings (X.690 11.6). */
export const setOf = (...items: Der[]): Der => tlv(0x31, ...[...items].sort(compareBytes));
export const octetString = (bytes: Uint8Array): Der => tlv(0x04, bytes);
export const nullValue = (): Der => Uint8Array.of(0x05, 0x00);
export const bool = (value: boolean): Der => Uint8Array.of(0x01, 0x01, value ? 0xff : 0x00);
/** [n] EXPLICIT (constructed context tag). */
export const explicit = (n: number, ...content: Der[]): Der => tlv(0xa0 | n, ...content);
/** [n] IMPLICIT over a constructed type: the caller passes the inner content. */
export const implicitConstructed = (n: number, ...content: Der[]): Der => tlv(0xa0 | n, ...content);

export function oid(dotted: string): Der {
  const parts = dotted.split('.').map(Number);
  const bytes: number[] = [40 * parts[0] + parts[1]];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [part & 0x7f];
    for (let rest = Math.floor(part / 128); rest > 0; rest = Math.floor(rest / 128)) chunk.unshift((rest & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Uint8Array.from(bytes));
}

/** INTEGER from unsigned big-endian magnitude bytes (e.g. a certificate serial). */
export function unsignedInteger(magnitude: Uint8Array): Der {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  return trimmed[0] & 0x80 ? tlv(0x02, Uint8Array.of(0), trimmed) : tlv(0x02, trimmed);
}

export function smallInteger(value: number): Der {
  const bytes: number[] = [];
  let rest = value;
  do {
    bytes.unshift(rest & 0xff);
    rest = Math.floor(rest / 256);
  } while (rest > 0);
  return unsignedInteger(Uint8Array.from(bytes));
}

/** GeneralizedTime with millisecond precision, trailing zeros dropped as DER requires. */
export function generalizedTime(date: Date): Der {
  const iso = date.toISOString(); // 2025-01-02T03:04:05.678Z
  const whole = iso.slice(0, 19).replace(/[-:T]/g, '');
  const millis = iso.slice(20, 23).replace(/0+$/, '');
  const text = millis ? `${whole}.${millis}Z` : `${whole}Z`;
  return tlv(0x18, Buffer.from(text, 'ascii'));
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/** Reads the outer TLV at `at` and returns the byte span of its content. */
export function readTlv(bytes: Uint8Array, at = 0): { tag: number; headerLength: number; contentStart: number; end: number } {
  const tag = bytes[at];
  let length = bytes[at + 1];
  let headerLength = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[at + 2 + i];
    headerLength += count;
  }
  return { tag, headerLength, contentStart: at + headerLength, end: at + headerLength + length };
}
