// Sealflow's own certificate authority (root → issuing CA), behind an interface an
// external CA can implement later. Certificates are built with pkijs; the signature over
// the TBSCertificate is made by the key vault, so CA keys are as protected as signer keys.
import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { bool, nullValue, oid, sequence, tlv } from './der';
import { createMemoryKeyRecordStore, type KeyRecordStore } from './key-record-store';
import type { KeyType, KeyVault } from './key-vault';
import { OID } from './oids';
import { buildCrl, crlDistributionPoints, revocationRegistry, serialOf, type Revocation, type RevocationReason } from './revocation';
import { organizationIdentifier, verificationDescription, type CertificateSubject } from './subject';

export type CertificateProfile = 'signer' | 'timestamping';

export interface CertificateRequest {
  subject: CertificateSubject;
  publicKey: KeyObject;
  profile: CertificateProfile;
  validityDays?: number;
  /** Overrides validityDays (short-lived certificates in tests). */
  validityMs?: number;
}

/** Where the CA publishes revocation status: `${base}/pki/ca.crl` (issuing CA) and `${base}/pki/root.crl` (root). */
export const crlUrls = (publicUrl: string) => {
  const base = publicUrl.replace(/\/$/, '');
  return { issuing: `${base}/pki/ca.crl`, root: `${base}/pki/root.crl` };
};

export interface CertificateAuthority {
  /** The trust anchor verifiers are given (DER). */
  readonly rootCertificate: Uint8Array;
  /** Issues a certificate; returns the chain, leaf first, ending with the root. */
  issue(request: CertificateRequest): Promise<Uint8Array[]>;
  readonly issuingCertificate: Uint8Array;
  /**
   * The current CRLs, issuing CA's first, then the root's. Rebuilt when a revocation was
   * added, when an hour old, or when issued before `freshAfter` (validation data for a
   * signature must postdate it).
   */
  crls(options?: { freshAfter?: Date }): Promise<{ issuing: Uint8Array; root: Uint8Array }>;
  /** Revokes a certificate this CA issued (an end-entity one, or the issuing CA itself). */
  revoke(request: { certificate: Uint8Array; reason: RevocationReason; revokedAt?: Date }): Promise<Revocation>;
  revocations(): Promise<Revocation[]>;
}

export interface LocalCertificateAuthorityOptions {
  vault: KeyVault;
  /** The CA's own keys live in this tenant of the vault. */
  tenantId?: string;
  /** Shown in the CA certificates' subject, e.g. "Sealflow". */
  name?: string;
  keyType?: KeyType;
  now?: () => Date;
  /** Holds the revocation list (the key records' store); without it revocations live in memory. */
  records?: KeyRecordStore;
  /** SEALFLOW_PUBLIC_URL: issued certificates name the CRLs published under it (CRL distribution points). */
  publicUrl?: string;
}

const CRL_REFRESH_MS = 3600_000;
const CRL_VALIDITY_MS = 7 * 86_400_000;

const ROOT_KEY = 'sealflow-ca/root';
const ISSUING_KEY = 'sealflow-ca/issuing';
const DAY = 86_400_000;

/** Loads Sealflow's CA from the vault, creating root and issuing CA on first use. */
export async function createLocalCertificateAuthority(options: LocalCertificateAuthorityOptions): Promise<CertificateAuthority> {
  const { vault, tenantId = 'sealflow-ca', name = 'Sealflow', keyType = 'rsa' } = options;
  const now = options.now ?? (() => new Date());
  const urls = options.publicUrl ? crlUrls(options.publicUrl) : undefined;
  const registry = revocationRegistry(options.records ?? memoryRecords());

  if (!(await vault.hasKey(ROOT_KEY))) {
    const rootKey = await vault.createKey({ tenantId, keyId: ROOT_KEY, keyType });
    const subject = distinguishedName({ kind: 'service', commonName: `${name} Root CA`, organization: name });
    const root = await buildCertificate({ vault, signingKeyId: ROOT_KEY, issuer: subject, issuerPublicKey: rootKey, subject, publicKey: rootKey, now: now(), validityDays: 20 * 365, extensions: caExtensions(undefined) });
    await vault.setCertificateChain(ROOT_KEY, [root]);
  }
  const [root] = await vault.certificateChain(ROOT_KEY);
  if (!(await vault.hasKey(ISSUING_KEY))) {
    const issuingKey = await vault.createKey({ tenantId, keyId: ISSUING_KEY, keyType });
    const subject = distinguishedName({ kind: 'service', commonName: `${name} Issuing CA`, organization: name });
    const issuing = await buildCertificate({ vault, signingKeyId: ROOT_KEY, issuer: subjectOf(root), issuerPublicKey: await vault.publicKey(ROOT_KEY), subject, publicKey: issuingKey, now: now(), validityDays: 10 * 365, extensions: [...caExtensions(0), ...distributionPoint(urls?.root)] });
    await vault.setCertificateChain(ISSUING_KEY, [issuing, root]);
  }
  const [issuing] = await vault.certificateChain(ISSUING_KEY);
  const issuingPublicKey = await vault.publicKey(ISSUING_KEY);
  const rootCert = pkijs.Certificate.fromBER(root);
  const issuingCert = pkijs.Certificate.fromBER(issuing);
  const authorities = {
    issuing: { certificate: issuingCert, keyId: ISSUING_KEY, keyIdentifier: keyIdentifier(issuingPublicKey) },
    root: { certificate: rootCert, keyId: ROOT_KEY, keyIdentifier: keyIdentifier(await vault.publicKey(ROOT_KEY)) },
  };
  const cached: Partial<Record<'issuing' | 'root', { der: Uint8Array; thisUpdate: number; entries: number }>> = {};

  async function currentCrl(which: 'issuing' | 'root', entries: Revocation[], freshAfter: Date | undefined): Promise<Uint8Array> {
    const mine = entries.filter((e) => e.issuer === which);
    const hit = cached[which];
    const at = now().getTime();
    if (hit && hit.entries === mine.length && at - hit.thisUpdate < CRL_REFRESH_MS && (!freshAfter || hit.thisUpdate >= freshAfter.getTime())) return hit.der;
    // thisUpdate is written in whole seconds: rounded up, so a CRL made right after a signature never predates it.
    const thisUpdate = Math.ceil(Math.max(at, freshAfter?.getTime() ?? 0) / 1000) * 1000;
    const authority = authorities[which];
    const der = await buildCrl({
      issuer: authority.certificate,
      algorithm: signatureAlgorithm(await vault.keyType(authority.keyId)),
      authorityKeyId: authority.keyIdentifier,
      entries: mine,
      thisUpdate: new Date(thisUpdate),
      nextUpdate: new Date(thisUpdate + CRL_VALIDITY_MS),
      number: BigInt(thisUpdate / 1000),
      sign: (tbs) => vault.sign(authority.keyId, tbs),
    });
    cached[which] = { der, thisUpdate, entries: mine.length };
    return der;
  }

  return {
    rootCertificate: root,
    issuingCertificate: issuing,
    async crls(options = {}) {
      const entries = await registry.list();
      return { issuing: await currentCrl('issuing', entries, options.freshAfter), root: await currentCrl('root', entries, options.freshAfter) };
    },
    revocations: () => registry.list(),
    async revoke({ certificate, reason, revokedAt }) {
      const parsed = pkijs.Certificate.fromBER(certificate);
      const issuer = Buffer.compare(Buffer.from(parsed.issuer.toSchema().toBER()), Buffer.from(issuingCert.subject.toSchema().toBER())) === 0 ? 'issuing' : Buffer.compare(Buffer.from(parsed.issuer.toSchema().toBER()), Buffer.from(rootCert.subject.toSchema().toBER())) === 0 && serialOf(parsed) !== serialOf(rootCert) ? 'root' : null;
      if (!issuer) throw new Error('this certificate was not issued by this CA');
      const recordedAt = now();
      return registry.add({
        serial: serialOf(parsed),
        issuer,
        reason,
        revokedAt: (revokedAt && revokedAt < recordedAt ? revokedAt : recordedAt).toISOString(),
        recordedAt: recordedAt.toISOString(),
        subject: parsed.subject.typesAndValues.map((t) => (t.value.valueBlock as { value?: string }).value ?? '').filter(Boolean).join(', '),
      });
    },
    async issue({ subject, publicKey, profile, validityDays = profile === 'signer' ? 3 * 365 : 10 * 365, validityMs }) {
      const leaf = await buildCertificate({
        vault,
        signingKeyId: ISSUING_KEY,
        // Parsed once above: re-parsing the issuing certificate for every signer cost ~2 ms each.
        issuer: issuingCert.subject,
        issuerPublicKey: issuingPublicKey,
        subject: distinguishedName(subject),
        publicKey,
        now: now(),
        validityDays: validityMs !== undefined ? validityMs / DAY : validityDays,
        extensions: [...(profile === 'signer' ? signerExtensions() : timestampingExtensions()), ...distributionPoint(urls?.issuing)],
      });
      return [leaf, issuing, root];
    },
  };
}

// ----------------------------------------------------------------------------- names

export function distinguishedName(subject: CertificateSubject): pkijs.RelativeDistinguishedNames {
  const attributes: [string, asn1js.BaseBlock][] = [[OID.country, new asn1js.PrintableString({ value: 'CN' })]];
  const utf8 = (value: string): asn1js.Utf8String => new asn1js.Utf8String({ value });
  if (subject.kind === 'company') {
    attributes.push([OID.organization, utf8(subject.name)]);
    attributes.push([OID.organizationIdentifier, utf8(organizationIdentifier(subject.creditCode))]);
    attributes.push([OID.commonName, utf8(subject.name)]);
    if (subject.verification) attributes.push([OID.description, utf8(verificationDescription(subject.verification))]);
  } else if (subject.kind === 'person') {
    // serialNumber holds the keyed hash of the ID number (64 hex digits fit its 64-char bound).
    attributes.push([OID.serialNumber, new asn1js.PrintableString({ value: subject.idNumberHash })]);
    attributes.push([OID.commonName, utf8(subject.name)]);
    if (subject.verification) attributes.push([OID.description, utf8(verificationDescription(subject.verification))]);
  } else {
    if (subject.organization) attributes.push([OID.organization, utf8(subject.organization)]);
    attributes.push([OID.commonName, utf8(subject.commonName)]);
    if (subject.description) attributes.push([OID.description, utf8(subject.description)]);
  }
  // One attribute per RDN (pkijs would put them all in one multi-valued RDN), parsed back
  // so pkijs keeps these exact bytes.
  const name = new asn1js.Sequence({
    value: attributes.map(([type, value]) => new asn1js.Set({ value: [new pkijs.AttributeTypeAndValue({ type, value: value as asn1js.Utf8String }).toSchema()] })),
  });
  return pkijs.RelativeDistinguishedNames.fromBER(name.toBER());
}

function subjectOf(certificateDer: Uint8Array): pkijs.RelativeDistinguishedNames {
  return pkijs.Certificate.fromBER(certificateDer).subject;
}

// ----------------------------------------------------------------------------- extensions

interface ExtensionValue {
  id: string;
  critical: boolean;
  value: Uint8Array;
}

/** KeyUsage BIT STRING from bit numbers (0 = digitalSignature … 6 = cRLSign). */
function keyUsage(...bits: number[]): Uint8Array {
  let byte = 0;
  for (const bit of bits) byte |= 0x80 >> bit;
  let unused = 0;
  while (unused < 7 && !(byte & (1 << unused))) unused++;
  return tlv(0x03, Uint8Array.of(unused, byte));
}

const caExtensions = (pathLength: number | undefined): ExtensionValue[] => [
  { id: OID.basicConstraints, critical: true, value: sequence(bool(true), ...(pathLength === undefined ? [] : [tlv(0x02, Uint8Array.of(pathLength))])) },
  { id: OID.keyUsage, critical: true, value: keyUsage(5, 6) },
];

const signerExtensions = (): ExtensionValue[] => [
  { id: OID.basicConstraints, critical: true, value: sequence() },
  // digitalSignature + nonRepudiation (contentCommitment): signing contracts is a commitment.
  { id: OID.keyUsage, critical: true, value: keyUsage(0, 1) },
];

const timestampingExtensions = (): ExtensionValue[] => [
  { id: OID.basicConstraints, critical: true, value: sequence() },
  { id: OID.keyUsage, critical: true, value: keyUsage(0, 1) },
  // RFC 3161 §2.3: the TSA certificate's only extended key usage, marked critical.
  { id: OID.extKeyUsage, critical: true, value: sequence(oid(OID.timeStamping)) },
];

const distributionPoint = (url: string | undefined): ExtensionValue[] => (url ? [{ id: OID.crlDistributionPoints, critical: false, value: crlDistributionPoints(url) }] : []);

/** Revocations kept in memory, for a CA opened without a key store (tests of the CA alone). */
function memoryRecords(): KeyRecordStore {
  return createMemoryKeyRecordStore();
}

function keyIdentifier(publicKey: KeyObject): Uint8Array {
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const info = pkijs.PublicKeyInfo.fromBER(spki);
  return createHash('sha1').update(new Uint8Array(info.subjectPublicKey.valueBlock.valueHexView)).digest();
}

// ----------------------------------------------------------------------------- building

function signatureAlgorithm(keyType: KeyType): pkijs.AlgorithmIdentifier {
  return keyType === 'rsa'
    ? new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256WithRSAEncryption, algorithmParams: asn1js.fromBER(nullValue()).result })
    : new pkijs.AlgorithmIdentifier({ algorithmId: OID.ecdsaWithSHA256 });
}

function positiveSerial(): Uint8Array {
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x01; // positive, and never a leading zero byte
  return serial;
}

async function buildCertificate(options: {
  vault: KeyVault;
  signingKeyId: string;
  issuer: pkijs.RelativeDistinguishedNames;
  issuerPublicKey: KeyObject;
  subject: pkijs.RelativeDistinguishedNames;
  publicKey: KeyObject;
  now: Date;
  validityDays: number;
  extensions: ExtensionValue[];
}): Promise<Uint8Array> {
  const certificate = new pkijs.Certificate();
  certificate.version = 2;
  certificate.serialNumber = new asn1js.Integer({ valueHex: positiveSerial() });
  const algorithm = signatureAlgorithm(await options.vault.keyType(options.signingKeyId));
  certificate.signature = algorithm;
  certificate.signatureAlgorithm = algorithm;
  certificate.issuer = options.issuer;
  certificate.subject = options.subject;
  // A minute of back-dating absorbs clock skew between Sealflow and a verifier.
  certificate.notBefore = new pkijs.Time({ type: 0, value: new Date(options.now.getTime() - 60_000) });
  certificate.notAfter = new pkijs.Time({ type: 0, value: new Date(options.now.getTime() + options.validityDays * DAY) });
  certificate.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(options.publicKey.export({ format: 'der', type: 'spki' }));
  const extensions = [
    ...options.extensions,
    { id: OID.subjectKeyIdentifier, critical: false, value: tlv(0x04, keyIdentifier(options.publicKey)) },
    { id: OID.authorityKeyIdentifier, critical: false, value: sequence(tlv(0x80, keyIdentifier(options.issuerPublicKey))) },
  ];
  certificate.extensions = extensions.map((e) => new pkijs.Extension({ extnID: e.id, critical: e.critical, extnValue: toArrayBuffer(e.value) }));
  const tbs = new Uint8Array(certificate.encodeTBS().toBER());
  certificate.tbsView = tbs;
  const signature = await options.vault.sign(options.signingKeyId, tbs);
  certificate.signatureValue = new asn1js.BitString({ valueHex: toArrayBuffer(signature) });
  return new Uint8Array(certificate.toSchema().toBER());
}

export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/**
 * Signers' keys: ECDSA P-256. Every signer gets a fresh key, and an RSA-2048 key pair costs
 * ~100 ms of CPU to generate (two per contract were a quarter of a contract's CPU in
 * bench/throughput.bench.ts) where P-256 costs well under a millisecond, at equal or better
 * strength (128-bit against 112-bit). PAdES (ETSI TS 119 312), Adobe Acrobat, pdfsig (NSS)
 * and pyHanko all accept ECDSA with SHA-256. The CA's and the TSA's own keys stay RSA: made
 * once, they cost nothing per contract, and RSA issuers are what most trust lists hold.
 */
export const SIGNER_KEY_TYPE: KeyType = 'ec';

/** Enrolls a signer: generates their key in the vault (SIGNER_KEY_TYPE unless told), has the CA certify it, stores the chain. */
export async function enrollSigner(options: { vault: KeyVault; ca: CertificateAuthority; tenantId: string; signerId: string; subject: CertificateSubject; keyType?: KeyType }): Promise<Uint8Array[]> {
  const publicKey = await options.vault.createKey({ tenantId: options.tenantId, keyId: options.signerId, keyType: options.keyType ?? SIGNER_KEY_TYPE });
  const chain = await options.ca.issue({ subject: options.subject, publicKey, profile: 'signer' });
  await options.vault.setCertificateChain(options.signerId, chain);
  return chain;
}
