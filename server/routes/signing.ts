// The signer's side: everything a personal link can do. A link is its own credential
// (an unguessable token, stored only as a hash, bound to one signer of one contract), so
// these routes take no bearer token; every requirement of the flow is checked here, on
// the server, whatever the page did.
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { ContractState, SignerState } from '../../flows';
import { maskMobile, type Notifier } from '../../notify';
import type { SignerLink, Store } from '../../store';
import type { ContractService } from '../contracts';
import { AppError, notFound } from '../errors';
import { defineRoute } from '../route';

export const OTP_TTL_MS = 5 * 60 * 1000;
export const OTP_RESEND_MS = 60 * 1000;
export const OTP_MAX_FAILURES = 5;

const ReadBody = Type.Object({ document: Type.String({ minLength: 1 }), page: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
const SignBody = Type.Object({ otp: Type.Optional(Type.String({ pattern: '^[0-9]{6}$', description: 'the 6-digit code sent by SMS' })), read: Type.Literal(true) }, { additionalProperties: false });
const DeclineBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });
const NudgeBody = Type.Object({ signer: Type.Optional(Type.String({ minLength: 1 })) }, { additionalProperties: false });

interface Resolved {
  link: SignerLink;
  contract: ContractState;
  signer: SignerState;
}

/** What the signer's page shows: whose turn it is, in the signer's words. */
function pageStatus({ contract, signer }: Resolved): 'pending' | 'waiting' | 'signed' | 'declined' | 'closed' {
  if (signer.status === 'signed') return 'signed';
  if (signer.status === 'declined') return 'declined';
  if (contract.status !== 'signing') return 'closed';
  return signer.status === 'waiting' ? 'waiting' : 'pending';
}

export function signingRoutes({ store, contracts, notifier, secret }: { store: Store; contracts: ContractService; notifier: Notifier; secret: Uint8Array }) {
  const otpHash = (link: SignerLink, code: string) => createHmac('sha256', secret).update(`sealflow/otp/v1\0${link.tokenHash}\0${code}`).digest('hex');

  async function resolve(token: string): Promise<Resolved> {
    const link = await store.signerLinks.byToken(token);
    if (!link) throw new AppError('link_not_found', 'This signing link does not exist', { status: 404 });
    const contract = await store.contracts.get(link.contractId);
    const signer = contract?.signers.find((s) => s.id === link.signerId);
    if (!contract || !signer) throw new AppError('link_not_found', 'This signing link does not exist', { status: 404 });
    if (Date.parse(link.expiresAt) < Date.now()) throw new AppError('link_expired', `This signing link expired at ${link.expiresAt}`, { status: 410 });
    return { link, contract, signer };
  }

  const signerDocuments = ({ contract, signer }: Resolved) => contract.documents.filter((d) => signer.documents.includes(d.id));

  async function unread(resolved: Resolved): Promise<{ path: string; message: string }[]> {
    const read = await store.signerLinks.pagesRead(resolved.link.tokenHash);
    return signerDocuments(resolved).flatMap((doc) => {
      const missing = Array.from({ length: doc.pages }, (_, i) => i + 1).filter((page) => !read[doc.id]?.includes(page));
      return missing.length ? [{ path: `/documents/${doc.id}`, message: `pages ${missing.join(', ')} not read yet` }] : [];
    });
  }

  function mustBeOpen(resolved: Resolved) {
    const status = pageStatus(resolved);
    if (status === 'signed') throw new AppError('already_signed', 'You have already signed this contract', { status: 409 });
    if (status === 'declined') throw new AppError('not_signing', 'You declined this contract', { status: 409 });
    if (status === 'closed') throw new AppError('not_signing', `This contract is ${resolved.contract.status} and no longer open for signing`, { status: 409 });
    if (status === 'waiting') throw new AppError('not_your_turn', 'Others sign before you; you will be told when it is your turn', { status: 409 });
  }

  /** The one-time code: present, fresh, right, and not guessed at more than five times. */
  async function checkOtp(link: SignerLink, code: string | undefined) {
    if (!link.otp) throw new AppError('otp_required', 'Ask for a verification code first', { status: 400, details: [{ path: '/otp', message: 'is required' }] });
    if (link.otp.failures >= OTP_MAX_FAILURES) throw new AppError('otp_locked', 'Too many wrong codes; ask for a new one', { status: 429 });
    if (Date.parse(link.otp.expiresAt) < Date.now()) throw new AppError('otp_expired', 'The code has expired; ask for a new one', { status: 410 });
    if (!code) throw new AppError('otp_required', 'Enter the 6-digit code sent to your mobile', { status: 400, details: [{ path: '/otp', message: 'is required' }] });
    const expected = Buffer.from(link.otp.hash, 'hex');
    const given = Buffer.from(otpHash(link, code), 'hex');
    if (!timingSafeEqual(expected, given)) {
      const failures = await store.signerLinks.failOtp(link.tokenHash);
      if (failures >= OTP_MAX_FAILURES) throw new AppError('otp_locked', 'Too many wrong codes; ask for a new one', { status: 429 });
      throw new AppError('otp_invalid', `The code is wrong; ${OTP_MAX_FAILURES - failures} tries left`, { status: 400, details: [{ path: '/otp', message: 'is wrong' }] });
    }
    await store.signerLinks.clearOtp(link.tokenHash);
  }

  const evidence = (req: { ip?: string; get(name: string): string | undefined }, intent: string) => ({ ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null, intent });

  return [
    defineRoute({
      method: 'get', path: '/api/sign/:token', tag: 'signing', access: 'public',
      summary: "The signer's view of their link: contract, their documents, requirements, what has been read",
      responses: { 200: { description: 'the signing session' }, 404: { description: 'no such link' }, 410: { description: 'the link expired' } },
      handler: async ({ params }) => {
        const resolved = await resolve(params.token);
        const { contract, signer, link } = resolved;
        return {
          body: {
            contract: { id: contract.id, title: contract.title, status: contract.status, deadline: contract.signingDeadline },
            signer: { id: signer.id, name: signer.name, party: signer.party, prompt: signer.prompt, mustRead: signer.mustRead, verify: signer.verify, mobile: signer.mobile ? maskMobile(signer.mobile) : null },
            documents: signerDocuments(resolved).map((d) => ({ id: d.id, title: d.title, pages: d.pages, url: `/api/sign/${params.token}/documents/${d.id}.pdf` })),
            status: pageStatus(resolved),
            read: await store.signerLinks.pagesRead(link.tokenHash),
          },
        };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/sign/:token/documents/:doc.pdf', tag: 'signing', access: 'public',
      summary: 'One of the signer’s documents, as it stands now',
      responses: { 200: { description: 'the PDF', contentType: 'application/pdf' }, 404: { description: 'not one of this signer’s documents' } },
      handler: async ({ params }) => {
        const resolved = await resolve(params.token);
        const doc = signerDocuments(resolved).find((d) => d.id === params.doc);
        const stored = doc ? await store.documents.get(doc.sha256) : null;
        if (!doc || !stored) throw notFound(`Document "${params.doc}"`);
        return { body: stored.content, contentType: 'application/pdf', headers: { 'cache-control': 'no-store' } };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/sign/:token/read', tag: 'signing', access: 'public', body: ReadBody,
      summary: 'Records that the signer scrolled through a page (mustRead)',
      responses: { 200: { description: 'pages read so far, and whether that is all of them' } },
      handler: async ({ params, body }) => {
        const resolved = await resolve(params.token);
        const doc = signerDocuments(resolved).find((d) => d.id === body.document);
        if (!doc) throw new AppError('invalid_body', `"${body.document}" is not one of your documents`, { details: [{ path: '/document', message: 'names none of your documents' }] });
        if (body.page > doc.pages) throw new AppError('invalid_body', `"${body.document}" has ${doc.pages} pages`, { details: [{ path: '/page', message: `must be at most ${doc.pages}` }] });
        await store.signerLinks.markRead(resolved.link.tokenHash, doc.id, body.page);
        return { body: { read: await store.signerLinks.pagesRead(resolved.link.tokenHash), complete: (await unread(resolved)).length === 0 } };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/sign/:token/otp', tag: 'signing', access: 'public',
      summary: 'Sends a 6-digit code, valid 5 minutes, to the mobile number on record for this signer',
      responses: { 200: { description: 'where it went (masked) and until when it holds' }, 429: { description: 'asked again too soon' } },
      handler: async ({ params }) => {
        const resolved = await resolve(params.token);
        mustBeOpen(resolved);
        const { link, signer, contract } = resolved;
        if (signer.verify !== 'sms-otp') throw new AppError('otp_not_required', 'This signer needs no code', { status: 400 });
        if (!signer.mobile) throw new AppError('no_mobile', 'There is no mobile number on record for you; ask the sender to add one', { status: 409 });
        const waited = link.otpSentAt ? Date.now() - Date.parse(link.otpSentAt) : Infinity;
        if (waited < OTP_RESEND_MS) {
          const retryAfterSeconds = Math.ceil((OTP_RESEND_MS - waited) / 1000);
          throw new AppError('otp_rate_limited', `Wait ${retryAfterSeconds} s before asking for another code`, { status: 429, details: [{ path: '/', message: `retry after ${retryAfterSeconds} s` }] });
        }
        const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
        const sentAt = new Date().toISOString();
        const expiresAt = new Date(Date.now() + OTP_TTL_MS).toISOString();
        await store.signerLinks.setOtp(link.tokenHash, { hash: otpHash(link, code), expiresAt, sentAt });
        // Only to the number on record: a code must prove the person holds that phone.
        await notifier.send({ channel: 'sms', to: signer.mobile, subject: '签署验证码', body: `【Sealflow】您正在签署《${contract.title ?? contract.id}》，验证码 ${code}，5 分钟内有效。请勿告诉他人。`, contractId: contract.id }, `${link.tokenHash}:otp:${sentAt}`);
        return { body: { sentTo: maskMobile(signer.mobile), expiresAt, retryAfterSeconds: OTP_RESEND_MS / 1000 } };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/sign/:token', tag: 'signing', access: 'public', body: SignBody,
      summary: "Signs: checks the flow's requirements (every page read, the SMS code), then applies the signer's signatures",
      responses: { 200: { description: 'signed' }, 400: { description: 'wrong or missing code' }, 409: { description: 'not read, not your turn, already signed' }, 410: { description: 'link or code expired' }, 429: { description: 'too many wrong codes' } },
      handler: async ({ params, body, req }) => {
        const resolved = await resolve(params.token);
        mustBeOpen(resolved);
        const { signer, contract, link } = resolved;
        const intent = ['personal link'];
        if (signer.mustRead) {
          const missing = await unread(resolved);
          if (missing.length) throw new AppError('not_read', 'Read every page of every document before signing', { status: 409, details: missing });
          intent.push('read every page');
        }
        if (signer.verify === 'sms-otp') {
          await checkOtp(link, body.otp);
          intent.push(`sms-otp to ${maskMobile(signer.mobile ?? '')}`);
        }
        if (signer.verify === 'face') throw new AppError('face_unavailable', 'Face verification has no provider configured on this hub', { status: 501 });
        const signed = await contracts.sign(contract.id, { signerId: signer.id, evidence: evidence(req, intent.join(' + ')) });
        return { body: { status: 'signed', contract: { status: signed.status } } };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/sign/:token/decline', tag: 'signing', access: 'public', body: DeclineBody,
      summary: 'Declines to sign, with a reason; the contract ends as declined and every party is told',
      responses: { 200: { description: 'declined' } },
      handler: async ({ params, body, req }) => {
        const resolved = await resolve(params.token);
        mustBeOpen(resolved);
        await contracts.decline(resolved.contract.id, { signerId: resolved.signer.id, reason: body.reason, evidence: evidence(req, 'personal link') });
        return { body: { status: 'declined' } };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/contracts/:id/nudge', tag: 'contracts', access: 'user', body: NudgeBody,
      summary: '催办: remind one signer (or every signer whose turn it is) at once; at most once an hour per signer',
      responses: { 200: { description: 'who was nudged' }, 409: { description: 'nobody is waiting to sign' }, 429: { description: 'nudged within the hour; the message says when the next nudge is allowed' } },
      handler: async ({ params, body, actor }) => {
        const result = await contracts.nudge(params.id, { actor: actor!, signerId: body.signer ?? null });
        return { body: { nudged: result.nudged } };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/contracts/:id/evidence.pdf', tag: 'contracts', access: 'user',
      summary: 'The evidence report (签约存证报告) of a completed contract, signed and timestamped by the platform',
      responses: { 200: { description: 'the PDF', contentType: 'application/pdf' }, 404: { description: 'not archived yet' } },
      handler: async ({ params }) => {
        const contract = await contracts.get(params.id);
        const stored = contract.evidenceSha256 ? await store.documents.get(contract.evidenceSha256) : null;
        if (!stored) throw notFound(`An evidence report for ${contract.id} (it is ${contract.status})`);
        return { body: stored.content, contentType: 'application/pdf', headers: { 'content-disposition': `inline; filename="${contract.id}-evidence.pdf"`, etag: `"${contract.evidenceSha256}"` } };
      },
    }),
  ];
}
