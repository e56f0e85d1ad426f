// Verifies one CMS SignedData: the signed attributes against the content's digest, the
// signature against the signer's certificate, the ESS signing-certificate binding. The
// structure is walked in place (der-reader.ts) and checked with node:crypto — a separate
// code path from the DER writer that made it, so a bug in one is not mirrored in the other.
import { createHash, verify as cryptoVerify } from 'node:crypto';
import * as pkijs from 'pkijs';
import { readTlv } from '../der';
import { hashAlgorithmFromOid, OID, type HashAlgorithm } from '../oids';
import { certificateFacts } from './certificates';
import { children, content, encoded, expectTag, octets, oidText, readNode, timeValue, type DerNode } from './der-reader';

export interface CmsVerification {
  /** The encapsulated content type (id-data for a PDF signature, id-ct-TSTInfo for a timestamp). */
  eContentType: string;
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
  /** The signature-time-stamp token (unsigned attribute), DER of its ContentInfo. */
  timestampToken?: Uint8Array;
  problems: string[];
}

/** Parses ContentInfo DER into pkijs objects (for tools and tests; verification walks the bytes). */
export function parseSignedData(der: Uint8Array): pkijs.SignedData {
  const { end } = readTlv(der);
  const contentInfo = pkijs.ContentInfo.fromBER(der.subarray(0, end));
  if (contentInfo.contentType !== OID.signedData) throw new Error(`CMS content type ${contentInfo.contentType} is not signedData`);
  return new pkijs.SignedData({ schema: contentInfo.content });
}

interface Attribute {
  type: string;
  values: DerNode[];
}

function attributesIn(node: DerNode): Attribute[] {
  return children(node).map((attribute) => {
    const [type, values] = children(expectTag(attribute, 0x30, 'attribute'));
    return { type: oidText(type), values: children(expectTag(values, 0x31, 'attribute values')) };
  });
}

/** The parts of a SignedData the checks need, located in the input bytes (trailing /Contents padding is ignored). */
function readSignedData(der: Uint8Array) {
  const contentInfo = expectTag(readNode(der, 0), 0x30, 'ContentInfo');
  const [contentType, explicit] = children(contentInfo);
  const type = oidText(contentType);
  if (type !== OID.signedData) throw new Error(`CMS content type ${type} is not signedData`);
  const signedData = children(expectTag(children(expectTag(explicit, 0xa0, 'ContentInfo content'))[0], 0x30, 'SignedData'));
  let at = 2; // version, digestAlgorithms
  const encap = children(expectTag(signedData[at++], 0x30, 'EncapsulatedContentInfo'));
  const eContentType = oidText(encap[0]);
  let eContent: Uint8Array | undefined;
  if (encap[1]) {
    const inner = children(expectTag(encap[1], 0xa0, 'eContent'))[0];
    if (!inner) throw new Error('the CMS eContent is empty');
    eContent = octets(inner);
  }
  const certificates: Uint8Array[] = [];
  if (signedData[at]?.tag === 0xa0) {
    for (const choice of children(signedData[at++])) if (choice.tag === 0x30) certificates.push(encoded(choice));
  }
  if (signedData[at]?.tag === 0xa1) at++; // revocation info: not used here
  const signerInfos = children(expectTag(signedData[at], 0x31, 'signerInfos'));
  return { eContentType, eContent, certificates, signerInfos };
}

interface SignerInfoParts {
  issuerAndSerial?: { issuer: Uint8Array; serial: Uint8Array };
  digestAlgorithmOid: string;
  signedAttrs?: DerNode;
  signature: Uint8Array;
  unsignedAttrs?: DerNode;
}

function readSignerInfo(node: DerNode): SignerInfoParts {
  const parts = children(expectTag(node, 0x30, 'SignerInfo'));
  let at = 1; // version
  const sid = parts[at++];
  const issuerAndSerial = sid?.tag === 0x30 ? (([issuer, serial]) => ({ issuer: encoded(issuer), serial: content(expectTag(serial, 0x02, 'serial number')) }))(children(sid)) : undefined;
  const digestAlgorithmOid = oidText(children(expectTag(parts[at++], 0x30, 'digestAlgorithm'))[0]);
  const signedAttrs = parts[at]?.tag === 0xa0 ? parts[at++] : undefined;
  at++; // signatureAlgorithm
  const signature = octets(expectTag(parts[at++], 0x04, 'signature'));
  const unsignedAttrs = parts[at]?.tag === 0xa1 ? parts[at] : undefined;
  return { issuerAndSerial, digestAlgorithmOid, signedAttrs, signature, unsignedAttrs };
}

export interface SignedDataParts {
  /** Every certificate the CMS carries, DER. */
  certificates: Uint8Array[];
  /** The certificate its SignerInfo names (issuer and serial number), DER. */
  signerCertificate?: Uint8Array;
  /** The encapsulated content (a timestamp token's TSTInfo). */
  eContent?: Uint8Array;
  /** The signature-time-stamp token (unsigned attribute), DER of its ContentInfo. */
  timestampToken?: Uint8Array;
}

/**
 * The parts of a SignedData that long-term validation collects, without checking anything:
 * views into `der` found by walking it in place. The archive reads every signature of a file
 * again for its DSS; pkijs's object model cost ~8 ms a signature there (and a re-encoding
 * per certificate), this walk a few microseconds.
 */
export function signedDataParts(der: Uint8Array): SignedDataParts {
  const { eContent, certificates, signerInfos } = readSignedData(der);
  const signerInfo = signerInfos[0] ? readSignerInfo(signerInfos[0]) : undefined;
  const sid = signerInfo?.issuerAndSerial;
  const signerCertificate = sid
    ? certificates.find((certificate) => {
        const tbs = children(expectTag(children(expectTag(readNode(certificate, 0), 0x30, 'Certificate'))[0], 0x30, 'TBSCertificate'));
        const offset = tbs[0]?.tag === 0xa0 ? 1 : 0;
        return Buffer.compare(content(expectTag(tbs[offset], 0x02, 'serialNumber')), sid.serial) === 0 && Buffer.compare(encoded(tbs[offset + 2]), sid.issuer) === 0;
      })
    : undefined;
  const token = signerInfo?.unsignedAttrs ? attributesIn(signerInfo.unsignedAttrs).find((a) => a.type === OID.signatureTimeStampToken)?.values[0] : undefined;
  return { certificates, signerCertificate, eContent, timestampToken: token && encoded(token) };
}

/** `content`: the detached data (byte-range slices) or undefined to use the encapsulated content. */
export function verifyCms(der: Uint8Array, detached?: readonly Uint8Array[]): CmsVerification {
  const problems: string[] = [];
  const { eContentType, eContent, certificates, signerInfos } = readSignedData(der);
  if (signerInfos.length !== 1) problems.push(`expected one SignerInfo, found ${signerInfos.length}`);
  const signerInfo = readSignerInfo(signerInfos[0]);
  const sid = signerInfo.issuerAndSerial;
  const signerCertificate = sid
    ? certificates.find((der) => {
        const facts = certificateFacts(der);
        return Buffer.compare(facts.issuerDer, sid.issuer) === 0 && Buffer.compare(facts.serialDer, sid.serial) === 0;
      })
    : undefined;
  if (!signerCertificate) problems.push('the CMS does not carry the signer certificate');

  const digestAlgorithm = hashAlgorithmFromOid(signerInfo.digestAlgorithmOid);
  if (!digestAlgorithm) problems.push(`digest algorithm ${signerInfo.digestAlgorithmOid} is not supported`);
  const signatureValue = signerInfo.signature;

  let digestMatches = false;
  let signingCertificateBound = false;
  let signingTime: Date | undefined;
  const attributes = signerInfo.signedAttrs ? attributesIn(signerInfo.signedAttrs) : [];
  if (!signerInfo.signedAttrs) problems.push('the signature has no signed attributes');
  const attribute = (type: string): Attribute | undefined => attributes.find((a) => a.type === type);

  if (digestAlgorithm) {
    const hash = createHash(digestAlgorithm);
    for (const part of detached ?? (eContent ? [eContent] : [])) hash.update(part);
    const digest = hash.digest();
    const messageDigest = attribute(OID.messageDigest)?.values[0];
    digestMatches = messageDigest?.tag === 0x04 && Buffer.compare(content(messageDigest), digest) === 0;
    if (!digestMatches) problems.push('the document digest does not match the signed message digest: the signed bytes were changed');
  }
  const contentType = attribute(OID.contentType)?.values[0];
  if (contentType?.tag !== 0x06 || oidText(contentType) !== eContentType) problems.push('the content-type attribute does not match the content');
  const signingTimeValue = attribute(OID.signingTime)?.values[0];
  if (signingTimeValue) signingTime = timeValue(signingTimeValue);

  // ESS signing-certificate-v2: the hash of the certificate the signer meant.
  const essV2 = attribute(OID.signingCertificateV2)?.values[0];
  if (essV2 && signerCertificate) {
    const first = children(children(expectTag(essV2, 0x30, 'SigningCertificateV2'))[0])[0];
    const parts = first ? children(first) : [];
    const hashAlgorithm = parts[0]?.tag === 0x30 ? hashAlgorithmFromOid(oidText(children(parts[0])[0])) : 'sha256';
    const certHash = parts[0]?.tag === 0x30 ? parts[1] : parts[0];
    signingCertificateBound = !!hashAlgorithm && certHash?.tag === 0x04 && Buffer.compare(content(certHash), createHash(hashAlgorithm).update(signerCertificate).digest()) === 0;
    if (!signingCertificateBound) problems.push('signing-certificate-v2 names another certificate than the one that signed');
  } else if (!essV2) problems.push('the signature has no signing-certificate-v2 attribute');

  let signatureValid = false;
  if (signerCertificate && signerInfo.signedAttrs && digestAlgorithm) {
    const signed = Buffer.from(encoded(signerInfo.signedAttrs));
    signed[0] = 0x31; // signed as SET OF, stored as [0] IMPLICIT
    try {
      signatureValid = cryptoVerify(digestAlgorithm, signed, certificateFacts(signerCertificate).x509.publicKey, signatureValue);
    } catch (error) {
      problems.push(`the signature could not be checked: ${(error as Error).message}`);
    }
    if (!signatureValid) problems.push('the CMS signature does not verify with the signer certificate');
  }
  const token = signerInfo.unsignedAttrs ? attributesIn(signerInfo.unsignedAttrs).find((a) => a.type === OID.signatureTimeStampToken)?.values[0] : undefined;
  return { eContentType, signerCertificate, certificates, digestAlgorithm, digestMatches, signatureValid, signingCertificateBound, signatureValue, signingTime, eContent, timestampToken: token && encoded(token), problems };
}
