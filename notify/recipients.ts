// Recipients: what we accept as an email address or a mobile number, and how a page shows
// where a code went without showing the whole address.
import { NotifyError } from './errors';

const E164 = /^\+[1-9]\d{6,14}$/;
/** Mainland China mobile numbers: 11 digits, 13x-19x. */
const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;

/**
 * The number to send to: E.164 (`+8613800138000`, `+14155550123`) or a mainland 11-digit
 * number (`13800138000`). Spaces and hyphens are dropped; anything else is refused.
 */
export function normalizeMobile(raw: string): string {
  const compact = raw.trim().replace(/[\s-]/g, '');
  if (E164.test(compact) || MAINLAND_MOBILE.test(compact)) return compact;
  throw new NotifyError(
    'invalid_recipient',
    `"${maskMobile(raw)}" is not a mobile number: expected E.164 (e.g. +8613800138000) or a mainland 11-digit number starting with 1`,
    { retryable: false },
  );
}

// One plain address, nothing a mail header could be split on: no display name, no list.
const EMAIL = /^[^\s@<>()[\],;:"\\]+@[^\s@<>()[\],;:"\\]+$/;

export function normalizeEmail(raw: string): string {
  const address = raw.trim();
  if (EMAIL.test(address) && !/[\u0000-\u001f\u007f]/.test(address)) return address;
  throw new NotifyError('invalid_recipient', `"${maskEmail(raw)}" is not a single email address (e.g. name@example.com)`, { retryable: false });
}

/** `13800138000` → `138****8000`, `+8613800138000` → `+86138****8000`. */
export function maskMobile(raw: string): string {
  const number = raw.trim().replace(/[\s-]/g, '');
  if (number.length <= 6) return '*'.repeat(number.length);
  const head = number.startsWith('+86') ? 6 : number.startsWith('+') ? 4 : 3;
  const tail = 4;
  if (number.length <= head + tail) return `${number.slice(0, 2)}${'*'.repeat(number.length - 4)}${number.slice(-2)}`;
  return `${number.slice(0, head)}${'*'.repeat(number.length - head - tail)}${number.slice(-tail)}`;
}

/** `zhangsan@example.com` → `zha***@example.com`: a third of the name at most, and the domain. */
export function maskEmail(raw: string): string {
  const address = raw.trim();
  const at = address.lastIndexOf('@');
  if (at <= 0) return '***';
  const local = address.slice(0, at);
  const keep = local.length <= 1 ? 0 : Math.min(3, Math.ceil(local.length / 3));
  return `${local.slice(0, keep)}***${address.slice(at)}`;
}
