// Certificate facts for reports, and chain building to the caller's trust anchors with
// node:crypto's X509Certificate (issuer match + signature check + validity at a time).
import { X509Certificate } from 'node:crypto';
import * as pkijs from 'pkijs';
import { OID } from '../oids';

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

export function subjectFacts(certificate: pkijs.Certificate): SubjectFacts {
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
  const certificate = pkijs.Certificate.fromBER(der);
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
  const pool = [...intermediates, ...anchors].map((der) => ({ der, x509: new X509Certificate(der) }));
  const isAnchor = (der: Uint8Array): boolean => anchors.some((anchor) => Buffer.compare(anchor, der) === 0);
  const chain: Uint8Array[] = [leaf];
  const problems: string[] = [];
  let current = { der: leaf, x509: new X509Certificate(leaf) };
  for (let depth = 0; depth < 10; depth++) {
    const from = new Date(current.x509.validFrom);
    const to = new Date(current.x509.validTo);
    if (at < from || at > to) problems.push(`certificate "${current.x509.subject.replace(/\n/g, ', ')}" is not valid at ${at.toISOString()}`);
    if (isAnchor(current.der)) return { chain, trusted: problems.length === 0, problems };
    const issuer = pool.find((candidate) => candidate.der !== current.der && current.x509.checkIssued(candidate.x509) && current.x509.verify(candidate.x509.publicKey));
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
