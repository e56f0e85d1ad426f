// Inbound webhooks: authenticate (HMAC-SHA256 over the raw body, or a bearer token, per
// connector instance), then parse. Verification is a pure function over headers and
// bytes so the server route stays thin and tests need no HTTP.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AnyConnector } from './define';
import { ConnectorError, messageOf } from './errors';
import type { WebhookAuth } from './instance';
import { compileMapping } from './mapping';
import { handleItems, type ItemTally, type OnChange, type StartContract } from './sync';

/** Header carrying `sha256=<hex HMAC-SHA256 of the raw body>`. */
export const SIGNATURE_HEADER = 'x-sealflow-signature';

export type WebhookHeaders = Record<string, string | string[] | undefined>;

export type WebhookVerification = { ok: true; payload: unknown } | { ok: false; status: 401 | 400; error: string };

function header(headers: WebhookHeaders, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

function sameSecret(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `sha256=<hex>` for a body; what a sender (and a test) puts in `x-sealflow-signature`. */
export function signWebhookBody(rawBody: Buffer | string, secret: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(rawBody).digest('hex');
}

/**
 * Authenticates a webhook and parses its JSON body. 401 for a missing or wrong signature
 * or token (checked first, so strangers learn nothing about payloads); 400 for a body
 * that is not a JSON object or array.
 */
export function verifyWebhook({ headers, rawBody, secret }: { headers: WebhookHeaders; rawBody: Buffer | string; secret: WebhookAuth }): WebhookVerification {
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  if (secret.kind === 'hmac-sha256') {
    const given = header(headers, SIGNATURE_HEADER)?.trim();
    if (!given) return { ok: false, status: 401, error: `missing ${SIGNATURE_HEADER} header` };
    const match = /^sha256=([0-9a-f]{64})$/i.exec(given);
    const expected = createHmac('sha256', secret.secret).update(body).digest();
    if (!match || !sameSecret(Buffer.from(match[1], 'hex'), expected)) return { ok: false, status: 401, error: 'signature does not match the body' };
  } else {
    const given = /^Bearer\s+(.+)$/i.exec(header(headers, 'authorization')?.trim() ?? '')?.[1];
    if (!given) return { ok: false, status: 401, error: 'missing bearer token' };
    if (!sameSecret(Buffer.from(given), Buffer.from(secret.token))) return { ok: false, status: 401, error: 'bearer token is not valid for this connector' };
  }
  if (body.length === 0) return { ok: false, status: 400, error: 'empty body' };
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return { ok: false, status: 400, error: `body is not valid JSON: ${messageOf(error)}` };
  }
  if (typeof payload !== 'object' || payload === null) return { ok: false, status: 400, error: 'body must be a JSON object or array' };
  return { ok: true, payload };
}

export interface WebhookOutcome extends ItemTally {
  /** What the route should answer: 200 handled; 400/401 the sender's fault; 503 try again later. */
  status: 200 | 400 | 401 | 503;
  error?: string;
}

/**
 * Everything behind `POST /hooks/:instanceId`: verify, turn the payload into items (the
 * connector may fetch the record the event names), map and start each one. Nothing is
 * started unless verification passed and the whole payload was understood.
 */
export async function receiveWebhook(options: {
  connector: AnyConnector;
  instance: { id: string; flow: string; mapping: string; settings: Record<string, unknown>; auth: WebhookAuth };
  headers: WebhookHeaders;
  rawBody: Buffer | string;
  startContract: StartContract;
  onChange?: OnChange;
  signal?: AbortSignal;
}): Promise<WebhookOutcome> {
  const tally: WebhookOutcome = { status: 200, read: 0, started: 0, changed: 0, skipped: 0, errors: [] };
  const verified = verifyWebhook({ headers: options.headers, rawBody: options.rawBody, secret: options.instance.auth });
  if (!verified.ok) return { ...tally, status: verified.status, error: verified.error };
  const trigger = options.connector.triggers.webhook;
  if (!trigger) return { ...tally, status: 400, error: `connector ${options.connector.id} takes no webhooks` };

  let items;
  try {
    items = await trigger.itemsFromPayload({ settings: options.instance.settings, signal: options.signal }, verified.payload);
  } catch (error) {
    const e = error instanceof ConnectorError ? error : undefined;
    const status = e?.code === 'invalid_payload' ? 400 : 503;
    return { ...tally, status, error: messageOf(error), errors: [{ code: e?.code ?? 'source_failed', message: messageOf(error), retryable: status === 503 }] };
  }
  tally.read = items.length;
  let mapping;
  try {
    mapping = compileMapping(options.instance.mapping);
  } catch (error) {
    return { ...tally, status: 503, error: messageOf(error), errors: [{ code: 'mapping_failed', message: messageOf(error), retryable: false }] };
  }
  const { failure } = await handleItems(
    { mapping, instance: options.instance.id, flow: options.instance.flow, startContract: options.startContract, onChange: options.onChange },
    items,
    tally,
    { concurrency: 4, signal: options.signal },
  );
  // A retryable failure: the sender should deliver again; starts already made are idempotent.
  if (failure) return { ...tally, status: 503, error: failure.message, errors: [...tally.errors, failure] };
  return tally;
}
