// Certificate facts for reports, and chain building to the caller's trust anchors with
// node:crypto's X509Certificate (issuer match + signature check + validity at a time).
// The same few certificates (our CA, TSA and signers) come back in every PDF: each is
// parsed once and its facts kept, and so is each issuer signature checked — parsing them
// anew cost more per verification than everything else together.
import { X509Certificate } from 'node:crypto';
import * as pkijs from 'pkijs';
import { OID } from '../oids';
import { children, content, encoded, expectTag, readNode } from './der-reader';

export interface CertificateSummary {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
}

export interface SubjectFacts {
  commonName?: string;
  organization?: string;
  /** 统一社会信用代码, from organizationIdentifier "NTRCN-…" */
  creditCode?: string;
  /** The subject serialNumber (for persons: the keyed hash of the ID number). */
  serialNumber?: string;
}

const ATTRIBUTE_NAMES: Record<string, string> = {
  [OID.commonName]: 'CN',
  [OID.organization]: 'O',
  [OID.organizationalUnit]: 'OU',
  [OID.country]: 'C',
  [OID.serialNumber]: 'serialNumber',
  [OID.organizationIdentifier]: 'organizationIdentifier',
};

function attributes(name: pkijs.RelativeDistinguishedNames): [string, string][] {
  return name.typesAndValues.map((tv) => [ATTRIBUTE_NAMES[tv.type] ?? tv.type, String((tv.value.valueBlock as { value?: unknown }).value ?? '')]);
}

export const nameText = (name: pkijs.RelativeDistinguishedNames): string =>
  attributes(name)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

/** What the verifier needs of one certificate, computed once per distinct DER. */
export interface CertificateFacts {
  der: Uint8Array;
  x509: X509Certificate;
  /** DER of the issuer Name and the serial number's INTEGER contents, as SignerInfo and ESS name them. */
  issuerDer: Uint8Array;
  serialDer: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  subject: SubjectFacts;
  summary: CertificateSummary;
  subjectText: string;
  timeStamping: { present: boolean; critical: boolean };
  /** Issuer signature checks already made: issuer cache key → verified. */
  verifiedBy: Map<string, boolean>;
}

const FACTS_KEPT = 512;
const factsByDer = new Map<string, CertificateFacts>();

/** Facts of a DER certificate; throws on one that node:crypto or pkijs cannot parse. */
export function certificateFacts(der: Uint8Array): CertificateFacts {
  const key = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const known = factsByDer.get(key);
  if (known) return known;
  const x509 = new X509Certificate(der);
  const certificate = pkijs.Certificate.fromBER(der);
  const tbs = children(expectTag(children(expectTag(readNode(der, 0), 0x30, 'Certificate'))[0], 0x30, 'TBSCertificate'));
  const offset = tbs[0]?.tag === 0xa0 ? 1 : 0;
  const facts: CertificateFacts = {
    der: new Uint8Array(der),
    x509,
    issuerDer: new Uint8Array(encoded(tbs[offset + 2])),
    serialDer: new Uint8Array(content(expectTag(tbs[offset], 0x02, 'serialNumber'))),
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
    subject: subjectFactsOf(certificate),
    summary: summaryOf(certificate),
    subjectText: nameText(certificate.subject),
    timeStamping: hasExtendedKeyUsage(certificate, OID.timeStamping),
    verifiedBy: new Map(),
  };
  if (factsByDer.size >= FACTS_KEPT) factsByDer.delete(factsByDer.keys().next().value!);
  factsByDer.set(key, facts);
  return facts;
}

const cacheKey = (facts: CertificateFacts): string => facts.x509.fingerprint256;

/** Subject facts of a certificate (DER, or already parsed by pkijs). */
export function subjectFacts(certificate: Uint8Array | pkijs.Certificate): SubjectFacts {
  return certificate instanceof Uint8Array ? { ...certificateFacts(certificate).subject } : subjectFactsOf(certificate);
}

function subjectFactsOf(certificate: pkijs.Certificate): SubjectFacts {
  const facts: SubjectFacts = {};
  for (const [key, value] of attributes(certificate.subject)) {
    if (key === 'CN') facts.commonName = value;
    else if (key === 'O') facts.organization = value;
    else if (key === 'serialNumber') facts.serialNumber = value;
    else if (key === 'organizationIdentifier') facts.creditCode = value.replace(/^NTRCN-/, '');
  }
  return facts;
}

export function summarize(der: Uint8Array): CertificateSummary {
  return { ...certificateFacts(der).summary };
}

function summaryOf(certificate: pkijs.Certificate): CertificateSummary {
  return {
    subject: nameText(certificate.subject),
    issuer: nameText(certificate.issuer),
    serialNumber: Buffer.from(certificate.serialNumber.valueBlock.valueHexView).toString('hex'),
    notBefore: certificate.notBefore.value.toISOString(),
    notAfter: certificate.notAfter.value.toISOString(),
  };
}

export interface ChainResult {
  /** Leaf first, up to the anchor when one was reached. */
  chain: Uint8Array[];
  trusted: boolean;
  problems: string[];
}

/** Builds the path from `leaf` through `intermediates` to one of `anchors`, checked at `at`. */
export function buildChain(leaf: Uint8Array, intermediates: readonly Uint8Array[], anchors: readonly Uint8Array[], at: Date): ChainResult {
  const pool = [...intermediates, ...anchors].map(certificateFacts);
  const isAnchor = (der: Uint8Array): boolean => anchors.some((anchor) => Buffer.compare(anchor, der) === 0);
  const chain: Uint8Array[] = [leaf];
  const problems: string[] = [];
  const signedBy = (child: CertificateFacts, issuer: CertificateFacts): boolean => {
    let verified = child.verifiedBy.get(cacheKey(issuer));
    if (verified === undefined) {
      verified = child.x509.checkIssued(issuer.x509) && child.x509.verify(issuer.x509.publicKey);
      child.verifiedBy.set(cacheKey(issuer), verified);
    }
    return verified;
  };
  let current = certificateFacts(leaf);
  for (let depth = 0; depth < 10; depth++) {
    if (at < current.notBefore || at > current.notAfter) problems.push(`certificate "${current.x509.subject.replace(/\n/g, ', ')}" is not valid at ${at.toISOString()}`);
    if (isAnchor(current.der)) return { chain, trusted: problems.length === 0, problems };
    const from = current;
    const issuer = pool.find((candidate) => Buffer.compare(candidate.der, from.der) !== 0 && signedBy(from, candidate));
    if (!issuer) {
      problems.push(current.x509.checkIssued(current.x509) ? 'the chain ends at a root that is not a trust anchor' : 'the issuer of a certificate in the chain is missing');
      return { chain, trusted: false, problems };
    }
    if (!issuer.x509.ca) problems.push('a certificate in the chain was issued by a non-CA certificate');
    chain.push(issuer.der);
    current = issuer;
  }
  problems.push('the chain is too long');
  return { chain, trusted: false, problems };
}

export function hasExtendedKeyUsage(certificate: pkijs.Certificate, usage: string): { present: boolean; critical: boolean } {
  const extension = certificate.extensions?.find((e) => e.extnID === OID.extKeyUsage);
  const parsed = extension?.parsedValue as pkijs.ExtKeyUsage | undefined;
  return { present: parsed?.keyPurposes.includes(usage) ?? false, critical: extension?.critical ?? false };
}
