// Two servers over one database, as a scaled-out hub runs: what one of them counted (a
// client's /api/verify allowance, a webhook sender's failures) holds at the other, and a
// notification claimed by two workers at once goes out once. Each server is the real express
// app with its own store connection; they share only the database.
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { signWebhook } from '../../connectors';
import { createNotifier, createStoredDeliveryLog, type Message } from '../../notify';
import { createApp } from '../../server';
import { createSharedRateLimiter } from '../../server/rate-limit';
import { keyRecordsIn, openSigningPlatform } from '../../signing';
import { openStore, type Store } from '../../store';
import { createDocumentRenderer } from '../../templates';
import { createDocumentService } from '../../workflows';
import { createTestDatabase, dialects, type TestDatabase } from '../support/databases';
import { approvalFlow } from '../support/hub';
import { startSmtpServer, type LocalSmtpServer } from '../notify/support';

// Small budgets that refill within a second, so that "resets after its window" is seen quickly.
const VERIFY = { burst: 3, perSecond: 2 };
const WEBHOOK = { burst: 30, perSecond: 5, unauthenticated: { burst: 3, perSecond: 2 } };
const SECRET = 'bpm-webhook-secret-0123456789abcdef';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Running {
  url: string;
  store: Store;
  close(): Promise<void>;
}

describe.each(dialects)('two servers over one %s database', (dialect) => {
  const adminToken = `test-admin-${randomBytes(12).toString('hex')}`;
  const masterKey = randomBytes(32);
  const renderer = createDocumentRenderer();
  let database: TestDatabase;
  let connection: Connection;
  let one: Running;
  let two: Running;
  let smtp: LocalSmtpServer;

  async function startServer(): Promise<Running> {
    const store = await openStore(database.options);
    const client = new Client({ connection, namespace: 'default' });
    const signing = await openSigningPlatform({ masterKey, keyRecords: keyRecordsIn(store.signingKeys) });
    const taskQueue = `shared-limits-${randomBytes(4).toString('hex')}`;
    const app = createApp({
      store, client, signing, taskQueue, namespace: 'default', contractIdScope: taskQueue, adminToken, masterKey,
      documents: createDocumentService({ store, renderer }),
      notifier: createNotifier({ store, outbox: true }),
      publicRateLimits: { verify: VERIFY },
      webhookRateLimit: WEBHOOK,
    });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      store,
      async close() {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        await store.close();
      },
    };
  }

  beforeAll(async () => {
    database = await createTestDatabase(dialect, { migrated: true });
    connection = await Connection.connect({ address: inject('temporalAddress') });
    one = await startServer();
    two = await startServer();
    smtp = await startSmtpServer();
  }, 120_000);

  afterAll(async () => {
    await one?.close();
    await two?.close();
    await smtp?.stop();
    await connection?.close();
    await database?.drop();
  });

  const verify = (server: Running) =>
    fetch(`${server.url}/api/verify`, { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: 'not a pdf at all' });

  it('refuses at server 2 (429) a client that spent its /api/verify allowance at server 1, and lets it in again once the bucket refilled', async () => {
    for (let i = 0; i < VERIFY.burst; i++) expect((await verify(one)).status).not.toBe(429);
    const refused = await verify(two);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as any).error.code).toBe('rate_limited');
    // Server 1 agrees, and the refusal spent nothing.
    expect((await verify(one)).status).toBe(429);
    await sleep(700);
    expect((await verify(two)).status).not.toBe(429);
    expect((await verify(one)).status).toBe(429);
  });

  it('blocks at server 2 a webhook sender whose forged deliveries ran over at server 1, until its window has passed', async () => {
    const call = (server: Running, method: string, path: string, body: unknown) =>
      fetch(server.url + path, { method, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await call(one, 'POST', '/api/flows', approvalFlow())).status).toBe(201);
    expect((await call(one, 'POST', '/api/flows/supplier-purchase/publish', undefined)).status).toBe(200);
    const instance = `bpm-shared-${randomBytes(3).toString('hex')}`;
    const created = await call(one, 'POST', '/api/connectors', {
      id: instance, connector: 'bpm_webhook', settings: { timeoutMs: 5000 },
      trigger: { kind: 'webhook', auth: { kind: 'hmac-sha256', secret: SECRET } }, flow: 'supplier-purchase', mapping: 'variables',
    });
    expect(created.status).toBe(201);

    const body = JSON.stringify({ processInstanceId: 'p-1', businessKey: 'CR-1', variables: { poNumber: 'CR-1', amount: 10, supplier: { name: '深圳市华强电子有限公司' } } });
    const forge = (server: Running) =>
      fetch(`${server.url}/hooks/${instance}`, { method: 'POST', headers: { 'content-type': 'application/json', ...signWebhook(body, 'not-the-secret-0123456789') }, body });
    for (let i = 0; i < WEBHOOK.unauthenticated.burst; i++) expect((await forge(one)).status).toBe(401);
    const blocked = await forge(two);
    expect(blocked.status).toBe(429);
    expect(((await blocked.json()) as any).error.message).toMatch(/Too many failed deliveries from this client/);
    expect((await forge(one)).status).toBe(429);
    await sleep(700);
    // The window has passed: the sender is heard again (and its forgery refused as such).
    expect((await forge(two)).status).toBe(401);
  });

  const email = (to: string): Message => ({ channel: 'email', to, subject: '请签署：采购合同 CR-1', body: '请打开链接签署。', contractId: 'c-shared' });

  it('delivers a notification claimed by two workers at once exactly once, and each worker reports it sent', async () => {
    const workers = [one.store, two.store].map((store) => createNotifier({ store, outbox: true, email: { url: smtp.url } }));
    const key = `c-shared:signer-1:invite:${randomBytes(3).toString('hex')}`;
    await Promise.all([workers[0]!.send(email('buyer@example.com'), key), workers[1]!.send(email('buyer@example.com'), key)]);
    // A retried activity later, on either worker, sends nothing either.
    await workers[1]!.send(email('buyer@example.com'), key);
    expect(smtp.mails.filter((mail) => mail.recipients.includes('buyer@example.com'))).toHaveLength(1);
    expect(await two.store.notificationDeliveries.has(`email:${key}`)).toBe(true);
    // The dev outbox holds the message once as well.
    expect((await one.store.outbox.list({ to: 'buyer@example.com' })).length).toBe(1);
    for (const worker of workers) worker.close();
  });

  it('takes over the claim of a worker that died mid-send once its lease ran out (the at-least-once case), and sends then', async () => {
    const key = `email:c-shared:signer-2:invite:${randomBytes(3).toString('hex')}`;
    // Worker 1 claimed and died: nobody will ever record the delivery or give the claim back.
    expect(await one.store.notificationDeliveries.claim(key, 400)).toMatchObject({ status: 'claimed' });
    const notifier = createNotifier({ store: two.store, outbox: false, email: { url: smtp.url }, deliveries: createStoredDeliveryLog(two.store.notificationDeliveries, { waitMs: 10_000, pollMs: 50 }) });
    const started = Date.now();
    await notifier.send(email('seller@example.com'), key.slice('email:'.length));
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(smtp.mails.filter((mail) => mail.recipients.includes('seller@example.com'))).toHaveLength(1);
    notifier.close();
  });

  it('gives a claim back when the send fails, so that the next attempt sends', async () => {
    const key = `c-shared:signer-3:invite:${randomBytes(3).toString('hex')}`;
    const down = createNotifier({ store: one.store, outbox: false, email: { url: 'smtp://127.0.0.1:1', timeoutMs: 1000 } });
    await expect(down.send(email('third@example.com'), key)).rejects.toMatchObject({ code: 'email_failed', retryable: true });
    const up = createNotifier({ store: two.store, outbox: false, email: { url: smtp.url } });
    await up.send(email('third@example.com'), key);
    expect(smtp.mails.filter((mail) => mail.recipients.includes('third@example.com'))).toHaveLength(1);
    down.close();
    up.close();
  });

  it('grants exactly the burst to 60 takes racing from both servers at once (one atomic statement, no read-modify-write)', async () => {
    const limit = { burst: 10, perSecond: 0.001 };
    const key = `race:${randomBytes(3).toString('hex')}`;
    const waits = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? one : two).store.rateLimits.take(key, limit)));
    expect(waits.filter((wait) => wait === 0)).toHaveLength(limit.burst);
    expect(waits.filter((wait) => wait > 0)).toHaveLength(60 - limit.burst);
  });

  it('still limits, per server, while its database does not answer', async () => {
    const gone = await createTestDatabase('sqlite');
    const store = await openStore(gone.options);
    await store.close();
    await gone.drop();
    const limiter = createSharedRateLimiter(store.rateLimits, 'verification', { burst: 2, perSecond: 0.01 });
    const started = Date.now();
    expect([await limiter.take('10.0.0.9'), await limiter.take('10.0.0.9'), await limiter.take('10.0.0.9')].map((wait) => wait > 0)).toEqual([false, false, true]);
    expect(await limiter.peek('10.0.0.9')).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('forgets buckets that are full again (purge), so rows follow active clients', async () => {
    const limit = { burst: 2, perSecond: 100 };
    expect(await one.store.rateLimits.take('purge-test', limit)).toBe(0);
    expect(await one.store.rateLimits.purge(Date.now() + 60_000)).toBeGreaterThanOrEqual(1);
    expect(await one.store.rateLimits.peek('purge-test', limit)).toBe(0);
  });
});
