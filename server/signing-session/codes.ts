// The SMS one-time code (verify: 'sms-otp'): sent only to the number on record, stored only
// as a keyed hash, fresh for five minutes, and not guessed at more than five times. Wrong
// guesses are counted in the database in one statement, so a parallel burst cannot get past
// the cap; three lockouts (over all of a signer's links) lock them until the sender nudges (re-invites) this signer;
// a mobile number gets at most OTP_DAILY_MAX codes a day, whatever the links.
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { contractName, contractSender } from '../../flows';
import { maskMobile, shortenText, smsLength, SMS_SEGMENT } from '../../notify';
import type { SignerLink } from '../../store';
import { AppError } from '../errors';
import type { SessionContext } from './context';
import { mustBeOpen, type Resolved } from './links';
import { rethrow, inBatch } from './batch-errors';

export const OTP_TTL_MS = 5 * 60 * 1000;
export const OTP_RESEND_MS = 60 * 1000;
export const OTP_MAX_FAILURES = 5;
/** Lockouts (OTP_MAX_FAILURES wrong guesses at a code) before the link itself is locked. */
export const OTP_MAX_LOCKOUTS = 3;
/** Codes one mobile number may get in a day (China time), over all links. */
export const OTP_DAILY_MAX = 10;

/** The day in China (UTC+8, no daylight saving) and when the next one begins. */
export function chinaDay(now: number): { day: string; next: Date } {
  const shifted = new Date(now + 8 * 3600_000);
  const day = shifted.toISOString().slice(0, 10);
  return { day, next: new Date(Date.UTC(shifted.getUTCFullYear(), shifted.getUTCMonth(), shifted.getUTCDate() + 1) - 8 * 3600_000) };
}

const linkLocked = () =>
  new AppError('link_locked', `Too many wrong codes on this link (${OTP_MAX_LOCKOUTS} times); it is locked until the sender sends you the invitation again`, { status: 423 });
const otpLocked = () => new AppError('otp_locked', 'Too many wrong codes; ask for a new one', { status: 429 });

/** One number however it is written: no spaces or dashes, no +86 before a mainland number. */
export const sameMobile = (raw: string) => raw.trim().replace(/[\s-]/g, '').replace(/^\+86(?=1\d{10}$)/, '');

/** HMAC under the master key, bound to the link: a code's hash says nothing without both. */
export const otpHash = (secret: Uint8Array, link: Pick<SignerLink, 'tokenHash'>, code: string) =>
  createHmac('sha256', secret).update(`sealflow/otp/v1\0${link.tokenHash}\0${code}`).digest('hex');

/** The one-time code: present, fresh, right, and not guessed at more than five times. Used up only when everything else passes too. */
export async function checkOtp({ store, secret, clock }: SessionContext, link: SignerLink, code: string | undefined) {
  if ((await store.signerLinks.lockouts(link.tokenHash)) >= OTP_MAX_LOCKOUTS) throw linkLocked();
  if (!link.otp) throw new AppError('otp_required', 'Ask for a verification code first', { status: 400, details: [{ path: '/otp', message: 'is required' }] });
  if (link.otp.failures >= OTP_MAX_FAILURES) throw otpLocked();
  if (Date.parse(link.otp.expiresAt) < clock().getTime()) throw new AppError('otp_expired', 'The code has expired; ask for a new one', { status: 410 });
  if (!code) throw new AppError('otp_required', 'Enter the 6-digit code sent to your mobile', { status: 400, details: [{ path: '/otp', message: 'is required' }] });
  const expected = Buffer.from(link.otp.hash, 'hex');
  const given = Buffer.from(otpHash(secret, link, code), 'hex');
  if (!timingSafeEqual(expected, given)) {
    // Counted against the code as it was read: the database refuses to count past the cap.
    const counted = await store.signerLinks.failOtp(link.tokenHash, { otpHash: link.otp.hash, maxFailures: OTP_MAX_FAILURES });
    if (!counted) throw otpLocked();
    if (counted.failures >= OTP_MAX_FAILURES) throw (await store.signerLinks.lockouts(link.tokenHash)) >= OTP_MAX_LOCKOUTS ? linkLocked() : otpLocked();
    throw new AppError('otp_invalid', `The code is wrong; ${OTP_MAX_FAILURES - counted.failures} tries left`, { status: 400, details: [{ path: '/otp', message: 'is wrong' }] });
  }
}

/** Uses up the codes of links that just passed every check. */
export async function useOtp({ store }: SessionContext, link: SignerLink) {
  // Two requests with the right code at once: only one of them uses it.
  const used = await store.signerLinks.consumeOtp(link.tokenHash, { otpHash: link.otp!.hash, maxFailures: OTP_MAX_FAILURES });
  if (!used) throw new AppError('otp_used', 'This code was used or replaced a moment ago; ask for a new one', { status: 409, details: [{ path: '/otp', message: 'is no longer valid' }] });
}

/** Sends one code to the number on record of these links (one link, or a batch to the same number). */
export async function sendCode(ctx: SessionContext, batch: Resolved[], { asBatch }: { asBatch: boolean }) {
  const { store, notifier, secret, clock } = ctx;
  const blame = asBatch ? inBatch : rethrow;
  const now = clock().getTime();
  for (const [i, resolved] of batch.entries()) {
    try {
      mustBeOpen(resolved);
      const { signer, link } = resolved;
      if (signer.verify !== 'sms-otp') throw new AppError('otp_not_required', 'This signer needs no code', { status: 400 });
      if ((await store.signerLinks.lockouts(link.tokenHash)) >= OTP_MAX_LOCKOUTS) throw linkLocked();
      if (!signer.mobile) throw new AppError('no_mobile', 'There is no mobile number on record for you; ask the sender to add one', { status: 409 });
      const first = batch[0].signer.mobile!;
      if (sameMobile(signer.mobile) !== sameMobile(first)) {
        throw new AppError('mobile_mismatch', `This link's code goes to ${maskMobile(signer.mobile)}, not to ${maskMobile(first)} like /tokens/0; ask for codes separately`, { status: 400 });
      }
      const waited = link.otpSentAt ? now - Date.parse(link.otpSentAt) : Infinity;
      if (waited < OTP_RESEND_MS) {
        const retryAfterSeconds = Math.ceil((OTP_RESEND_MS - waited) / 1000);
        throw new AppError('otp_rate_limited', `Wait ${retryAfterSeconds} s before asking for another code`, { status: 429, details: [{ path: '/', message: `retry after ${retryAfterSeconds} s` }] });
      }
    } catch (error) {
      blame(i, error);
    }
  }
  const mobile = batch[0].signer.mobile!;
  const { day, next } = chinaDay(now);
  if ((await store.signerLinks.countCodeSent(sameMobile(mobile), day, OTP_DAILY_MAX)) === null) {
    const retryAfterSeconds = Math.ceil((next.getTime() - now) / 1000);
    throw new AppError('otp_daily_limit', `${maskMobile(mobile)} has had ${OTP_DAILY_MAX} codes today; ask again after ${next.toISOString()}`, {
      status: 429,
      details: [{ path: '/', message: `retry after ${next.toISOString()} (${retryAfterSeconds} s)` }],
    });
  }
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const sentAt = new Date(now).toISOString();
  const expiresAt = new Date(now + OTP_TTL_MS).toISOString();
  // The same code for every link of a batch, each stored under its own link's hash.
  for (const { link } of batch) await store.signerLinks.setOtp(link.tokenHash, { hash: otpHash(secret, link, code), expiresAt, sentAt });
  // One SMS segment, signed like the invitation: titles are shortened until it fits.
  const sender = shortenText(ctx.companyName || contractSender(batch[0].contract, batch[0].signer.id), 12);
  const text = (max: number) => {
    const titles = batch.map(({ contract }) => `《${shortenText(contractName(contract), max)}》`);
    const what = batch.length === 1 ? `您正在签署${titles[0]}` : `您正在批量签署 ${batch.length} 份合同（${titles.slice(0, 2).join('')}${batch.length > 2 ? '等' : ''}）`;
    return `【${sender}】${what}，验证码 ${code}，5 分钟内有效。请勿告诉他人。`;
  };
  let titleMax = 60;
  while (titleMax > 2 && smsLength(text(titleMax)) > SMS_SEGMENT) titleMax -= 1;
  // Only to the number on record: a code must prove the person holds that phone.
  await notifier.send(
    { channel: 'sms', to: mobile, subject: '签署验证码', body: text(titleMax), contractId: batch[0].contract.id, secrets: [code] },
    `${batch[0].link.tokenHash}:otp${batch.length > 1 ? `:batch${batch.length}` : ''}:${sentAt}`,
  );
  return { sentTo: maskMobile(mobile), expiresAt, retryAfterSeconds: OTP_RESEND_MS / 1000 };
}
