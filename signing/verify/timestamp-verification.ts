// Verifies an RFC 3161 timestamp token: its CMS signature, that it stamps the expected
// data (the signature value, or the document's byte ranges), the TSA certificate's
// timeStamping usage, and the TSA's chain to the trust anchors.
import { createHash } from 'node:crypto';
import { hashAlgorithmFromOid, OID } from '../oids';
import { buildChain, certificateFacts, type CertificateSummary } from './certificates';
import { verifyCms } from './cms-verification';
import { children, content, expectTag, oidText, readNode, timeValue } from './der-reader';

/** TSTInfo ::= SEQUENCE { version, policy, messageImprint { hashAlgorithm, hashedMessage }, serialNumber, genTime, … } */
function readTstInfo(der: Uint8Array): { hashAlgorithmOid: string; hashedMessage: Uint8Array; genTime: Date } {
  const parts = children(expectTag(readNode(der, 0), 0x30, 'TSTInfo'));
  const [algorithm, hashed] = children(expectTag(parts[2], 0x30, 'messageImprint'));
  return { hashAlgorithmOid: oidText(children(expectTag(algorithm, 0x30, 'hashAlgorithm'))[0]), hashedMessage: content(expectTag(hashed, 0x04, 'hashedMessage')), genTime: timeValue(expectTag(parts[4], 0x18, 'genTime')) };
}

export interface TimestampReport {
  time: string;
  tsa: string;
  /** The token's message imprint equals the hash of what it should stamp. */
  imprintMatches: boolean;
  /** The TSA's CMS signature over the TSTInfo is valid. */
  signatureValid: boolean;
  /** The TSA certificate chains to a trust anchor and is a timestamping certificate. */
  trusted: boolean;
  tsaCertificate?: CertificateSummary;
  problems: string[];
}

export function verifyTimestampToken(token: Uint8Array, stamped: readonly Uint8Array[], anchors: readonly Uint8Array[]): TimestampReport {
  const problems: string[] = [];
  const cms = verifyCms(token);
  problems.push(...cms.problems.map((p) => `timestamp: ${p}`));
  if (cms.eContentType !== OID.tstInfo || !cms.eContent) {
    return { time: '', tsa: '', imprintMatches: false, signatureValid: false, trusted: false, problems: [...problems, 'timestamp: the token has no TSTInfo'] };
  }
  const tstInfo = readTstInfo(cms.eContent);
  const algorithm = hashAlgorithmFromOid(tstInfo.hashAlgorithmOid);
  const hash = algorithm ? createHash(algorithm) : undefined;
  for (const part of stamped) hash?.update(part);
  const imprintMatches = !!hash && Buffer.compare(hash.digest(), tstInfo.hashedMessage) === 0;
  if (!imprintMatches) problems.push('timestamp: the token stamps other data than this signature');

  let trusted = false;
  let tsa = '';
  let tsaCertificate: CertificateSummary | undefined;
  if (cms.signerCertificate) {
    const facts = certificateFacts(cms.signerCertificate);
    tsa = facts.subjectText;
    tsaCertificate = { ...facts.summary };
    const usage = facts.timeStamping;
    if (!usage.present || !usage.critical) problems.push('timestamp: the TSA certificate lacks a critical timeStamping extended key usage');
    const chain = buildChain(cms.signerCertificate, cms.certificates, anchors, tstInfo.genTime);
    problems.push(...chain.problems.map((p) => `timestamp: ${p}`));
    trusted = chain.trusted && usage.present && usage.critical;
  }
  const signatureValid = cms.signatureValid && cms.digestMatches && cms.signingCertificateBound;
  return { time: tstInfo.genTime.toISOString(), tsa, imprintMatches, signatureValid, trusted, tsaCertificate, problems };
}
