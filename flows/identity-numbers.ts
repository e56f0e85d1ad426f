// Check characters of the two numbers real-name verification starts from: the resident ID
// number (公民身份号码, GB 11643-1999) and the unified social credit code (统一社会信用代码,
// GB 32100-2015). Pure code on the ground floor, so signing/ (certificate subjects) and
// identity/ (verification) share one definition.

const CREDIT_CODE_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** The 18th character of a unified social credit code, computed from the first 17; null if one of them cannot appear in a code. */
export function creditCodeCheckCharacterOf(first17: string): string | null {
  if (first17.length !== 17) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = CREDIT_CODE_CHARS.indexOf(first17[i]);
    if (value < 0) return null;
    sum += value * CREDIT_CODE_WEIGHTS[i];
  }
  return CREDIT_CODE_CHARS[(31 - (sum % 31)) % 31];
}

/** 18 characters of the GB 32100 alphabet whose last one is the check character of the others. */
export function isValidCreditCode(code: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(code)) return false;
  return creditCodeCheckCharacterOf(code.slice(0, 17)) === code[17];
}

/** ISO 7064 MOD 11-2 weights of the first 17 digits of an ID number. */
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** The 18th character of a resident ID number, computed from the first 17 digits; null if they are not 17 digits. */
export function idNumberCheckDigitOf(first17: string): string | null {
  if (!/^\d{17}$/.test(first17)) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11];
}

/** An ID number as people type it ("x" for "X", spaces around): the form every check and hash uses. */
export const normalizeIdNumber = (idNumber: string): string => idNumber.trim().toUpperCase();

/**
 * An 18-character resident ID number (GB 11643) whose check digit is right and whose birth
 * date (characters 7-14) is a real calendar day. Old 15-digit numbers are not accepted:
 * every card in use since 2013 carries 18.
 */
export function isValidIdNumber(idNumber: string): boolean {
  const id = normalizeIdNumber(idNumber);
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  const year = Number(id.slice(6, 10));
  const month = Number(id.slice(10, 12));
  const day = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(year, month - 1, day));
  if (year < 1900 || date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return false;
  return idNumberCheckDigitOf(id.slice(0, 17)) === id[17];
}
