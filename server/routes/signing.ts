// The signer's side: everything a personal link can do. A link is its own credential
// (an unguessable token, stored only as a hash, bound to one signer of one contract), so
// these routes take no bearer token — except that signing with a company seal also needs
// the bearer token of a user allowed to use that seal. Every requirement of the flow is
// checked here, on the server, whatever the page did; a batch is checked as a whole
// before any contract of it is signed.
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { ContractState, SignerState } from '../../flows';
import { maskMobile, type Notifier } from '../../notify';
import type { Seal, SignerLink, Store, User } from '../../store';
import type { ContractService } from '../contracts';
import { AppError, notFound, type ErrorDetail } from '../errors';
import type { FaceVerifier } from '../face';
import { defineRoute } from '../route';

export const OTP_TTL_MS = 5 * 60 * 1000;
export const OTP_RESEND_MS = 60 * 1000;
export const OTP_MAX_FAILURES = 5;
/** At most this many contracts in one batch. */
export const BATCH_MAX = 50;

const ReadBody = Type.Object({ document: Type.String({ minLength: 1 }), page: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
const Otp = Type.String({ pattern: '^[0-9]{6}$', description: 'the 6-digit code sent by SMS' });
const Face = Type.String({ minLength: 1, maxLength: 16384, description: "face verification evidence from the page, e.g. a vendor SDK's liveness token" });
const Tokens = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: BATCH_MAX, description: 'signing link tokens, one per contract' });
const SignBody = Type.Object({ otp: Type.Optional(Otp), face: Type.Optional(Face), read: Type.Literal(true) }, { additionalProperties: false });
const BatchOtpBody = Type.Object({ tokens: Tokens }, { additionalProperties: false });
const BatchSignBody = Type.Object({ tokens: Tokens, otp: Type.Optional(Otp), face: Type.Optional(Face), read: Type.Literal(true) }, { additionalProperties: false });
const DeclineBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });
const NudgeBody = Type.Object({ signer: Type.Optional(Type.String({ minLength: 1 })) }, { additionalProperties: false });

interface Resolved {
  link: SignerLink;
  contract: ContractState;
  signer: SignerState;
}

/** What the signer sends to sign, one contract or a batch. */
interface SignRequest {
  otp?: string;
  face?: string;
  /** The Authorization header: a user's bearer token, needed for a company seal. */
  authorization: string | undefined;
}

/** Turns a failure about one link into the answer to the whole request. */
type Blame = (index: number, error: unknown) => never;
const rethrow: Blame = (_index, error) => {
  throw error;
};

/** In a batch, a failure names the token it is about: `/tokens/N`. */
function batchError(index: number, error: unknown, more: ErrorDetail[] = []): unknown {
  if (!(error instanceof AppError)) return error;
  const status = error.code === 'link_not_found' ? 400 : error.status;
  return new AppError(error.code, `/tokens/${index}: ${error.message}`, { status, details: [{ path: `/tokens/${index}`, message: error.message }, ...more, ...error.details] });
}
const inBatch: Blame = (index, error) => {
  throw batchError(index, error);
};

/** One number however it is written: no spaces or dashes, no +86 before a mainland number. */
const sameMobile = (raw: string) => raw.trim().replace(/[\s-]/g, '').replace(/^\+86(?=1\d{10}$)/, '');

/** What the signer's page shows: whose turn it is, in the signer's words. */
function pageStatus({ contract, signer }: Resolved): 'pending' | 'waiting' | 'signed' | 'declined' | 'closed' {
  if (signer.status === 'signed') return 'signed';
  if (signer.status === 'declined') return 'declined';
  if (contract.status !== 'signing') return 'closed';
  return signer.status === 'waiting' ? 'waiting' : 'pending';
}

export function signingRoutes({ store, contracts, notifier, secret, faceVerifier }: { store: Store; contracts: ContractService; notifier: Notifier; secret: Uint8Array; faceVerifier: FaceVerifier }) {
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

  /** The one-time code: present, fresh, right, and not guessed at more than five times. Used up only when everything else passes too. */
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
  }

  /** The user behind the request's bearer token: who applies a company seal. */
  async function sealHolder(authorization: string | undefined, seal: string): Promise<User> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) throw new AppError('seal_login_required', `Signing with the seal "${seal}" needs you signed in: send Authorization: Bearer <your user token>`, { status: 401 });
    const user = await store.users.byToken(match[1]);
    if (!user) throw new AppError('seal_login_required', 'The bearer token is not valid; sign in again to use the seal', { status: 401 });
    return user;
  }

  /** 印章管理: the seal exists, is this company's, and this user is on its list. */
  function mustMayUseSeal(seal: Seal | null, name: string, user: User, signer: SignerState) {
    if (!seal) throw new AppError('seal_not_allowed', `The seal "${name}" is not set up on this hub; ask an administrator`, { status: 403 });
    if (!seal.users.includes(user.id)) throw new AppError('seal_not_allowed', `${user.name} may not sign with the seal "${name}"`, { status: 403 });
    if (seal.company !== signer.name.trim()) throw new AppError('seal_not_allowed', `The seal "${name}" belongs to ${seal.company}, not to ${signer.name}`, { status: 403 });
  }

  /**
   * Everything the flow asks of each signer, checked for every link before any is used:
   * open for signing and their turn, every page read, the seal and who applies it, then
   * the one code (a wrong code counts against each link it was meant for), then the face.
   * Only when all of that holds are the codes used up. Returns each link's intent.
   */
  async function readyToSign(batch: Resolved[], request: SignRequest, { asBatch }: { asBatch: boolean }): Promise<string[]> {
    const blame = asBatch ? inBatch : rethrow;
    const intents = batch.map(() => (asBatch ? ['personal link', `batch of ${batch.length}`] : ['personal link']));
    let holder: User | undefined;
    const seals = new Map<string, Seal | null>();
    for (const [i, resolved] of batch.entries()) {
      const { signer } = resolved;
      try {
        mustBeOpen(resolved);
        if (signer.mustRead) {
          const missing = await unread(resolved);
          if (missing.length) throw new AppError('not_read', 'Read every page of every document before signing', { status: 409, details: missing });
          intents[i].push('read every page');
        }
        if (signer.seal) {
          holder ??= await sealHolder(request.authorization, signer.seal);
          if (!seals.has(signer.seal)) seals.set(signer.seal, await store.seals.get(signer.seal));
          mustMayUseSeal(seals.get(signer.seal)!, signer.seal, holder, signer);
          intents[i].push(`seal ${signer.seal} by ${holder.name} (${holder.id})`);
        }
        if (signer.verify === 'face') {
          if (!signer.idNumber) throw new AppError('no_id_number', 'Face verification needs your ID number on record; ask the sender to add it', { status: 409 });
          if (!request.face) throw new AppError('face_required', 'Verify your face first', { status: 400, details: [{ path: '/face', message: 'is required' }] });
        }
      } catch (error) {
        blame(i, error);
      }
    }

    const wrong: [number, unknown][] = [];
    for (const [i, { signer, link }] of batch.entries()) {
      if (signer.verify !== 'sms-otp') continue;
      try {
        await checkOtp(link, request.otp);
        intents[i].push(`sms-otp to ${maskMobile(signer.mobile ?? '')}`);
      } catch (error) {
        wrong.push([i, error]);
      }
    }
    if (wrong.length && !asBatch) blame(...wrong[0]);
    // The same code was wrong for each link it was meant for: say so for all of them.
    if (wrong.length) throw batchError(wrong[0][0], wrong[0][1], wrong.slice(1).map(([i, e]) => ({ path: `/tokens/${i}`, message: (e as Error).message })));

    for (const [i, { signer, contract }] of batch.entries()) {
      if (signer.verify !== 'face') continue;
      try {
        let result;
        try {
          result = await faceVerifier.verify({ contractId: contract.id, signerId: signer.id, name: signer.name, idNumber: signer.idNumber!, evidence: request.face! });
        } catch (error) {
          throw new AppError('face_unavailable', `Face verification could not be done just now (${(error as Error).message}); try again`, { status: 503 });
        }
        if (!result.ok) throw new AppError('face_mismatch', `Face verification failed${result.reason ? `: ${result.reason}` : ''} (reference ${result.reference})`, { status: 403 });
        intents[i].push(`face ${result.reference}`);
      } catch (error) {
        blame(i, error);
      }
    }

    for (const { signer, link } of batch) if (signer.verify === 'sms-otp') await store.signerLinks.clearOtp(link.tokenHash);
    return intents.map((parts) => parts.join(' + '));
  }

  /** Sends one code to the number on record of these links (one link, or a batch to the same number). */
  async function sendCode(batch: Resolved[], { asBatch }: { asBatch: boolean }) {
    const blame = asBatch ? inBatch : rethrow;
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
        const waited = link.otpSentAt ? Date.now() - Date.parse(link.otpSentAt) : Infinity;
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
    const sentAt = new Date().toISOString();
    const expiresAt = new Date(Date.now() + OTP_TTL_MS).toISOString();
    // The same code for every link of a batch, each stored under its own link's hash.
    for (const { link } of batch) await store.signerLinks.setOtp(link.tokenHash, { hash: otpHash(link, code), expiresAt, sentAt });
    const titles = batch.map(({ contract }) => `《${contract.title ?? contract.id}》`);
    const what = batch.length === 1 ? `您正在签署${titles[0]}` : `您正在批量签署 ${batch.length} 份合同（${titles.slice(0, 2).join('')}${batch.length > 2 ? '等' : ''}）`;
    // Only to the number on record: a code must prove the person holds that phone.
    await notifier.send(
      { channel: 'sms', to: mobile, subject: '签署验证码', body: `【Sealflow】${what}，验证码 ${code}，5 分钟内有效。请勿告诉他人。`, contractId: batch[0].contract.id },
      `${batch[0].link.tokenHash}:otp${batch.length > 1 ? `:batch${batch.length}` : ''}:${sentAt}`,
    );
    return { sentTo: maskMobile(mobile), expiresAt, retryAfterSeconds: OTP_RESEND_MS / 1000 };
  }

  /** The links of a batch, each resolved; an unknown, expired or repeated token is named by its path. */
  async function resolveBatch(tokens: string[]): Promise<Resolved[]> {
    const batch: Resolved[] = [];
    for (const [i, token] of tokens.entries()) {
      const first = tokens.indexOf(token);
      if (first !== i) throw new AppError('invalid_body', `/tokens/${i} repeats /tokens/${first}`, { details: [{ path: `/tokens/${i}`, message: `repeats /tokens/${first}` }] });
      try {
        batch.push(await resolve(token));
      } catch (error) {
        inBatch(i, error);
      }
    }
    return batch;
  }

  const evidence = (req: { ip?: string; get(name: string): string | undefined }, intent: string) => ({ ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null, intent });

  return [
    // Batches first: "/api/sign/batch" would otherwise be taken for a token.
    defineRoute({
      method: 'post', path: '/api/sign/batch/otp', tag: 'signing', access: 'public', body: BatchOtpBody,
      summary: "批量签署: sends ONE 6-digit code for several links whose signer's code goes to the same mobile number",
      responses: {
        200: { description: 'where it went (masked) and until when it holds' },
        400: { description: 'a token that is unknown, repeated, needs no code or has another mobile number (named by /tokens/N)' },
        409: { description: 'a contract not open for this signer, or no mobile number on record' },
        410: { description: 'a link expired' },
        429: { description: 'a code was sent for one of the links less than a minute ago' },
      },
      handler: async ({ body }) => {
        const batch = await resolveBatch(body.tokens);
        return { body: { ...(await sendCode(batch, { asBatch: true })), tokens: batch.length } };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/sign/batch', tag: 'signing', access: 'public', body: BatchSignBody,
      summary: '批量签署: checks every link (pages read, the one code, seal, face) and signs each contract only when all pass',
      responses: {
        200: { description: 'results, one per token: `{index, contractId, status: "signed"}`, or `status: "failed"` with the error if that contract could not be signed after the checks passed' },
        400: { description: 'a bad or missing code, an unknown token (named by /tokens/N)' },
        401: { description: 'a seal needs a signed-in user' },
        403: { description: 'the user may not use a seal, or a face did not match' },
        409: { description: 'a contract not read, not open or not this signer’s turn' },
        429: { description: 'too many wrong codes' },
      },
      handler: async ({ body, req }) => {
        const batch = await resolveBatch(body.tokens);
        const intents = await readyToSign(batch, { otp: body.otp, face: body.face, authorization: req.get('authorization') }, { asBatch: true });
        const results = [];
        for (const [index, { contract, signer }] of batch.entries()) {
          try {
            const signed = await contracts.sign(contract.id, { signerId: signer.id, evidence: evidence(req, intents[index]) });
            results.push({ index, contractId: contract.id, status: 'signed', contract: { status: signed.status } });
          } catch (error) {
            // Checked a moment ago: a signature that still fails (a race, the signing engine) is reported, the rest go on.
            if (!(error instanceof AppError)) throw error;
            results.push({ index, contractId: contract.id, status: 'failed', error: { code: error.code, message: error.message } });
          }
        }
        return { body: { results } };
      },
    }),
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
            signer: { id: signer.id, name: signer.name, party: signer.party, prompt: signer.prompt, mustRead: signer.mustRead, verify: signer.verify, seal: signer.seal, mobile: signer.mobile ? maskMobile(signer.mobile) : null },
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
      handler: async ({ params }) => ({ body: await sendCode([await resolve(params.token)], { asBatch: false }) }),
    }),
    defineRoute({
      method: 'post', path: '/api/sign/:token', tag: 'signing', access: 'public', body: SignBody,
      summary: "Signs: checks the flow's requirements (every page read, the seal user's bearer token, the SMS code, the face), then applies the signer's signatures",
      responses: {
        200: { description: 'signed' },
        400: { description: 'wrong or missing code or face evidence' },
        401: { description: 'the signer signs with a company seal: send the bearer token of a user allowed to use it (seal_login_required)' },
        403: { description: 'that user may not use the seal (seal_not_allowed), or the face did not match (face_mismatch)' },
        409: { description: 'not read, not your turn, already signed' },
        410: { description: 'link or code expired' },
        429: { description: 'too many wrong codes' },
        503: { description: 'the face verification provider could not be reached' },
      },
      handler: async ({ params, body, req }) => {
        const resolved = await resolve(params.token);
        const [intent] = await readyToSign([resolved], { otp: body.otp, face: body.face, authorization: req.get('authorization') }, { asBatch: false });
        const { signer, contract } = resolved;
        const signed = await contracts.sign(contract.id, { signerId: signer.id, evidence: evidence(req, intent) });
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
