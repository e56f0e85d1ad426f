import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../store';
import { dialects, openTestStore } from '../support/databases';

describe.each(dialects)('outbox (%s)', (dialect) => {
  let store: Store;
  beforeEach(async () => {
    store = await openTestStore(dialect);
  });
  afterEach(async () => {
    await store.close();
  });

  const invite = { channel: 'email' as const, to: 'supplier@example.com', subject: 'Please sign', body: 'https://x/sign/abc', contractId: 'c-1' };

  it('adds a message and returns it with an id and time', async () => {
    const message = await store.outbox.add(invite, 'c-1:invite:supplier');
    expect(message).toMatchObject(invite);
    expect(message.id).toMatch(/^m_/);
    expect(message.createdAt).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    expect(await store.outbox.list()).toEqual([message]);
  });

  it('adds nothing for a repeated idempotency key and returns the first message', async () => {
    const first = await store.outbox.add(invite, 'c-1:invite:supplier');
    const again = await store.outbox.add({ ...invite, subject: 'Retry' }, 'c-1:invite:supplier');
    expect(again).toEqual(first);
    expect(await store.outbox.list()).toHaveLength(1);
  });

  it('keeps one message when the same key is added concurrently', async () => {
    // Open several connections first (PostgreSQL), so the adds really overlap.
    await Promise.all([1, 2, 3].map(() => store.ping()));
    const results = await Promise.all([1, 2, 3].map((n) => store.outbox.add({ ...invite, subject: `try ${n}` }, 'same-key')));
    expect(new Set(results.map((m) => m.id)).size).toBe(1);
    expect(await store.outbox.list()).toHaveLength(1);
  });

  it('lists newest first, filtered by recipient and contract, up to a limit', async () => {
    await store.outbox.add({ ...invite, subject: '1' }, 'k1');
    await store.outbox.add({ ...invite, subject: '2', to: '+8613800000000', channel: 'sms' }, 'k2');
    await store.outbox.add({ ...invite, subject: '3', contractId: 'c-2' }, 'k3');
    await store.outbox.add({ ...invite, subject: '4', contractId: null, channel: 'inbox', to: 'u_1' }, 'k4');

    expect((await store.outbox.list()).map((m) => m.subject)).toEqual(['4', '3', '2', '1']);
    expect((await store.outbox.list({ to: 'supplier@example.com' })).map((m) => m.subject)).toEqual(['3', '1']);
    expect((await store.outbox.list({ contractId: 'c-1' })).map((m) => m.subject)).toEqual(['2', '1']);
    expect((await store.outbox.list({ to: 'supplier@example.com', contractId: 'c-1' })).map((m) => m.subject)).toEqual(['1']);
    expect((await store.outbox.list({ limit: 2 })).map((m) => m.subject)).toEqual(['4', '3']);
    expect((await store.outbox.list({ to: 'u_1' }))[0]).toMatchObject({ channel: 'inbox', contractId: null });
  });
});
