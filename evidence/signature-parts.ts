// What an evidence package takes out of a signed PDF, so that each part can be checked with
// openssl alone: every certificate its signatures carry (signer, issuing CA, TSA), and every
// RFC 3161 timestamp token — a signature's (the unsigned attribute id-aa-timeStampToken,
// whose imprint is the SHA-256 of the signature value) and a document timestamp's (the
// /Contents itself, whose imprint is the SHA-256 of the bytes its /ByteRange covers).
// The CMS is parsed with PKI.js, the library signing/ verifies with. These PDFs are our own
// stored versions, not untrusted uploads.
import { createHash } from 'node:crypto';
import * as pkijs from 'pkijs';
import type { VerificationReport } from '../signing';

const SIGNATURE_TIMESTAMP_OID = '1.2.840.113549.1.9.16.2.14';

export interface TimestampPart {
  /** The TimeStampToken (CMS ContentInfo), DER: `openssl ts -verify -token_in -in …`. */
  token: Uint8Array;
  /** The message imprint the token must carry, hex; what `-digest` is given. */
  digestHex: string;
  /** genTime of the token, ISO 8601. */
  time: string;
  /** For a signature timestamp, the signature value it stamps: SHA-256 of it is digestHex. */
  stamped?: Uint8Array;
}

export interface SignaturePart {
  fieldName: string;
  kind: 'signature' | 'document-timestamp';
  /** Every certificate of the CMS and of its timestamp token, DER, in the order found. */
  certificates: Uint8Array[];
  timestamp: TimestampPart | null;
}

const der = (value: { toSchema(): { toBER(): ArrayBuffer } }) => new Uint8Array(value.toSchema().toBER());
const sha256hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function certificatesOf(signed: pkijs.SignedData): Uint8Array[] {
  return (signed.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate).map(der);
}

function signedDataOf(contentInfo: Uint8Array): pkijs.SignedData {
  const info = pkijs.ContentInfo.fromBER(contentInfo);
  return new pkijs.SignedData({ schema: info.content });
}

function tokenTime(signed: pkijs.SignedData): string {
  const content = signed.encapContentInfo.eContent;
  if (!content) return '';
  const tst = pkijs.TSTInfo.fromBER(content.getValue());
  return tst.genTime.toISOString();
}

/**
 * The signatures and document timestamps of a PDF, each with its certificates and token. Where they are
 * (byte ranges, field names) comes from the verifier's `report` of this PDF: parsing a PDF is work for
 * the verification pool's workers, off the event loop (see evidence/package.ts).
 */
export function signatureParts(pdf: Uint8Array, report: Pick<VerificationReport, 'signatures'>): SignaturePart[] {
  const bytes = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  return report.signatures.map((signature) => {
    const [start, length, next, nextLength] = signature.byteRange;
    // The gap between the two ranges is /Contents: "<hex…>", padded with zeros after the DER.
    const hex = bytes.subarray(start + length + 1, next - 1).toString('latin1').replace(/(00)+$/, '');
    const contents = new Uint8Array(Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex'));
    const signed = signedDataOf(contents);
    if (signature.kind === 'document-timestamp') {
      const covered = Buffer.concat([bytes.subarray(start, start + length), bytes.subarray(next, next + nextLength)]);
      const token = new Uint8Array(pkijs.ContentInfo.fromBER(contents).toSchema().toBER());
      return { fieldName: signature.fieldName, kind: signature.kind, certificates: certificatesOf(signed), timestamp: { token, digestHex: sha256hex(covered), time: tokenTime(signed) } };
    }
    const signer = signed.signerInfos[0];
    const attribute = signer?.unsignedAttrs?.attributes.find((a) => a.type === SIGNATURE_TIMESTAMP_OID);
    let timestamp: TimestampPart | null = null;
    const certificates = certificatesOf(signed);
    if (attribute && signer) {
      const token = new Uint8Array(attribute.values[0].toBER());
      const stamped = new Uint8Array(signer.signature.valueBlock.valueHexView);
      const tokenData = signedDataOf(token);
      certificates.push(...certificatesOf(tokenData));
      timestamp = { token, digestHex: sha256hex(stamped), time: tokenTime(tokenData), stamped };
    }
    return { fieldName: signature.fieldName, kind: signature.kind, certificates, timestamp };
  });
}

/** The TSTInfo of a token: its imprint (hex), genTime and the certificates it carries. */
export function timestampFacts(token: Uint8Array): { digestHex: string; time: string; certificates: Uint8Array[] } {
  const signed = signedDataOf(token);
  const content = signed.encapContentInfo.eContent;
  if (!content) throw new Error('the timestamp token carries no TSTInfo');
  const tst = pkijs.TSTInfo.fromBER(content.getValue());
  return { digestHex: Buffer.from(tst.messageImprint.hashedMessage.valueBlock.valueHexView).toString('hex'), time: tst.genTime.toISOString(), certificates: certificatesOf(signed) };
}
