// The signer's side over HTTP: everything a personal link can do. A link is its own
// credential (an unguessable token, stored only as a hash, bound to one signer of one
// contract), so these routes take no bearer token — except that signing with a company seal
// also needs the bearer token of a user allowed to use that seal. The rules live in
// server/signing-session/; these handlers parse, call and shape.
import { Type } from '@sinclair/typebox';
import type { Request } from 'express';
import type { Store } from '../../store';
import type { ContractService } from '../contracts';
import { notFound } from '../errors';
import { defineRoute } from '../route';
import { BATCH_MAX, type SigningSession } from '../signing-session';
import { sealCredentials } from '../signing-session/seals';

const ReadBody = Type.Object({ document: Type.String({ minLength: 1 }), page: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
const Otp = Type.String({ pattern: '^[0-9]{6}$', description: 'the 6-digit code sent by SMS' });
const Tokens = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: BATCH_MAX, description: 'signing link tokens, one per contract' });
const SignBody = Type.Object({ otp: Type.Optional(Otp), read: Type.Literal(true) }, { additionalProperties: false });
const BatchOtpBody = Type.Object({ tokens: Tokens }, { additionalProperties: false });
const BatchSignBody = Type.Object({ tokens: Tokens, otp: Type.Optional(Otp), read: Type.Literal(true) }, { additionalProperties: false });
const DeclineBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });
const NudgeBody = Type.Object({ signer: Type.Optional(Type.String({ minLength: 1 })) }, { additionalProperties: false });

const evidence = (req: Pick<Request, 'ip' | 'get'>) => ({ ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null });

export function signingRoutes({ store, contracts, session }: { store: Store; contracts: ContractService; session: SigningSession }) {
  return [
    // Batches first: "/api/sign/batch" would otherwise be taken for a token.
    defineRoute({
      method: 'post', path: '/api/sign/batch/otp', tag: 'signing', access: 'public', body: BatchOtpBody,
      summary: "批量签署: sends ONE 6-digit code for several links whose signer's code goes to the same mobile number",
      responses: {
        200: { description: 'where it went (masked) and until when it holds' },
        400: { description: 'a token that is unknown, repeated, needs no code or has another mobile number (named by /tokens/N)' },
        409: { description: 'a contract not open for this signer, or no mobile number on record' },
        410: { description: 'a link is dead (expired, or its contract no longer signing)' },
        423: { description: 'a link is locked after too many wrong codes until the sender nudges (link_locked)' },
        429: { description: 'a code was sent for one of the links less than a minute ago, or the number had its codes for today' },
      },
      handler: async ({ body }) => ({ body: await session.sendBatchCode(body.tokens) }),
    }),
    defineRoute({
      method: 'post', path: '/api/sign/batch', tag: 'signing', access: 'public', body: BatchSignBody,
      summary: '批量签署: checks every link (pages read, the verified identity, the one code, seal) and signs each contract only when all pass',
      responses: {
        200: { description: 'results, one per token: `{index, contractId, status: "signed"}`, or `status: "failed"` with the error if that contract could not be signed after the checks passed' },
        400: { description: 'a bad or missing code, an unknown token (named by /tokens/N)' },
        401: { description: 'a seal needs a signed-in user' },
        403: { description: 'the user may not use a seal, or a face did not match' },
        409: { description: 'a contract not read, not open or not this signer’s turn' },
        410: { description: 'a link or code expired, or a contract is no longer signing' },
        423: { description: 'a link is locked after too many wrong codes until the sender nudges (link_locked)' },
        429: { description: 'too many wrong codes' },
      },
      handler: async ({ body, req }) => ({ body: await session.signBatch(body.tokens, { otp: body.otp, ...sealCredentials(req) }, evidence(req)) }),
    }),
    defineRoute({
      method: 'get', path: '/api/sign/:token', tag: 'signing', access: 'public',
      summary: "The signer's view of their link: the contract (title, sender, deadline), every party and whether it has signed, the signer's documents with their own signature areas (page from 1, PDF points), requirements, what has been read",
      responses: { 200: { description: 'the signing session' }, 404: { description: 'no such link' }, 410: { description: 'the link expired, or the contract is no longer signing (completed, cancelled, declined, expired): link_closed' } },
      handler: async ({ params }) => ({ body: await session.view(params.token) }),
    }),
    defineRoute({
      method: 'get', path: '/api/sign/:token/documents/:doc.pdf', tag: 'signing', access: 'public',
      summary: 'One of the signer’s documents, as it stands now',
      responses: { 200: { description: 'the PDF', contentType: 'application/pdf' }, 404: { description: 'not one of this signer’s documents' }, 410: { description: 'the link is dead (expired, or the contract is no longer signing)' } },
      handler: async ({ params }) => ({ body: await session.document(params.token, params.doc), contentType: 'application/pdf', headers: { 'cache-control': 'no-store' } }),
    }),
    defineRoute({
      method: 'post', path: '/api/sign/:token/read', tag: 'signing', access: 'public', body: ReadBody,
      summary: 'Records that the signer scrolled through a page (mustRead)',
      responses: { 200: { description: 'pages read so far, and whether that is all of them' }, 410: { description: 'the link is dead (expired, or the contract is no longer signing)' } },
      handler: async ({ params, body }) => ({ body: await session.read(params.token, body) }),
    }),
    defineRoute({
      method: 'post', path: '/api/sign/:token/otp', tag: 'signing', access: 'public',
      summary: 'Sends a 6-digit code, valid 5 minutes, to the mobile number on record for this signer',
      responses: {
        200: { description: 'where it went (masked) and until when it holds' },
        410: { description: 'the link is dead (expired, or the contract is no longer signing)' },
        423: { description: 'the link is locked after too many wrong codes until the sender nudges (link_locked)' },
        429: { description: 'asked again within a minute (otp_rate_limited), or the number had its codes for today (otp_daily_limit; the message says when)' },
      },
      handler: async ({ params }) => ({ body: await session.sendCode(params.token) }),
    }),
    defineRoute({
      method: 'post', path: '/api/sign/:token', tag: 'signing', access: 'public', body: SignBody,
      summary: "Signs: checks the flow's requirements (every page read, the seal user's bearer token, the verified identity, the SMS code), then applies the signer's signatures",
      responses: {
        200: { description: 'signed' },
        400: { description: 'wrong or missing code' },
        401: { description: 'the signer signs with a company seal: sign in as a user allowed to use it (session cookie + x-csrf-token), or send their bearer token (seal_login_required)' },
        403: { description: 'that user may not use the seal (seal_not_allowed)' },
        409: { description: 'not read, not your turn, already signed' },
        410: { description: 'link or code expired, or the contract is no longer signing (link_closed)' },
        423: { description: 'the link is locked after too many wrong codes until the sender nudges (link_locked)' },
        429: { description: 'too many wrong codes' },
      },
      handler: async ({ params, body, req }) => ({ body: await session.sign(params.token, { otp: body.otp, ...sealCredentials(req) }, evidence(req)) }),
    }),
    defineRoute({
      method: 'post', path: '/api/sign/:token/decline', tag: 'signing', access: 'public', body: DeclineBody,
      summary: 'Declines to sign, with a reason; the contract ends as declined and every party is told',
      responses: { 200: { description: 'declined' }, 409: { description: 'not open for this signer' }, 410: { description: 'the link is dead (expired, or the contract is no longer signing)' } },
      handler: async ({ params, body, req }) => ({ body: await session.decline(params.token, body.reason, evidence(req)) }),
    }),
    defineRoute({
      method: 'post', path: '/api/contracts/:id/nudge', tag: 'contracts', access: 'contracts.act', body: NudgeBody,
      summary: '催办: remind one signer (or every signer whose turn it is) at once; at most once an hour per signer. A nudge is also how a sender re-invites: a link locked by wrong codes opens again.',
      responses: { 200: { description: 'who was nudged' }, 409: { description: 'nobody is waiting to sign' }, 429: { description: 'nudged within the hour; the message says when the next nudge is allowed' } },
      handler: async ({ params, body, actor }) => {
        await contracts.readable(params.id, actor!);
        return { body: await session.nudge(params.id, { actor: actor!, signerId: body.signer ?? null }) };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/copies/:token', tag: 'signing', access: 'public',
      summary: "A signer's download link for their signed copy of a completed contract (sent with the completion notice): the documents and until when the link holds",
      responses: { 200: { description: 'the documents, each with its download URL' }, 404: { description: 'no such link' }, 410: { description: 'the link expired' } },
      handler: async ({ params }) => ({ body: await session.copy(params.token) }),
    }),
    defineRoute({
      method: 'get', path: '/api/copies/:token/:doc.pdf', tag: 'signing', access: 'public',
      summary: 'One signed document of the copy',
      responses: { 200: { description: 'the PDF', contentType: 'application/pdf' }, 404: { description: 'no such link or document' }, 410: { description: 'the link expired' } },
      handler: async ({ params }) => {
        const { content, sha256 } = await session.copyDocument(params.token, params.doc);
        return { body: content, contentType: 'application/pdf', headers: { 'cache-control': 'no-store', etag: `"${sha256}"` } };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/contracts/:id/evidence.pdf', tag: 'contracts', access: 'contracts.read',
      summary: 'The evidence report (签约存证报告) of a completed contract, signed and timestamped by the platform',
      responses: { 200: { description: 'the PDF', contentType: 'application/pdf' }, 404: { description: 'not archived yet' } },
      handler: async ({ params, actor }) => {
        const contract = await contracts.readable(params.id, actor!);
        const stored = contract.evidenceSha256 ? await store.documents.get(contract.evidenceSha256) : null;
        if (!stored) throw notFound(`An evidence report for ${contract.id} (it is ${contract.status})`);
        return { body: stored.content, contentType: 'application/pdf', headers: { 'content-disposition': `inline; filename="${contract.id}-evidence.pdf"`, etag: `"${contract.evidenceSha256}"` } };
      },
    }),
  ];
}
