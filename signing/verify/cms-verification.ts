// Verifies one CMS SignedData: the signed attributes against the content's digest, the
// signature against the signer's certificate, the ESS signing-certificate binding. Parsed
// with pkijs and checked with node:crypto — a separate code path from the DER writer
// that made it, so a bug in one is not mirrored in the other.
import { createHash, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { readTlv } from '../der';
import { hashAlgorithmFromOid, OID, type HashAlgorithm } from '../oids';

export interface CmsVerification {
  signedData: pkijs.SignedData;
  signerInfo: pkijs.SignerInfo;
  /** DER of the signer's certificate, when the CMS carries it. */
  signerCertificate?: Uint8Array;
  certificates: Uint8Array[];
  digestAlgorithm?: HashAlgorithm;
  digestMatches: boolean;
  signatureValid: boolean;
  /** signing-certificate(-v2) names the certificate that was used. */
  signingCertificateBound: boolean;
  signatureValue: Uint8Array;
  signingTime?: Date;
  /** The encapsulated content (e.g. TSTInfo), if any. */
  eContent?: Uint8Array;
  problems: string[];
}

/** Parses ContentInfo DER (trailing zero padding from /Contents is ignored). */
export function parseSignedData(der: Uint8Array): pkijs.SignedData {
  const { end } = readTlv(der);
  const contentInfo = pkijs.ContentInfo.fromBER(der.subarray(0, end));
  if (contentInfo.contentType !== OID.signedData) throw new Error(`CMS content type ${contentInfo.contentType} is not signedData`);
  return new pkijs.SignedData({ schema: contentInfo.content });
}

/** `content`: the detached data (byte-range slices) or undefined to use the encapsulated content. */
export function verifyCms(der: Uint8Array, content?: readonly Uint8Array[]): CmsVerification {
  const problems: string[] = [];
  const signedData = parseSignedData(der);
  if (signedData.signerInfos.length !== 1) problems.push(`expected one SignerInfo, found ${signedData.signerInfos.length}`);
  const signerInfo = signedData.signerInfos[0];
  const certificates = (signedData.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
  const certificateDers = certificates.map((c) => new Uint8Array(c.toSchema().toBER()));
  const sid = signerInfo.sid;
  const signerIndex = certificates.findIndex((c) =>
    sid instanceof pkijs.IssuerAndSerialNumber ? c.issuer.isEqual(sid.issuer) && c.serialNumber.isEqual(sid.serialNumber) : false,
  );
  const signerCertificate = signerIndex >= 0 ? certificateDers[signerIndex] : undefined;
  if (!signerCertificate) problems.push('the CMS does not carry the signer certificate');

  const digestAlgorithm = hashAlgorithmFromOid(signerInfo.digestAlgorithm.algorithmId);
  if (!digestAlgorithm) problems.push(`digest algorithm ${signerInfo.digestAlgorithm.algorithmId} is not supported`);
  const signatureValue = new Uint8Array(signerInfo.signature.valueBlock.valueHexView);
  const eContentOctets = signedData.encapContentInfo.eContent;
  const eContent = eContentOctets ? new Uint8Array(eContentOctets.getValue()) : undefined;

  let digestMatches = false;
  let signingCertificateBound = false;
  let signingTime: Date | undefined;
  const attributes = signerInfo.signedAttrs?.attributes ?? [];
  if (!signerInfo.signedAttrs) problems.push('the signature has no signed attributes');
  const attribute = (type: string): pkijs.Attribute | undefined => attributes.find((a) => a.type === type);

  if (digestAlgorithm) {
    const hash = createHash(digestAlgorithm);
    for (const part of content ?? (eContent ? [eContent] : [])) hash.update(part);
    const digest = hash.digest();
    const messageDigest = attribute(OID.messageDigest)?.values[0] as asn1js.OctetString | undefined;
    digestMatches = !!messageDigest && Buffer.compare(Buffer.from(messageDigest.valueBlock.valueHexView), digest) === 0;
    if (!digestMatches) problems.push('the document digest does not match the signed message digest: the signed bytes were changed');
  }
  const contentType = attribute(OID.contentType)?.values[0] as asn1js.ObjectIdentifier | undefined;
  if (contentType?.valueBlock.toString() !== signedData.encapContentInfo.eContentType) problems.push('the content-type attribute does not match the content');
  const signingTimeValue = attribute(OID.signingTime)?.values[0] as asn1js.UTCTime | asn1js.GeneralizedTime | undefined;
  if (signingTimeValue) signingTime = signingTimeValue.toDate();

  // ESS signing-certificate-v2 (or v1): the hash of the certificate the signer meant.
  const essV2 = attribute(OID.signingCertificateV2)?.values[0] as asn1js.Sequence | undefined;
  if (essV2 && signerCertificate) {
    const first = (essV2.valueBlock.value[0] as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
    const parts = first.valueBlock.value;
    const hashAlgorithm = parts[0] instanceof asn1js.Sequence ? hashAlgorithmFromOid((parts[0].valueBlock.value[0] as asn1js.ObjectIdentifier).valueBlock.toString()) : 'sha256';
    const certHash = (parts[0] instanceof asn1js.Sequence ? parts[1] : parts[0]) as asn1js.OctetString;
    signingCertificateBound = !!hashAlgorithm && Buffer.compare(Buffer.from(certHash.valueBlock.valueHexView), createHash(hashAlgorithm).update(signerCertificate).digest()) === 0;
    if (!signingCertificateBound) problems.push('signing-certificate-v2 names another certificate than the one that signed');
  } else if (!essV2) problems.push('the signature has no signing-certificate-v2 attribute');

  let signatureValid = false;
  if (signerCertificate && signerInfo.signedAttrs && digestAlgorithm) {
    const signed = Buffer.from(signerInfo.signedAttrs.encodedValue);
    signed[0] = 0x31; // signed as SET OF, stored as [0] IMPLICIT
    try {
      const publicKey = new X509Certificate(signerCertificate).publicKey;
      signatureValid = cryptoVerify(digestAlgorithm, signed, publicKey, signatureValue);
    } catch (error) {
      problems.push(`the signature could not be checked: ${(error as Error).message}`);
    }
    if (!signatureValid) problems.push('the CMS signature does not verify with the signer certificate');
  }
  return { signedData, signerInfo, signerCertificate, certificates: certificateDers, digestAlgorithm, digestMatches, signatureValid, signingCertificateBound, signatureValue, signingTime, eContent, problems };
}
