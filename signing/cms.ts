// CAdES-BES / PAdES baseline CMS SignedData, assembled from precomputed pieces (see der.ts
// for why). Everything that depends only on the certificate chain is computed once per
// signer; a signature then costs two small SET encodings and the private-key operation.
import { createHash } from 'node:crypto';
import { explicit, implicitConstructed, nullValue, octetString, oid, readTlv, sequence, setOf, smallInteger, tlv, type Der } from './der';
import type { KeyType } from './key-vault';
import { OID } from './oids';

/** The parts of a certificate a SignerInfo refers to, sliced out of its DER. */
export function certificateParts(certificate: Uint8Array): { issuer: Uint8Array; serial: Uint8Array } {
  const tbs = readTlv(certificate, readTlv(certificate).contentStart);
  let at = tbs.contentStart;
  if (certificate[at] === 0xa0) at = readTlv(certificate, at).end; // [0] version
  const serial = readTlv(certificate, at);
  const signatureAlgorithm = readTlv(certificate, serial.end);
  const issuer = readTlv(certificate, signatureAlgorithm.end);
  return { serial: certificate.subarray(at, serial.end), issuer: certificate.subarray(signatureAlgorithm.end, issuer.end) };
}

export const attribute = (type: string, ...values: Der[]): Der => sequence(oid(type), setOf(...values));

const sha256AlgorithmIdentifier = (): Der => sequence(oid(OID.sha256));

export interface PreparedCmsSigner {
  keyType: KeyType;
  issuerAndSerial: Der;
  signingCertificateV2: Der;
  certificates: Der;
  signatureAlgorithm: Der;
}

/** Precomputes what a SignerInfo needs from the chain (leaf first). */
export function prepareCmsSigner(chain: readonly Uint8Array[], keyType: KeyType): PreparedCmsSigner {
  const leaf = chain[0];
  const { issuer, serial } = certificateParts(leaf);
  // ESSCertIDv2 with the default hash (SHA-256, so omitted) and issuerSerial (RFC 5035).
  const essCertId = sequence(octetString(createHash('sha256').update(leaf).digest()), sequence(sequence(tlv(0xa4, issuer)), serial));
  return {
    keyType,
    issuerAndSerial: sequence(issuer, serial),
    signingCertificateV2: attribute(OID.signingCertificateV2, sequence(sequence(essCertId))),
    certificates: implicitConstructed(0, ...chain),
    signatureAlgorithm: keyType === 'rsa' ? sequence(oid(OID.sha256WithRSAEncryption), nullValue()) : sequence(oid(OID.ecdsaWithSHA256)),
  };
}

/**
 * The signed attributes as the SET that is signed. PAdES baseline puts the claimed signing
 * time in the signature dictionary's /M, not in a signing-time attribute (EN 319 142-1 5.2.2).
 */
export function signedAttributes(prepared: PreparedCmsSigner, options: { contentType: string; messageDigest: Uint8Array }): Der {
  return setOf(attribute(OID.contentType, oid(options.contentType)), attribute(OID.messageDigest, octetString(options.messageDigest)), prepared.signingCertificateV2);
}

export interface SignedDataParts {
  signedAttributes: Der;
  signature: Uint8Array;
  /** Complete Attribute encodings (e.g. the signature timestamp token). */
  unsignedAttributes?: Der[];
  /** Present for encapsulating signatures (timestamp tokens); absent for detached ones. */
  encapsulated?: { contentType: string; content: Uint8Array };
}

/** ContentInfo { signedData } around one SignerInfo. */
export function assembleSignedData(prepared: PreparedCmsSigner, parts: SignedDataParts): Der {
  // [0] IMPLICIT SET OF: same content as the signed SET, different tag.
  const signedAttrs = Buffer.from(parts.signedAttributes);
  signedAttrs[0] = 0xa0;
  const signerInfo = sequence(
    smallInteger(1),
    prepared.issuerAndSerial,
    sha256AlgorithmIdentifier(),
    signedAttrs,
    prepared.signatureAlgorithm,
    octetString(parts.signature),
    ...(parts.unsignedAttributes?.length ? [tlv(0xa1, ...parts.unsignedAttributes)] : []),
  );
  const encapsulated = parts.encapsulated;
  const encapContentInfo = encapsulated ? sequence(oid(encapsulated.contentType), explicit(0, octetString(encapsulated.content))) : sequence(oid(OID.data));
  // Version 3 when the encapsulated content is not id-data (RFC 5652 5.1).
  const version = encapsulated && encapsulated.contentType !== OID.data ? 3 : 1;
  const signedData = sequence(smallInteger(version), setOf(sha256AlgorithmIdentifier()), encapContentInfo, prepared.certificates, setOf(signerInfo));
  return sequence(oid(OID.signedData), explicit(0, signedData));
}
