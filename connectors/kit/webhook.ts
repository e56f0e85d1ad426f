// Inbound webhooks: authenticate (HMAC-SHA256, or a bearer token, per connector instance),
// then parse. Verification is a pure function over headers, bytes and the clock so the
// server route stays thin and tests need no HTTP.
//
// A signed delivery carries three headers:
//   x-sealflow-timestamp: <unix seconds>
//   x-sealflow-delivery:  <the sender's id for this delivery, 1-128 of [A-Za-z0-9._:-]>
//   x-sealflow-signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<delivery>.<raw body>">
// The timestamp and the delivery id are inside the HMAC, so neither can be changed without
// the secret: a captured delivery is refused once it is 5 minutes old, and within those 5
// minutes the hub refuses its delivery id a second time (the route remembers them).
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { AnyConnector } from './define';
import { ConnectorError, messageOf } from './errors';
import type { WebhookAuth } from './instance';
import { compileMapping } from './mapping';
import { handleItems, type ItemTally, type OnChange, type StartContract } from './sync';

/** Header carrying `sha256=<hex HMAC-SHA256>` (see above for what it covers). */
export const SIGNATURE_HEADER = 'x-sealflow-signature';
/** Header carrying the unix time (seconds) the sender signed at. */
export const TIMESTAMP_HEADER = 'x-sealflow-timestamp';
/** Header carrying the sender's id of the delivery; a second delivery with the same id is refused. */
export const DELIVERY_HEADER = 'x-sealflow-delivery';
/** How far a delivery's timestamp may be from the hub's clock, either way. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

const DELIVERY_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export type WebhookHeaders = Record<string, string | string[] | undefined>;

export type WebhookVerification =
  | { ok: true; payload: unknown; /** Set for HMAC deliveries (always) and bearer ones that send it. */ deliveryId: string | null }
  | { ok: false; status: 401 | 400; error: string };

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

/** `sha256=<hex>` for a body; outbound callbacks (kit write-back) sign their bodies with it. */
export function signWebhookBody(rawBody: Buffer | string, secret: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(rawBody).digest('hex');
}

function deliveryMac(secret: string, timestamp: string, deliveryId: string, body: Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.${deliveryId}.`).update(body).digest();
}

/** The headers a sender (and a test) puts on a delivery to `POST /hooks/<instance>`. */
export function signWebhook(rawBody: Buffer | string, secret: string, options: { timestamp?: number; deliveryId?: string } = {}): Record<string, string> {
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const deliveryId = options.deliveryId ?? randomUUID();
  return {
    [TIMESTAMP_HEADER]: timestamp,
    [DELIVERY_HEADER]: deliveryId,
    [SIGNATURE_HEADER]: 'sha256=' + deliveryMac(secret, timestamp, deliveryId, body).toString('hex'),
  };
}

/**
 * Authenticates a webhook and parses its JSON body. 401 for a missing or wrong signature
 * or token, or a timestamp outside the window (checked first, so strangers learn nothing
 * about payloads); 400 for a body that is not a JSON object or array.
 */
export function verifyWebhook({ headers, rawBody, secret, now = Date.now() }: { headers: WebhookHeaders; rawBody: Buffer | string; secret: WebhookAuth; now?: number }): WebhookVerification {
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  let deliveryId: string | null = null;
  if (secret.kind === 'hmac-sha256') {
    const given = header(headers, SIGNATURE_HEADER)?.trim();
    if (!given) return { ok: false, status: 401, error: `missing ${SIGNATURE_HEADER} header` };
    const timestamp = header(headers, TIMESTAMP_HEADER)?.trim() ?? '';
    if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, status: 401, error: `missing or malformed ${TIMESTAMP_HEADER} header (unix seconds)` };
    deliveryId = header(headers, DELIVERY_HEADER)?.trim() ?? '';
    if (!DELIVERY_ID.test(deliveryId)) return { ok: false, status: 401, error: `missing or malformed ${DELIVERY_HEADER} header (1-128 of A-Z a-z 0-9 . _ : -)` };
    const match = /^sha256=([0-9a-f]{64})$/i.exec(given);
    if (!match || !sameSecret(Buffer.from(match[1], 'hex'), deliveryMac(secret.secret, timestamp, deliveryId, body))) {
      return { ok: false, status: 401, error: `signature does not match ${TIMESTAMP_HEADER}, ${DELIVERY_HEADER} and the body` };
    }
    const skew = Math.abs(now / 1000 - Number(timestamp));
    if (skew > WEBHOOK_TOLERANCE_SECONDS) return { ok: false, status: 401, error: `${TIMESTAMP_HEADER} is ${Math.round(skew)} s away from the hub's clock; at most ${WEBHOOK_TOLERANCE_SECONDS} s are accepted` };
  } else {
    const given = /^Bearer\s+(.+)$/i.exec(header(headers, 'authorization')?.trim() ?? '')?.[1];
    if (!given) return { ok: false, status: 401, error: 'missing bearer token' };
    if (!sameSecret(Buffer.from(given), Buffer.from(secret.token))) return { ok: false, status: 401, error: 'bearer token is not valid for this connector' };
    const sent = header(headers, DELIVERY_HEADER)?.trim();
    if (sent !== undefined && !DELIVERY_ID.test(sent)) return { ok: false, status: 400, error: `malformed ${DELIVERY_HEADER} header (1-128 of A-Z a-z 0-9 . _ : -)` };
    deliveryId = sent ?? null;
  }
  if (body.length === 0) return { ok: false, status: 400, error: 'empty body' };
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return { ok: false, status: 400, error: `body is not valid JSON: ${messageOf(error)}` };
  }
  if (typeof payload !== 'object' || payload === null) return { ok: false, status: 400, error: 'body must be a JSON object or array' };
  return { ok: true, payload, deliveryId };
}

export interface WebhookOutcome extends ItemTally {
  /** What the route should answer: 200 handled; 400/401 the sender's fault; 503 try again later. */
  status: 200 | 400 | 401 | 503;
  error?: string;
}

export interface WebhookInstance {
  id: string;
  flow: string;
  mapping: string;
  settings: Record<string, unknown>;
}

/**
 * A verified payload into contracts: the connector turns it into items (it may fetch the
 * record the event names), then each is mapped and started. Nothing is started unless the
 * whole payload was understood.
 */
export async function handleWebhookPayload(options: {
  connector: AnyConnector;
  instance: WebhookInstance;
  payload: unknown;
  startContract: StartContract;
  onChange?: OnChange;
  signal?: AbortSignal;
}): Promise<WebhookOutcome> {
  const tally: WebhookOutcome = { status: 200, read: 0, started: 0, changed: 0, skipped: 0, errors: [] };
  const trigger = options.connector.triggers.webhook;
  if (!trigger) return { ...tally, status: 400, error: `connector ${options.connector.id} takes no webhooks` };

  let items;
  try {
    items = await trigger.itemsFromPayload({ settings: options.instance.settings, signal: options.signal }, options.payload);
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

/** Verify, then handle: everything behind `POST /hooks/:instanceId` but the rate limit and the replay check. */
export async function receiveWebhook(options: {
  connector: AnyConnector;
  instance: WebhookInstance & { auth: WebhookAuth };
  headers: WebhookHeaders;
  rawBody: Buffer | string;
  startContract: StartContract;
  onChange?: OnChange;
  signal?: AbortSignal;
  now?: number;
}): Promise<WebhookOutcome> {
  const verified = verifyWebhook({ headers: options.headers, rawBody: options.rawBody, secret: options.instance.auth, now: options.now });
  if (!verified.ok) return { status: verified.status, error: verified.error, read: 0, started: 0, changed: 0, skipped: 0, errors: [] };
  return handleWebhookPayload({ ...options, payload: verified.payload });
}
