// Live events (SSE) through a running hub: a contract changed by the worker reaches the
// listeners who may see it, and nobody else (sibling unit, other tenant). The feed itself, on
// short intervals: one poll for all listeners, heartbeats, polling stops when the last listener
// leaves, and a stream ends once its user is disabled.
import type { AddressInfo } from 'node:net';
import express, { Router } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../server/auth';
import { errorHandler } from '../../server/errors';
import { createContractEvents } from '../../server/events';
import { registerRoutes } from '../../server/route';
import { openStore, type Store } from '../../store';
import { contractState } from '../store/fixtures';
import { createTestDatabase } from '../support/databases';
import { approvalFlow, startTestHub, type TestHub } from '../support/hub';

let hub: TestHub;
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};

interface ServerSentEvent {
  event: string;
  data: any;
}

/** An SSE client over fetch: collects events and comments until closed or the server ends the stream. */
async function listen(url: string, token: string) {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: abort.signal });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const events: ServerSentEvent[] = [];
  const comments: string[] = [];
  let ended = false;
  const reading = (async () => {
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          let data: string | null = null;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data = line.slice(6);
          }
          if (data !== null) events.push({ event, data: JSON.parse(data) });
        }
      }
    } catch {
      // aborted by close()
    }
    ended = true;
  })();
  return {
    events,
    comments,
    ended: () => ended,
    async waitFor(predicate: (e: ServerSentEvent) => boolean, timeoutMs = 20_000): Promise<ServerSentEvent> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const found = events.find(predicate);
        if (found) return found;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no such event within ${timeoutMs} ms; got ${JSON.stringify(events)}`);
    },
    async close() {
      abort.abort();
      await reading;
    },
  };
}

beforeAll(async () => {
  hub = await startTestHub();
  const group = await hub.store.orgUnits.create({ tenantId: 'default', name: '集团', parentId: null });
  const purchasing = await hub.store.orgUnits.create({ tenantId: 'default', name: '采购部', parentId: group.id });
  const sales = await hub.store.orgUnits.create({ tenantId: 'default', name: '销售部', parentId: group.id });
  const user = async (key: string, name: string, roles: string[], orgUnit: string | null = null, tenantId = 'default') => {
    const { user: created, token } = await hub.store.users.create({ tenantId, name, roles, orgUnit });
    tokens[key] = token;
    ids[key] = created.id;
  };
  await user('buyer', '采购员小李', ['business-user'], purchasing.id);
  await user('seller', '销售员小王', ['business-user'], sales.id);
  await user('manager', '王经理', ['dept-manager']);
  const other = await hub.store.tenants.create('另一家公司');
  await user('otherAdmin', '他人管理员', ['tenant-admin'], null, other.id);
  await hub.publish({ ...approvalFlow(), key: 'approval-only' });
}, 120_000);
afterAll(() => hub?.close());

describe('live contract events', () => {
  it('sends the worker’s change of a contract to those who may see it, and to nobody in a sibling unit or another tenant', { timeout: 90_000 }, async () => {
    const listeners = {
      buyer: await listen(`${hub.url}/api/events`, tokens.buyer),
      admin: await listen(`${hub.url}/api/events`, hub.adminToken),
      seller: await listen(`${hub.url}/api/events`, tokens.seller),
      other: await listen(`${hub.url}/api/events`, tokens.otherAdmin),
    };
    try {
      // Let the feed take its first look (which only learns where things stand).
      await new Promise((r) => setTimeout(r, 1500));
      const started = await hub.call('POST', '/api/contracts', { flow: 'approval-only', sourceKey: 'PO-LIVE-1', data: { poNumber: 'PO-LIVE-1', amount: 5000, supplier: { name: '深圳市华强电子有限公司' } } }, tokens.buyer);
      expect(started.status).toBe(201);
      const id = started.body.id;
      await hub.waitFor(id, (c) => c.steps[0].status === 'pending');
      expect((await hub.call('POST', `/api/contracts/${id}/approvals`, { decision: 'approve' }, tokens.manager)).status).toBe(200);
      // The decision's outcome is written by the worker's activity; the feed reads it from the table.
      const final = await hub.waitFor(id, (c) => c.status !== 'in_approval');
      const seen = await listeners.buyer.waitFor((e) => e.event === 'contract' && e.data.id === id && e.data.status === final.status);
      expect(seen.data).toEqual({ id, status: final.status, updatedAt: expect.any(String) });
      await listeners.admin.waitFor((e) => e.data.id === id && e.data.status === final.status);
      // two more polls: nothing for the sales user or the other tenant, not even the id
      await new Promise((r) => setTimeout(r, 2500));
      expect(listeners.seller.events).toEqual([]);
      expect(listeners.other.events).toEqual([]);
      expect(listeners.buyer.ended()).toBe(false);
    } finally {
      for (const listener of Object.values(listeners)) await listener.close();
    }
  });

  it('refuses a caller without contracts.read, an unauthenticated one, and one that does not accept an event stream', async () => {
    const { user: integrator, token } = await hub.store.users.create({ name: '集成管理员', roles: ['integration-admin'] });
    expect(integrator.roles).toEqual(['integration-admin']);
    expect((await fetch(`${hub.url}/api/events`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
    expect((await fetch(`${hub.url}/api/events`)).status).toBe(401);
    // a caller that does not ask for a stream gets an answer, not a connection that never ends
    const plain = await hub.call('GET', '/api/events', undefined, tokens.buyer);
    expect(plain.status).toBe(406);
    expect(plain.body.error.details).toEqual([{ path: '/headers/accept', message: 'must include text/event-stream' }]);
  });
});

describe('the feed', () => {
  let server: ReturnType<ReturnType<typeof express>['listen']>;
  let url: string;
  let polls = 0;
  let events: ReturnType<typeof createContractEvents>;

  beforeAll(async () => {
    // The real feed, store and authenticator on short intervals; the store's poll is counted.
    const counted: Store = { ...hub.store, stats: { ...hub.store.stats, changedSince: (...args) => (polls++, hub.store.stats.changedSince(...args)) } };
    const authenticate = createAuthenticator({ store: hub.store, adminToken: hub.adminToken });
    events = createContractEvents({ store: counted, authenticate, pollMs: 100, heartbeatMs: 200, recheckMs: 300, log: () => {} });
    const router = Router();
    registerRoutes(router, [events.route], authenticate);
    const app = express();
    app.use(router);
    app.use(errorHandler(() => {}));
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/events`;
  });
  afterAll(() => new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve())));

  it('polls once per tick for all listeners, sends heartbeats, and stops polling when the last listener leaves', async () => {
    expect(events.polling()).toBe(false);
    const three = [await listen(url, tokens.buyer), await listen(url, tokens.seller), await listen(url, hub.adminToken)];
    try {
      expect(events.listenerCount()).toBe(3);
      const before = polls;
      const started = Date.now();
      await new Promise((r) => setTimeout(r, 1000));
      const ticks = (Date.now() - started) / 100;
      // one query per tick (not one per listener, which would be three)
      expect(polls - before).toBeLessThanOrEqual(Math.ceil(ticks) + 1);
      expect(polls - before).toBeGreaterThanOrEqual(Math.floor(ticks / 2));
      for (const listener of three) expect(listener.comments.some((c) => c.startsWith('heartbeat'))).toBe(true);
    } finally {
      for (const listener of three) await listener.close();
    }
    await expect.poll(() => events.listenerCount()).toBe(0);
    expect(events.polling()).toBe(false);
    const after = polls;
    await new Promise((r) => setTimeout(r, 400));
    expect(polls).toBe(after);
  });

  it('ends the stream once the listener’s credential no longer holds (user disabled)', async () => {
    const { user, token } = await hub.store.users.create({ name: '临时用户', roles: ['viewer'] });
    const listener = await listen(url, token);
    try {
      await new Promise((r) => setTimeout(r, 350));
      expect(listener.ended()).toBe(false);
      await hub.store.users.setDisabled(user.id, true);
      await expect.poll(() => listener.ended(), { timeout: 3000 }).toBe(true);
      expect(listener.events.at(-1)).toEqual({ event: 'end', data: { reason: 'unauthorized' } });
    } finally {
      await listener.close();
    }
  });

  it('ends its streams when the server shuts down, so that closing the server does not wait for open consoles', async () => {
    const listener = await listen(url, tokens.buyer);
    try {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await expect.poll(() => listener.ended(), { timeout: 3000 }).toBe(true);
      await closed;
    } finally {
      await listener.close();
    }
  });
});

describe('a change written by another process', () => {
  it('reaches the listener from the database alone (PostgreSQL, a second connection pool writing), and only where the listener may see it', { timeout: 60_000 }, async () => {
    const database = await createTestDatabase('postgres', { migrated: true });
    // The hub's store, and another process's (a worker elsewhere): two pools on one database.
    const hubStore = await openStore(database.options);
    const workerStore = await openStore(database.options);
    const purchasing = await hubStore.orgUnits.create({ tenantId: 'default', name: '采购部', parentId: null });
    const sales = await hubStore.orgUnits.create({ tenantId: 'default', name: '销售部', parentId: null });
    const { token } = await hubStore.users.create({ name: '采购员小李', roles: ['business-user'], orgUnit: purchasing.id });
    const authenticate = createAuthenticator({ store: hubStore, adminToken: null });
    const feed = createContractEvents({ store: hubStore, authenticate, pollMs: 100, log: () => {} });
    const router = Router();
    registerRoutes(router, [feed.route], authenticate);
    const app = express();
    app.use(router);
    const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const listener = await listen(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/events`, token);
    try {
      await new Promise((r) => setTimeout(r, 300));
      const now = new Date().toISOString();
      const owned = (id: string, unit: typeof purchasing) => contractState({ id, status: 'approved', createdAt: now, updatedAt: now, revision: 3, owner: { tenantId: 'default', unit: { id: unit.id, path: unit.path } } });
      await workerStore.contracts.save(owned('c-sales', sales));
      await workerStore.contracts.save(owned('c-mine', purchasing));
      expect((await listener.waitFor((e) => e.data.id === 'c-mine')).data).toEqual({ id: 'c-mine', status: 'approved', updatedAt: now });
      await new Promise((r) => setTimeout(r, 300));
      expect(listener.events.map((e) => e.data.id)).toEqual(['c-mine']);
    } finally {
      await listener.close();
      await new Promise((resolve) => server.close(resolve));
      await hubStore.close();
      await workerStore.close();
      await database.drop();
    }
  });
});
