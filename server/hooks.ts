// POST /hooks/:connectorId — inbound webhooks from business systems. Needs the raw body
// (the HMAC covers the exact bytes), so app.ts mounts it with its own raw body parser
// ahead of the JSON one. Order: unknown instance → 404, bad signature, token or timestamp
// → 401, over the instance's rate → 429, malformed → 400, a delivery id seen before → 409;
// nothing is started unless all of that passed. Only authenticated deliveries count
// against an instance's rate, so an outsider cannot spend a real sender's budget; an
// outsider's failures are limited per client address instead.
import { Type } from '@sinclair/typebox';
import type { Client } from '@temporalio/client';
import type { NextFunction, Request, Response } from 'express';
import { ConnectorError, handleWebhookPayload, verifyWebhook, WEBHOOK_TOLERANCE_SECONDS } from '../connectors';
import type { Store } from '../store';
import { connectorContractStart, loadConnectorInstance, reportSourceChange, type ContractStarter } from '../workflows';
import { AppError } from './errors';
import { createSharedRateLimiter } from './rate-limit';
import { MAX_JSON_DEPTH, tooDeepAt } from './json-depth';
import { defineRoute } from './route';

export interface WebhookRateLimit {
  /** Deliveries a connector instance may send at once. */
  burst: number;
  /** Deliveries per second it may send over time. */
  perSecond: number;
  /**
   * Failed authentications one client address may cause; over it, the address is refused (429) before its
   * deliveries are verified. Behind a proxy, set express's `trust proxy` so that addresses are the senders'.
   */
  unauthenticated?: { burst: number; perSecond: number };
}

/** Failed authentications one client address may cause before it is refused for a while. */
export const UNAUTHENTICATED_LIMIT = { burst: 20, perSecond: 1 };

export const DEFAULT_WEBHOOK_RATE_LIMIT: WebhookRateLimit = { burst: 30, perSecond: 5, unauthenticated: UNAUTHENTICATED_LIMIT };

const WebhookAnswer = Type.Object({
  read: Type.Integer(),
  started: Type.Integer(),
  changed: Type.Integer(),
  skipped: Type.Integer(),
  errors: Type.Array(Type.Object({ sourceKey: Type.Optional(Type.String()), code: Type.String(), message: Type.String() })),
});

/** The route as the OpenAPI document shows it (express serves it through `createWebhookHandler`). */
export const webhookRouteDoc = defineRoute({
  method: 'post', path: '/hooks/:connectorId', tag: 'connectors', access: 'public',
  summary:
    'Inbound webhook of a connector instance: signed (x-sealflow-timestamp: unix seconds, x-sealflow-delivery: an id, x-sealflow-signature: sha256=HMAC-SHA256 of "<timestamp>.<delivery>.<raw body>"; refused outside 5 minutes or when the delivery id was seen) or with a bearer token',
  responses: {
    200: { description: 'handled: what was read and started', schema: WebhookAnswer },
    400: { description: 'the body is not what this connector takes' },
    401: { description: 'missing or wrong signature or token, or a timestamp outside 5 minutes; nothing was started' },
    409: { description: 'this delivery id was received before; nothing was started' },
    404: { description: 'no enabled connector instance takes webhooks under this id' },
    429: { description: 'too many authenticated deliveries for this instance, or too many failed ones from this client; see Retry-After' },
    503: { description: 'the source or the hub is unavailable; deliver again later (starts are idempotent)' },
  },
  handler: async () => ({ body: null }),
});

export function createWebhookHandler({ store, client, masterKey, startContract, rateLimit = DEFAULT_WEBHOOK_RATE_LIMIT }: {
  store: Store;
  client: Client;
  masterKey: Uint8Array | null;
  startContract: ContractStarter;
  rateLimit?: WebhookRateLimit;
}) {
  // In the database, shared by every server: a sender over its rate (or a client blocked for its failures) at one is so at all.
  const limiter = createSharedRateLimiter(store.rateLimits, 'webhook', rateLimit);
  // A client whose failures ran over is blocked until its failure bucket has a token again.
  const failures = createSharedRateLimiter(store.rateLimits, 'webhook-failures', rateLimit.unauthenticated ?? UNAUTHENTICATED_LIMIT);

  const tooMany = (res: Response, wait: number, message: string) => {
    res.setHeader('retry-after', String(wait));
    return new AppError('rate_limited', message, { status: 429 });
  };

  async function handle(req: Request, res: Response): Promise<void> {
    const id = String(req.params.connectorId);
    const caller = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const blocked = await failures.peek(caller);
    if (blocked > 0) throw tooMany(res, blocked, `Too many failed deliveries from this client; try again in ${blocked} s`);

    // Found by its global id, whatever its tenant; it then acts in its own tenant (loadConnectorInstance gives its owner).
    const record = /^[a-z0-9][a-z0-9-]{1,62}$/.test(id) ? await store.connectors.byId(id) : null;
    if (!record || !record.enabled || !record.webhookAuth) throw new AppError('not_found', `No connector instance "${id}" takes webhooks`, { status: 404 });
    if (!masterKey) throw new AppError('master_key_missing', 'The server has no SEALFLOW_MASTER_KEY to open connector secrets with', { status: 503 });
    const instance = await loadConnectorInstance(store, masterKey, id).catch((error: unknown) => {
      if (error instanceof ConnectorError) throw new AppError('secrets_unreadable', error.message, { status: 503 });
      throw error;
    });
    if (!instance?.webhookAuth) throw new AppError('not_found', `No connector instance "${id}" takes webhooks`, { status: 404 });

    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const verified = verifyWebhook({ headers: req.headers, rawBody, secret: instance.webhookAuth });
    if (!verified.ok && verified.status === 401) {
      await failures.take(caller);
      throw new AppError('unauthorized', verified.error, { status: 401 });
    }
    // Authenticated from here on: the delivery counts against its instance's rate.
    const wait = await limiter.take(id);
    if (wait) throw tooMany(res, wait, `Too many deliveries for connector instance "${id}"; try again in ${wait} s`);
    if (!verified.ok) throw new AppError('invalid_payload', verified.error, { status: 400, details: [{ path: '/', message: verified.error }] });
    const deep = tooDeepAt(verified.payload);
    if (deep !== null) throw new AppError('invalid_payload', `The body is nested more than ${MAX_JSON_DEPTH} levels deep`, { status: 400, details: [{ path: deep, message: `is nested more than ${MAX_JSON_DEPTH} levels deep` }] });

    const { deliveryId } = verified;
    if (deliveryId !== null) {
      const now = new Date();
      const fresh = await store.connectors.rememberDelivery(id, deliveryId, now, new Date(now.getTime() - 2 * WEBHOOK_TOLERANCE_SECONDS * 1000));
      if (!fresh) throw new AppError('replayed_delivery', `Delivery "${deliveryId}" was received before; it is not handled twice`, { status: 409, details: [{ path: '/headers/x-sealflow-delivery', message: 'was received before' }] });
    }

    // A delivery the hub could not handle (503, or a failure of its own) may come again under the same id.
    const forget = () => (deliveryId === null ? Promise.resolve() : store.connectors.forgetDelivery(id, deliveryId));
    const outcome = await handleWebhookPayload({
      connector: instance.connector,
      instance: { id, flow: instance.record.flow, mapping: instance.record.mapping, settings: instance.settings },
      payload: verified.payload,
      startContract: connectorContractStart(startContract, instance.record, instance.owner),
      onChange: (change) => reportSourceChange({ client, store, change }),
      signal: AbortSignal.timeout(60_000),
    }).catch(async (error: unknown) => {
      await forget().catch(() => {});
      throw error;
    });
    if (outcome.status === 503) await forget();
    if (outcome.status === 400 || outcome.status === 401) throw new AppError('invalid_payload', outcome.error ?? 'invalid payload', { status: 400, details: [{ path: '/', message: outcome.error ?? 'invalid payload' }] });

    const failure = outcome.status === 503 ? outcome.errors.at(-1) ?? { code: 'source_failed', message: outcome.error ?? 'unavailable' } : undefined;
    await store.connectors.recordRun(id, { ...outcome, failure }, new Date());
    const errors = outcome.errors.map(({ sourceKey, code, message }) => ({ ...(sourceKey ? { sourceKey } : {}), code, message }));
    if (failure) {
      res.status(503).json({ error: { code: 'try_again', message: `Not every record could be handled now; deliver again later: ${failure.message}`, details: [] }, read: outcome.read, started: outcome.started, errors });
      return;
    }
    res.status(200).json({ read: outcome.read, started: outcome.started, changed: outcome.changed, skipped: outcome.skipped, errors });
  }

  return (req: Request, res: Response, next: NextFunction) => {
    handle(req, res).catch(next);
  };
}
