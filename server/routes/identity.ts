// Real-name verification (实名认证) on a signer's personal link: the link is the credential,
// the facts typed must be the party the contract names, and what passes is bound to that
// signer of that contract (identity/signers.ts holds the rules; these handlers parse and shape).
// Each call that asks a provider is rate-limited per link: an identity probe is an attack.
import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import express, { Router, type Request } from 'express';
import { IdentityError, type IdentityRouter, type SignerIdentity, type SignerOnContract } from '../../identity';
import type { IdentityRecord, RateLimitRepository } from '../../store';
import { AppError } from '../errors';
import { createRateLimiter, createSharedRateLimiter, type RateLimit } from '../rate-limit';
import { defineRoute } from '../route';

/** Per link: ten tries at once, then one every 30 s (a person mistyping recovers; a prober crawls). */
export const DEFAULT_IDENTITY_RATE_LIMIT: RateLimit = { burst: 10, perSecond: 1 / 30 };

const Name = Type.String({ minLength: 1, maxLength: 100 });
const IdNumber = Type.String({ minLength: 1, maxLength: 32, description: '18-character resident ID number (GB 11643)' });
const CreditCode = Type.String({ minLength: 1, maxLength: 32, description: '18-character unified social credit code (GB 32100)' });
const Mobile = Type.String({ minLength: 1, maxLength: 20 });
const PersonBody = Type.Object({ name: Name, idNumber: IdNumber }, { additionalProperties: false });
const CompanyFields = { name: Name, creditCode: CreditCode, legalRepresentative: Name, legalRepresentativeIdNumber: Type.Optional(IdNumber) };
const CompanyBody = Type.Object(CompanyFields, { additionalProperties: false });
const FlowBody = Type.Object(
  {
    person: Type.Optional(Type.Object({ name: Name, idNumber: IdNumber, mobile: Type.Optional(Mobile), bankCard: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })) }, { additionalProperties: false })),
    company: Type.Optional(Type.Object(CompanyFields, { additionalProperties: false })),
    account: Type.Optional(Type.Object({ number: Type.String({ minLength: 1, maxLength: 40 }), bank: Name }, { additionalProperties: false })),
    legalRepresentativeMobile: Type.Optional(Mobile),
  },
  { additionalProperties: false, description: 'person (telecom: + mobile; bank: + mobile, bankCard; face) or company (transfer: + account; reverse payment; authorisation: + legalRepresentativeIdNumber, legalRepresentativeMobile), as the signer’s level asks' },
);
const SmsCodeBody = Type.Object({ code: Type.String({ minLength: 1, maxLength: 8 }) }, { additionalProperties: false });
const AmountBody = Type.Object({ amountFen: Type.Integer({ minimum: 1, maximum: 99_999, description: 'the amount that arrived, in fen (分)' }) }, { additionalProperties: false });
const PollBody = Type.Object({}, { additionalProperties: false });

const STATUS: Record<IdentityError['code'], { status: number; code: string }> = {
  INVALID_INPUT: { status: 400, code: 'invalid_body' },
  PROVIDER_REJECTED: { status: 400, code: 'identity_rejected' },
  NOT_THE_SIGNER: { status: 409, code: 'identity_not_signer' },
  FLOW_CLOSED: { status: 409, code: 'identity_flow_closed' },
  FLOW_NOT_FOUND: { status: 404, code: 'identity_flow_not_found' },
  CAPABILITY_UNAVAILABLE: { status: 503, code: 'identity_unavailable' },
  PROVIDERS_UNAVAILABLE: { status: 503, code: 'identity_providers_unavailable' },
  LOCAL_PROVIDER_REFUSED: { status: 503, code: 'identity_unavailable' },
};

/** IdentityError → AppError, keeping the JSON path of what was wrong. */
export function asAppError(error: unknown): never {
  if (error instanceof IdentityError) {
    const { status, code } = STATUS[error.code];
    throw new AppError(code, error.message, { status, details: error.details });
  }
  throw error;
}

/** What the page and an evidence reader need of a record: who, how, by whom, until when; never the ID number's hash. */
export const recordSummary = (record: IdentityRecord) => ({
  id: record.id,
  level: record.level,
  method: record.method,
  provider: record.provider,
  name: record.subject.name,
  verifiedAt: record.verifiedAt,
  expiresAt: record.expiresAt,
});

const view = (result: object) => {
  const { record, ...rest } = result as { record?: IdentityRecord };
  return { ...rest, ...(record ? { record: recordSummary(record) } : {}) };
};

export interface IdentityRouteOptions {
  identity: SignerIdentity;
  /** The link's contract and signer, while the link may still sign (404/409/410 otherwise). */
  signerOn(token: string): Promise<SignerOnContract>;
  rateLimit?: RateLimit;
  /** Where the per-link buckets live: the database's (store.rateLimits), so every server counts one allowance; default this process's memory. */
  buckets?: RateLimitRepository;
}

export function identityRoutes({ identity, signerOn, rateLimit = DEFAULT_IDENTITY_RATE_LIMIT, buckets }: IdentityRouteOptions) {
  const limiter = buckets ? createSharedRateLimiter(buckets, 'identity-link', rateLimit) : createRateLimiter(rateLimit);
  /** The link's signer, after its rate is checked (a bad token costs the caller as much). */
  const limited = async (token: string) => {
    const wait = await limiter.take(token);
    if (wait) throw new AppError('rate_limited', `Too many verification attempts on this link; try again in ${wait} s`, { status: 429 });
    return signerOn(token);
  };
  // A client's key (a double click sends the same) scoped to the link; else a fresh one.
  const keyOf = (req: Request, on: SignerOnContract) => {
    const given = req.get('idempotency-key');
    return `link:${on.contractId}:${on.signer.id}:${given && given.length <= 100 ? given : randomUUID()}`;
  };
  const returnUrl = (req: Request, token: string) => `${req.protocol}://${req.get('host')}/sign/${encodeURIComponent(token)}?identity=returned`;
  const answers = {
    400: { description: 'a malformed field (ID number check digit, credit code, mobile…), named by its JSON path' },
    404: { description: 'no such link (or no such verification on this link)' },
    409: { description: 'not the party the contract names (identity_not_signer), a closed verification, or the link is not open for signing' },
    410: { description: 'the link is dead' },
    429: { description: 'too many attempts on this link' },
    503: { description: 'no identity provider answered; try again later' },
  };

  return [
    defineRoute({
      method: 'post', path: '/api/sign/:token/identity/person', tag: 'signing', access: 'public', body: PersonBody,
      summary: '实名认证, person two factors (name + ID number). `outcome`: match | mismatch | no_record; `bound`: whether it proves the level the contract asks (a higher level is bound only from a still-valid record)',
      responses: { 200: { description: 'the comparison’s outcome' }, ...answers },
      handler: async ({ params, body, req }) => {
        const on = await limited(params.token);
        return { body: view(await identity.verifyPerson(on, body, { idempotencyKey: keyOf(req, on) }).catch(asAppError)) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/sign/:token/identity/company', tag: 'signing', access: 'public', body: CompanyBody,
      summary: '实名认证, company three factors (name + credit code + legal representative), four with the legal representative’s ID number',
      responses: { 200: { description: 'the comparison’s outcome' }, ...answers },
      handler: async ({ params, body, req }) => {
        const on = await limited(params.token);
        return { body: view(await identity.verifyCompany(on, body, { idempotencyKey: keyOf(req, on) }).catch(asAppError)) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/sign/:token/identity/flows', tag: 'signing', access: 'public', body: FlowBody,
      summary: 'Starts the multi-step verification the signer’s level asks (telecom / bank: an SMS code; face / authorisation: `redirectUrl`, then poll; 对公打款: the amount that arrived; reverse payment: `payTo`, then poll). A still-valid record at that level is reused (`reused: true`)',
      responses: { 200: { description: 'the verification: id, step, status, triesLeft, windowEndsAt' }, ...answers },
      handler: async ({ params, body, req }) => {
        const on = await limited(params.token);
        return { body: view(await identity.startFlow(on, body, { idempotencyKey: keyOf(req, on), returnUrl: returnUrl(req, params.token) }).catch(asAppError)) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/sign/:token/identity/flows/:id/sms-code', tag: 'signing', access: 'public', body: SmsCodeBody,
      summary: 'The code the SMS brought (telecom three factors, bank card four factors); a wrong one leaves the verification pending with one try fewer',
      responses: { 200: { description: 'the verification' }, ...answers },
      handler: async ({ params, body, req }) => {
        const on = await limited(params.token);
        return { body: view(await identity.advanceFlow(on, params.id, { kind: 'sms_code', code: body.code }, { idempotencyKey: keyOf(req, on) }).catch(asAppError)) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/sign/:token/identity/flows/:id/transfer-amount', tag: 'signing', access: 'public', body: AmountBody,
      summary: '对公打款: the amount that arrived in the company’s account, in fen; at most 3 tries within 7 days',
      responses: { 200: { description: 'the verification' }, ...answers },
      handler: async ({ params, body, req }) => {
        const on = await limited(params.token);
        return { body: view(await identity.advanceFlow(on, params.id, { kind: 'transfer_amount', amountFen: body.amountFen }, { idempotencyKey: keyOf(req, on) }).catch(asAppError)) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/sign/:token/identity/flows/:id/poll', tag: 'signing', access: 'public', body: PollBody,
      summary: 'Whether an outside step (face, reverse payment, authorisation) has finished',
      responses: { 200: { description: 'the verification' }, ...answers },
      handler: async ({ params, req }) => {
        const on = await signerOn(params.token);
        return { body: view(await identity.advanceFlow(on, params.id, { kind: 'poll' }, { idempotencyKey: keyOf(req, on) }).catch(asAppError)) };
      },
    }),
  ];
}

/**
 * What the identity providers were asked and bill, per provider and capability, as every server
 * counted it (store.identityCosts). The hub operator's (right identity.costs, the admin's alone):
 * providers bill the hub, across tenants, and the counts say how many verifications each tenant's
 * signers ran in sum, which no tenant admin should read.
 */
export function identityCostRoutes(router: Pick<IdentityRouter, 'costs'>) {
  return [
    defineRoute({
      method: 'get', path: '/api/identity/costs', tag: 'identity', access: 'identity.costs',
      summary: 'Calls per identity provider since the hub began counting: answered (billed), failed, and the sum of the provider’s prices in fen, in total and per capability; every configured provider is listed',
      responses: { 200: { description: '{ providers: { <id>: { answered, failed, fen, byCapability: { <capability>: { answered, failed, fen } } } } }' } },
      handler: async () => ({ body: { providers: await router.costs() } }),
    }),
  ];
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The local provider's own "face" and "authorisation" pages (its redirectUrl): a plain page
 * that says it checks nobody and leads back to the signer's page. Only on a hub whose
 * providers include the local one. The way back must be this hub's own signer page.
 */
export function localIdentityPages(): Router {
  const router = Router();
  const page = (what: string) => (req: Request, res: express.Response) => {
    const back = String(req.query.return ?? '');
    let target: URL | null = null;
    try {
      target = new URL(back);
    } catch {
      target = null;
    }
    if (!target || target.host !== req.get('host') || !target.pathname.startsWith('/sign/')) {
      res.status(400).type('text/plain').send('return must be this hub’s signer page');
      return;
    }
    res
      .status(200)
      .set({ 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'", 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' })
      .type('html')
      .send(
        `<!doctype html><html lang="zh"><meta charset="utf-8"><title>本地${what}(不用于生产)</title>` +
          `<body style="font-family:sans-serif;max-width:36em;margin:3em auto">` +
          `<h1>本地开发${what} · local development ${what === '人脸核身' ? 'face check' : 'authorisation'}</h1>` +
          `<p><strong>不用于生产:此页面不核验任何人。</strong> NOT FOR PRODUCTION: this page checks nobody; the outcome comes from the local provider’s fixtures.</p>` +
          `<p><a id="return" href="${escapeHtml(target.toString())}">完成并返回签署页 · Done, back to signing</a></p></body></html>`,
      );
  };
  router.get('/identity/local/face', page('人脸核身'));
  router.get('/identity/local/authorisation', page('法定代表人授权'));
  return router;
}
