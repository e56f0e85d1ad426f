// Who a certificate names. Companies by name and unified social credit code
// (统一社会信用代码, GB 32100-2015); persons by name and a keyed hash of their ID number —
// the number itself never reaches a certificate, a CA or a log.
import { createHmac } from 'node:crypto';
import { SigningError } from './errors';

export type CertificateSubject =
  | { kind: 'company'; name: string; creditCode: string }
  | { kind: 'person'; name: string; /** hex HMAC-SHA256, see hashIdNumber */ idNumberHash: string }
  | { kind: 'service'; commonName: string; organization?: string };

const CREDIT_CODE_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** The 18th character of a unified social credit code, computed from the first 17. */
export function creditCodeCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = CREDIT_CODE_CHARS.indexOf(first17[i]);
    if (value < 0) throw new SigningError('INVALID_SUBJECT', `"${first17[i]}" cannot appear in a unified social credit code`);
    sum += value * CREDIT_CODE_WEIGHTS[i];
  }
  return CREDIT_CODE_CHARS[(31 - (sum % 31)) % 31];
}

export function isValidCreditCode(code: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(code)) return false;
  return creditCodeCheckCharacter(code.slice(0, 17)) === code[17];
}

/**
 * A person's ID number as it may appear in a certificate: HMAC-SHA256 under a key only
 * Sealflow holds. A plain hash would not do — an 18-digit resident ID has few enough
 * plausible values (region, birth date, sequence) to be found by trying them all.
 */
export function hashIdNumber(idNumber: string, pepper: Uint8Array): string {
  const normalized = idNumber.trim().toUpperCase();
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
