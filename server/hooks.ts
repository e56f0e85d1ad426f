// POST /hooks/:connectorId — inbound webhooks from business systems. Needs the raw body
// (the HMAC covers the exact bytes), so app.ts mounts it with its own raw body parser
// ahead of the JSON one. Order: unknown instance → 404, over its rate → 429, bad
// signature → 401, malformed → 400; nothing is started unless all of that passed.
import { Type } from '@sinclair/typebox';
import type { Client } from '@temporalio/client';
import type { NextFunction, Request, Response } from 'express';
import { ConnectorError, receiveWebhook } from '../connectors';
import type { Store } from '../store';
import { connectorContractStart, loadConnectorInstance, reportSourceChange, type ContractStarter } from '../workflows';
import { AppError } from './errors';
import { defineRoute } from './route';

export interface WebhookRateLimit {
  /** Deliveries a connector instance may send at once. */
  burst: number;
  /** Deliveries per second it may send over time. */
  perSecond: number;
}

export const DEFAULT_WEBHOOK_RATE_LIMIT: WebhookRateLimit = { burst: 30, perSecond: 5 };

/** A token bucket per connector instance, in memory (one per server process). */
export function createRateLimiter({ burst, perSecond }: WebhookRateLimit, now: () => number = Date.now) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    /** Takes a token; returns 0 when allowed, else the seconds until the next token. */
    take(key: string): number {
      const t = now();
      const bucket = buckets.get(key) ?? { tokens: burst, at: t };
      bucket.tokens = Math.min(burst, bucket.tokens + ((t - bucket.at) / 1000) * perSecond);
      bucket.at = t;
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
    },
  };
}

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
  summary: 'Inbound webhook of a connector instance: signed with x-sealflow-signature (HMAC-SHA256 of the raw body) or a bearer token',
  responses: {
    200: { description: 'handled: what was read and started', schema: WebhookAnswer },
    400: { description: 'the body is not what this connector takes' },
    401: { description: 'missing or wrong signature or token; nothing was started' },
    404: { description: 'no enabled connector instance takes webhooks under this id' },
    429: { description: 'too many deliveries for this instance; see Retry-After' },
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
  const limiter = createRateLimiter(rateLimit);

  async function handle(req: Request, res: Response): Promise<void> {
    const id = String(req.params.connectorId);
    const record = /^[a-z0-9][a-z0-9-]{1,62}$/.test(id) ? await store.connectors.get(id) : null;
    if (!record || !record.enabled || !record.webhookAuth) throw new AppError('not_found', `No connector instance "${id}" takes webhooks`, { status: 404 });
    const wait = limiter.take(id);
    if (wait) {
      res.setHeader('retry-after', String(wait));
      throw new AppError('rate_limited', `Too many deliveries for connector instance "${id}"; try again in ${wait} s`, { status: 429 });
    }
    if (!masterKey) throw new AppError('master_key_missing', 'The server has no SEALFLOW_MASTER_KEY to open connector secrets with', { status: 503 });
    const instance = await loadConnectorInstance(store, masterKey, id).catch((error: unknown) => {
      if (error instanceof ConnectorError) throw new AppError('secrets_unreadable', error.message, { status: 503 });
      throw error;
    });
    if (!instance?.webhookAuth) throw new AppError('not_found', `No connector instance "${id}" takes webhooks`, { status: 404 });

    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const outcome = await receiveWebhook({
      connector: instance.connector,
      instance: { id, flow: instance.record.flow, mapping: instance.record.mapping, settings: instance.settings, auth: instance.webhookAuth },
      headers: req.headers,
      rawBody,
      startContract: connectorContractStart(startContract, instance.record),
      onChange: (change) => reportSourceChange({ client, store, change }),
      signal: AbortSignal.timeout(60_000),
    });
    if (outcome.status === 401) throw new AppError('unauthorized', outcome.error ?? 'not authenticated', { status: 401 });
    if (outcome.status === 400) throw new AppError('invalid_payload', outcome.error ?? 'invalid payload', { status: 400, details: [{ path: '/', message: outcome.error ?? 'invalid payload' }] });

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
