// Who a certificate names. Companies by name and unified social credit code
// (统一社会信用代码, GB 32100-2015); persons by name and a keyed hash of their ID number —
// the number itself never reaches a certificate, a CA or a log.
import { createHmac } from 'node:crypto';
import { creditCodeCheckCharacterOf, isValidCreditCode, normalizeIdNumber } from '../flows';
import { SigningError } from './errors';

export type CertificateSubject =
  | { kind: 'company'; name: string; creditCode: string }
  | { kind: 'person'; name: string; /** hex HMAC-SHA256, see hashIdNumber */ idNumberHash: string }
  | { kind: 'service'; commonName: string; organization?: string };

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
