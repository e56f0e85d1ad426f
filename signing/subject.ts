// Who a certificate names. Companies by name and unified social credit code
// (统一社会信用代码, GB 32100-2015); persons by name and a keyed hash of their ID number —
// the number itself never reaches a certificate, a CA or a log.
import { createHmac } from 'node:crypto';
import { creditCodeCheckCharacterOf, isValidCreditCode, normalizeIdNumber } from '../flows';
import { SigningError } from './errors';

export type CertificateSubject =
  | { kind: 'company'; name: string; creditCode: string; verification?: IdentityVerification }
  | { kind: 'person'; name: string; /** hex HMAC-SHA256, see hashIdNumber */ idNumberHash: string; verification?: IdentityVerification }
  | { kind: 'service'; commonName: string; organization?: string; /** Put in the subject's description attribute. */ description?: string };

/**
 * How the subject's identity was verified (实名认证), from the hub's verified-identity record;
 * written into the subject's description attribute (2.5.4.13), so a relying party reading the
 * certificate sees the level, the method, the provider and when, without Sealflow.
 */
export interface IdentityVerification {
  level: string;
  method: string;
  provider: string;
  verifiedAt: string;
  /** The record's id in the hub (identity_records.id), for the evidence package. */
  recordId: string;
}

/** The description attribute's text (ASCII, so every tool prints it as it is). */
export const verificationDescription = (v: IdentityVerification): string =>
  `identity verified: level=${v.level} method=${v.method} provider=${v.provider} at=${v.verifiedAt} record=${v.recordId}`;

/** What a certificate of a signer nobody verified says about it. */
export const UNVERIFIED_DESCRIPTION = 'identity not verified: name as the contract gives it';

/** The key of the ID-number HMAC, derived from the master key: the CA and the identity records use this one key, so both name a person alike. */
export const idNumberHashKey = (masterKey: Uint8Array): Buffer => createHmac('sha256', masterKey).update('sealflow/id-number-hash/v1').digest();

/** A verified identity record as the CA reads it (store/identities IdentityRecord has this shape). */
export interface VerifiedIdentity {
  id: string;
  level: string;
  method: string;
  provider: string;
  verifiedAt: string;
  subject: { kind: 'person' | 'company'; name: string; idNumberHmac: string | null; creditCode: string | null };
}

/**
 * The subject of a certificate issued from a verified identity record — its name, the HMAC of
 * the ID number or the credit code the provider confirmed — never from contract data.
 */
export function verifiedSubject(record: VerifiedIdentity): CertificateSubject {
  const verification: IdentityVerification = { level: record.level, method: record.method, provider: record.provider, verifiedAt: record.verifiedAt, recordId: record.id };
  if (record.subject.kind === 'company') {
    if (!record.subject.creditCode) throw new SigningError('INVALID_SUBJECT', `identity record ${record.id} names a company without a credit code`);
    return { ...companySubject({ name: record.subject.name, creditCode: record.subject.creditCode }), verification } as CertificateSubject;
  }
  if (!record.subject.idNumberHmac || !/^[0-9a-f]{64}$/.test(record.subject.idNumberHmac)) throw new SigningError('INVALID_SUBJECT', `identity record ${record.id} names a person without an ID-number HMAC`);
  if (!record.subject.name.trim()) throw new SigningError('INVALID_SUBJECT', 'a person needs a name');
  return { kind: 'person', name: record.subject.name.trim(), idNumberHash: record.subject.idNumberHmac, verification };
}

/** The 18th character of a unified social credit code, computed from the first 17 (GB 32100, see flows/identity-numbers). */
export function creditCodeCheckCharacter(first17: string): string {
  const check = creditCodeCheckCharacterOf(first17);
  if (check === null) throw new SigningError('INVALID_SUBJECT', `"${first17}" is not the first 17 characters of a unified social credit code`);
  return check;
}

export { isValidCreditCode };

/**
 * A person's ID number as it may appear in a certificate: HMAC-SHA256 under a key only
 * Sealflow holds. A plain hash would not do — an 18-digit resident ID has few enough
 * plausible values (region, birth date, sequence) to be found by trying them all.
 */
export function hashIdNumber(idNumber: string, pepper: Uint8Array): string {
  const normalized = normalizeIdNumber(idNumber);
  if (!/^[0-9A-Z]{6,18}$/.test(normalized)) throw new SigningError('INVALID_SUBJECT', 'the ID number has an unexpected form');
  return createHmac('sha256', pepper).update(normalized, 'utf8').digest('hex');
}

export function companySubject(options: { name: string; creditCode: string }): CertificateSubject {
  const creditCode = options.creditCode.trim().toUpperCase();
  if (!isValidCreditCode(creditCode)) throw new SigningError('INVALID_SUBJECT', `"${options.creditCode}" is not a valid unified social credit code`);
  if (!options.name.trim()) throw new SigningError('INVALID_SUBJECT', 'a company needs a name');
  return { kind: 'company', name: options.name.trim(), creditCode };
}

export function personSubject(options: { name: string; idNumber: string; idHashKey: Uint8Array }): CertificateSubject {
  if (!options.name.trim()) throw new SigningError('INVALID_SUBJECT', 'a person needs a name');
  return { kind: 'person', name: options.name.trim(), idNumberHash: hashIdNumber(options.idNumber, options.idHashKey) };
}

/** organizationIdentifier value per ETSI EN 319 412-1: "NTR" + country + "-" + registration number. */
export const organizationIdentifier = (creditCode: string): string => `NTRCN-${creditCode}`;
