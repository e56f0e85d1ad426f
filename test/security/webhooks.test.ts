// Inbound webhooks as an outsider would attack them, through the REST API of a running hub:
// a captured delivery replayed later or again, a forged flood meant to use up a real
// sender's budget. Plus the pure verification and the store's memory of delivery ids.
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook, WEBHOOK_TOLERANCE_SECONDS } from '../../connectors';
import { openStore } from '../../store';
import { createTestDatabase, dialects } from '../support/databases';
import { approvalFlow, startTestHub, type TestHub } from '../support/hub';

const SECRET = 'bpm-webhook-secret-0123456789abcdef';
const auth = { kind: 'hmac-sha256' as const, secret: SECRET };
const suffix = randomBytes(4).toString('hex');
const INSTANCE = `bpm-hooks-${suffix}`;
const now = () => Math.floor(Date.now() / 1000);
const start = (key: string, amount = 5000) => JSON.stringify({ processInstanceId: `p-${key}`, businessKey: key, variables: { poNumber: key, amount, supplier: { name: '深圳市华强电子有限公司' } } });

describe('verifyWebhook', () => {
  const body = start('CR-1');
  it('accepts a delivery signed now, and one signed at the edge of the window', () => {
    expect(verifyWebhook({ headers: signWebhook(body, SECRET), rawBody: body, secret: auth })).toMatchObject({ ok: true });
    const edge = signWebhook(body, SECRET, { timestamp: now() - WEBHOOK_TOLERANCE_SECONDS + 5 });
    expect(verifyWebhook({ headers: edge, rawBody: body, secret: auth })).toMatchObject({ ok: true });
  });

  it('refuses a timestamp more than 5 minutes away, either way (401)', () => {
    for (const timestamp of [now() - WEBHOOK_TOLERANCE_SECONDS - 5, now() + WEBHOOK_TOLERANCE_SECONDS + 5]) {
      expect(verifyWebhook({ headers: signWebhook(body, SECRET, { timestamp }), rawBody: body, secret: auth })).toMatchObject({ ok: false, status: 401, error: expect.stringContaining('x-sealflow-timestamp') });
    }
  });

  it('signs the timestamp and the delivery id: changing either breaks the signature', () => {
    const headers = signWebhook(body, SECRET, { timestamp: now() - 1000, deliveryId: 'd-1' });
    expect(verifyWebhook({ headers: { ...headers, 'x-sealflow-timestamp': String(now()) }, rawBody: body, secret: auth })).toMatchObject({ ok: false, status: 401, error: expect.stringContaining('signature') });
    const fresh = signWebhook(body, SECRET, { deliveryId: 'd-1' });
    expect(verifyWebhook({ headers: { ...fresh, 'x-sealflow-delivery': 'd-2' }, rawBody: body, secret: auth })).toMatchObject({ ok: false, status: 401 });
  });

  it('needs the timestamp and the delivery id', () => {
    const { 'x-sealflow-timestamp': _t, ...noTimestamp } = signWebhook(body, SECRET);
    const { 'x-sealflow-delivery': _d, ...noDelivery } = signWebhook(body, SECRET);
    expect(verifyWebhook({ headers: noTimestamp, rawBody: body, secret: auth })).toMatchObject({ ok: false, status: 401 });
    expect(verifyWebhook({ headers: noDelivery, rawBody: body, secret: auth })).toMatchObject({ ok: false, status: 401 });
  });
});

describe.each(dialects)('delivery ids in the store on %s', (dialect) => {
  it('remembers an id across a restart, forgets it on request and prunes old ones', async () => {
    const database = await createTestDatabase(dialect);
    try {
      const at = new Date();
      const longAgo = new Date(at.getTime() - 3_600_000);
      let store = await openStore(database.options);
      expect(await store.connectors.rememberDelivery('bpm', 'd-1', at, longAgo)).toBe(true);
      expect(await store.connectors.rememberDelivery('bpm', 'd-1', at, longAgo)).toBe(false);
      expect(await store.connectors.rememberDelivery('other', 'd-1', at, longAgo)).toBe(true);
      await store.close();
      store = await openStore(database.options);
      expect(await store.connectors.rememberDelivery('bpm', 'd-1', at, longAgo)).toBe(false);
      await store.connectors.forgetDelivery('bpm', 'd-1');
      expect(await store.connectors.rememberDelivery('bpm', 'd-1', at, longAgo)).toBe(true);
      // Once older than the window, an id is pruned (its timestamp would be refused anyway).
      expect(await store.connectors.rememberDelivery('bpm', 'd-2', longAgo, new Date(0))).toBe(true);
      expect(await store.connectors.rememberDelivery('bpm', 'd-2', at, new Date(at.getTime() - 600_000))).toBe(true);
      await store.close();
    } finally {
      await database.drop();
    }
  });
});

describe('webhooks through the hub', () => {
  let hub: TestHub;
  // The instance's budget is a little more than these tests spend; an outsider's failures have their own.
  const RATE = { burst: 8, perSecond: 0.01, unauthenticated: { burst: 10, perSecond: 0.01 } };

  /** A POST from a given loopback address, as another machine would send it. */
  const postFrom = (localAddress: string, path: string, body: string, headers: Record<string, string>) =>
    new Promise<{ status: number; body: any }>((resolve, reject) => {
      const url = new URL(hub.url + path);
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : null }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const json = { 'content-type': 'application/json' };

  beforeAll(async () => {
    hub = await startTestHub({ webhookRateLimit: RATE });
    await hub.publish(approvalFlow());
    const created = await hub.call('POST', '/api/connectors', {
      id: INSTANCE, connector: 'bpm_webhook', settings: { timeoutMs: 5000 },
      trigger: { kind: 'webhook', auth: { kind: 'hmac-sha256', secret: SECRET } }, flow: 'supplier-purchase', mapping: 'variables',
    });
    expect(created.status).toBe(201);
  }, 120_000);
  afterAll(() => hub?.close());

  it('refuses a captured delivery replayed after 5 minutes (401) and starts nothing', async () => {
    const body = start(`CR-${suffix}-old`);
    const captured = signWebhook(body, SECRET, { timestamp: now() - 6 * 60 });
    const replayed = await postFrom('127.0.0.1', `/hooks/${INSTANCE}`, body, { ...json, ...captured });
    expect(replayed.status).toBe(401);
    expect(replayed.body.error.message).toContain('x-sealflow-timestamp');
    expect((await hub.call('GET', `/api/contracts?q=CR-${suffix}-old`)).body.total).toBe(0);
  });

  it('refuses the same delivery id a second time (409); a new delivery of the same record is handled', async () => {
    const body = start(`CR-${suffix}-dup`);
    const headers = { ...json, ...signWebhook(body, SECRET) };
    const first = await postFrom('127.0.0.1', `/hooks/${INSTANCE}`, body, headers);
    expect(first).toMatchObject({ status: 200, body: { started: 1 } });
    const again = await postFrom('127.0.0.1', `/hooks/${INSTANCE}`, body, headers);
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'replayed_delivery' } } });
    // A new delivery of the same record (new id, signed anew) is handled: the start is idempotent.
    const redelivered = await postFrom('127.0.0.1', `/hooks/${INSTANCE}`, body, { ...json, ...signWebhook(body, SECRET) });
    expect(redelivered).toMatchObject({ status: 200, body: { started: 0, changed: 1 } });
  });

  it('takes a delivery again under the same id when the hub answered it 503 (deliver again later)', async () => {
    const flow = { ...approvalFlow(), key: `draft-${suffix}` };
    expect((await hub.call('POST', '/api/flows', flow)).status).toBe(201);
    const instance = `bpm-draft-${suffix}`;
    expect((await hub.call('POST', '/api/connectors', { id: instance, connector: 'bpm_webhook', settings: { timeoutMs: 5000 }, trigger: { kind: 'webhook', auth }, flow: flow.key, mapping: 'variables' })).status).toBe(201);
    const body = start(`CR-${suffix}-later`);
    const headers = { ...json, ...signWebhook(body, SECRET) };
    // The flow is not published yet: nothing can start, the sender is asked to come again.
    expect((await postFrom('127.0.0.1', `/hooks/${instance}`, body, headers)).status).toBe(503);
    await hub.publish(flow);
    expect(await postFrom('127.0.0.1', `/hooks/${instance}`, body, headers)).toMatchObject({ status: 200, body: { started: 1 } });
    expect((await postFrom('127.0.0.1', `/hooks/${instance}`, body, headers)).status).toBe(409);
  });

  it('refuses a signed delivery nested 10,000 levels deep with 400 and the path, and starts nothing', async () => {
    const key = `CR-${suffix}-deep`;
    const body = JSON.stringify({ processInstanceId: `p-${key}`, businessKey: key, variables: { poNumber: key, amount: 1, supplier: { name: 'x' } } }).replace(/}$/, `,"extra":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`);
    const answer = await postFrom('127.0.0.1', `/hooks/${INSTANCE}`, body, { ...json, ...signWebhook(body, SECRET) });
    expect(answer.status).toBe(400);
    expect(answer.body.error.details[0].path).toMatch(/^\/extra\/a\/a\//);
    expect((await hub.call('GET', `/api/contracts?q=${key}`)).body.total).toBe(0);
  });

  it('does not let an outsider’s flood of forged deliveries use up the real sender’s budget', async () => {
    const body = start(`CR-${suffix}-flood`);
    // The outsider, from another address: more forged deliveries than the instance's whole burst.
    const forged = { ...json, ...signWebhook(body, 'not-the-secret-0123456789') };
    const answers = [];
    for (let i = 0; i < 3 * RATE.burst; i++) answers.push((await postFrom('127.0.0.2', `/hooks/${INSTANCE}`, body, forged)).status);
    expect(answers.slice(0, RATE.burst)).toEqual(Array(RATE.burst).fill(401));
    // Past its own failure budget the outsider is refused before verification.
    expect(answers.at(-1)).toBe(429);

    // The real sender still gets through.
    const real = await postFrom('127.0.0.1', `/hooks/${INSTANCE}`, body, { ...json, ...signWebhook(body, SECRET) });
    expect(real).toMatchObject({ status: 200, body: { started: 1 } });
  });
});
