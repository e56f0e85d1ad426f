// Object identifiers used across signing/, named after their ASN.1 module names.
export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  prime256v1: '1.2.840.10045.3.1.7',
  commonName: '2.5.4.3',
  serialNumber: '2.5.4.5',
  country: '2.5.4.6',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  organizationIdentifier: '2.5.4.97',
  /** X.520 description: how a signer's identity was verified (see subject.ts verificationDescription). */
  description: '2.5.4.13',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  crlDistributionPoints: '2.5.29.31',
  crlNumber: '2.5.29.20',
  crlReason: '2.5.29.21',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  /** Sealflow's TSA policy (a private arc under the "example" range until a PEN is registered). */
  sealflowTsaPolicy: '1.3.6.1.4.1.55555.1.1',
} as const;

export type HashAlgorithm = 'sha256' | 'sha384' | 'sha512';

export const HASH_OID: Record<HashAlgorithm, string> = { sha256: OID.sha256, sha384: OID.sha384, sha512: OID.sha512 };

export function hashAlgorithmFromOid(oid: string): HashAlgorithm | undefined {
  return (Object.keys(HASH_OID) as HashAlgorithm[]).find((name) => HASH_OID[name] === oid);
}
