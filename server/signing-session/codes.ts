// The SMS one-time code (verify: 'sms-otp'): sent only to the number on record, stored only
// as a keyed hash, fresh for five minutes, and not guessed at more than five times.
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { maskMobile } from '../../notify';
import type { SignerLink } from '../../store';
import { AppError } from '../errors';
import type { SessionContext } from './context';
import { mustBeOpen, type Resolved } from './links';
import { rethrow, inBatch } from './batch-errors';

export const OTP_TTL_MS = 5 * 60 * 1000;
export const OTP_RESEND_MS = 60 * 1000;
export const OTP_MAX_FAILURES = 5;

/** One number however it is written: no spaces or dashes, no +86 before a mainland number. */
export const sameMobile = (raw: string) => raw.trim().replace(/[\s-]/g, '').replace(/^\+86(?=1\d{10}$)/, '');

/** HMAC under the master key, bound to the link: a code's hash says nothing without both. */
export const otpHash = (secret: Uint8Array, link: Pick<SignerLink, 'tokenHash'>, code: string) =>
  createHmac('sha256', secret).update(`sealflow/otp/v1\0${link.tokenHash}\0${code}`).digest('hex');

/** The one-time code: present, fresh, right, and not guessed at more than five times. Used up only when everything else passes too. */
export async function checkOtp({ store, secret, clock }: SessionContext, link: SignerLink, code: string | undefined) {
  if (!link.otp) throw new AppError('otp_required', 'Ask for a verification code first', { status: 400, details: [{ path: '/otp', message: 'is required' }] });
  if (link.otp.failures >= OTP_MAX_FAILURES) throw new AppError('otp_locked', 'Too many wrong codes; ask for a new one', { status: 429 });
  if (Date.parse(link.otp.expiresAt) < clock().getTime()) throw new AppError('otp_expired', 'The code has expired; ask for a new one', { status: 410 });
  if (!code) throw new AppError('otp_required', 'Enter the 6-digit code sent to your mobile', { status: 400, details: [{ path: '/otp', message: 'is required' }] });
  const expected = Buffer.from(link.otp.hash, 'hex');
  const given = Buffer.from(otpHash(secret, link, code), 'hex');
  if (!timingSafeEqual(expected, given)) {
    const failures = await store.signerLinks.failOtp(link.tokenHash);
    if (failures >= OTP_MAX_FAILURES) throw new AppError('otp_locked', 'Too many wrong codes; ask for a new one', { status: 429 });
    throw new AppError('otp_invalid', `The code is wrong; ${OTP_MAX_FAILURES - failures} tries left`, { status: 400, details: [{ path: '/otp', message: 'is wrong' }] });
  }
}

/** Uses up the codes of links that just passed every check. */
export async function useOtp({ store }: SessionContext, link: SignerLink) {
  await store.signerLinks.clearOtp(link.tokenHash);
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
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const sentAt = new Date(now).toISOString();
  const expiresAt = new Date(now + OTP_TTL_MS).toISOString();
  // The same code for every link of a batch, each stored under its own link's hash.
  for (const { link } of batch) await store.signerLinks.setOtp(link.tokenHash, { hash: otpHash(secret, link, code), expiresAt, sentAt });
  const titles = batch.map(({ contract }) => `《${contract.title ?? contract.id}》`);
  const what = batch.length === 1 ? `您正在签署${titles[0]}` : `您正在批量签署 ${batch.length} 份合同（${titles.slice(0, 2).join('')}${batch.length > 2 ? '等' : ''}）`;
  // Only to the number on record: a code must prove the person holds that phone.
  await notifier.send(
    { channel: 'sms', to: mobile, subject: '签署验证码', body: `【Sealflow】${what}，验证码 ${code}，5 分钟内有效。请勿告诉他人。`, contractId: batch[0].contract.id },
    `${batch[0].link.tokenHash}:otp${batch.length > 1 ? `:batch${batch.length}` : ''}:${sentAt}`,
  );
  return { sentTo: maskMobile(mobile), expiresAt, retryAfterSeconds: OTP_RESEND_MS / 1000 };
}
