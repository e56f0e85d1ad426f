// The signature placeholder: /ByteRange and /Contents written with a fixed width first,
// filled in once the final file length is known. Pure functions over Buffers.
import { PdfRaw } from './objects';

/** Room for four numbers of up to 10 digits: files up to 9.3 GB. */
const BYTE_RANGE_WIDTH = '[0 0000000000 0000000000 0000000000]'.length;

export const byteRangePlaceholder = (): PdfRaw => new PdfRaw(`[${'*'.repeat(BYTE_RANGE_WIDTH - 2)}]`);

/** A hex string of `size` zero bytes; `size` is the largest CMS the signature may need. */
export const contentsPlaceholder = (size: number): PdfRaw => new PdfRaw(`<${'0'.repeat(size * 2)}>`);

export type ByteRange = [number, number, number, number];

export interface PlaceholderPosition {
  /** Absolute offset of the ByteRange value's "[" in the file. */
  byteRangeAt: number;
  /** Absolute offset of the "<" that opens /Contents. */
  contentsAt: number;
  /** Bytes from "<" to ">" inclusive. */
  contentsLength: number;
}

/** Finds the placeholders inside a serialized signature dictionary body that starts at `bodyAt`. */
export function locatePlaceholders(body: Buffer, bodyAt: number): PlaceholderPosition {
  const byteRange = body.indexOf('[**', 0, 'latin1');
  const contents = body.indexOf('/Contents <', 0, 'latin1') + '/Contents '.length;
  const contentsEnd = body.indexOf('>', contents, 'latin1');
  if (byteRange < 0 || contents < '/Contents '.length || contentsEnd < 0) throw new Error('signature dictionary has no placeholders');
  return { byteRangeAt: bodyAt + byteRange, contentsAt: bodyAt + contents, contentsLength: contentsEnd + 1 - contents };
}

/** Writes the final /ByteRange into the placeholder: everything but the /Contents hex string. */
export function fillByteRange(pdf: Buffer, position: PlaceholderPosition): ByteRange {
  const afterContents = position.contentsAt + position.contentsLength;
  const range: ByteRange = [0, position.contentsAt, afterContents, pdf.length - afterContents];
  const text = `[${range.join(' ')}]`.padEnd(BYTE_RANGE_WIDTH, ' ');
  if (text.length > BYTE_RANGE_WIDTH) throw new Error('file too large for the byte range placeholder');
  pdf.write(text, position.byteRangeAt, 'latin1');
  return range;
}

/** The two signed slices of the file (views, not copies). */
export function signedSlices(pdf: Uint8Array, range: ByteRange): [Uint8Array, Uint8Array] {
  return [pdf.subarray(range[0], range[0] + range[1]), pdf.subarray(range[2], range[2] + range[3])];
}

/** Writes the DER signature, hex-encoded and zero-padded, between "<" and ">". */
export function embedContents(pdf: Buffer, position: PlaceholderPosition, der: Uint8Array): void {
  const room = (position.contentsLength - 2) / 2;
  if (der.length > room) throw new RangeError(`signature of ${der.length} bytes does not fit the ${room}-byte placeholder`);
  pdf.write(Buffer.from(der).toString('hex'), position.contentsAt + 1, 'latin1');
}
