import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError, type Store } from '../../store';
import { dialects, openTestStore } from '../support/databases';
import { flowDefinition } from './fixtures';

async function storeError(promise: Promise<unknown>): Promise<StoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  return error as StoreError;
}

describe.each(dialects)('flows (%s)', (dialect) => {
  let store: Store;
  beforeEach(async () => {
    store = await openTestStore(dialect);
  });
  afterEach(async () => {
    await store.close();
  });

  it('creates version 1 as a draft', async () => {
    const created = await store.flows.create('default', flowDefinition('purchase', '采购合同'), 'u_admin');
    expect(created).toMatchObject({ key: 'purchase', version: 1, status: 'draft', name: '采购合同', createdBy: 'u_admin', publishedAt: null, publishedBy: null });
    expect(created.definition).toEqual(flowDefinition('purchase', '采购合同'));
    expect(await store.flows.get('default', 'purchase')).toEqual(created);
    expect(await store.flows.published('default', 'purchase')).toBeNull();
  });

  it('refuses to create a key that exists', async () => {
    await store.flows.create('default', flowDefinition('purchase'), 'u_admin');
    const error = await storeError(store.flows.create('default', flowDefinition('purchase', 'Other'), 'u_other'));
    expect(error.code).toBe('conflict');
    expect((await store.flows.versions('default', 'purchase')).map((v) => v.name)).toEqual(['Flow purchase']);
  });

  it('lets exactly one of two concurrent creates of a key win', async () => {
    // Open several connections first (PostgreSQL), so the creates really overlap.
    await Promise.all([1, 2, 3].map(() => store.ping()));
    const results = await Promise.allSettled([
      store.flows.create('default', flowDefinition('race', 'A'), 'u_a'),
      store.flows.create('default', flowDefinition('race', 'B'), 'u_b'),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0].reason).toBeInstanceOf(StoreError);
    expect((lost[0].reason as StoreError).code).toBe('conflict');
    expect(await store.flows.versions('default', 'race')).toHaveLength(1);
  });

  it('replaces the definition of a draft in place', async () => {
    await store.flows.create('default', flowDefinition('purchase', 'First'), 'u_admin');
    const saved = await store.flows.saveDraft('default', 'purchase', flowDefinition('purchase', 'Second'), 'u_editor');
    expect(saved).toMatchObject({ version: 1, status: 'draft', name: 'Second' });
    expect(saved.definition.name).toBe('Second');
    expect(await store.flows.versions('default', 'purchase')).toHaveLength(1);
    expect((await store.flows.get('default', 'purchase'))?.definition.name).toBe('Second');
  });

  it('opens a new draft version on top of a published one', async () => {
    await store.flows.create('default', flowDefinition('purchase', 'First'), 'u_admin');
    await store.flows.publish('default', 'purchase', 'u_admin');
    const draft = await store.flows.saveDraft('default', 'purchase', flowDefinition('purchase', 'Second'), 'u_editor');
    expect(draft).toMatchObject({ version: 2, status: 'draft', name: 'Second', createdBy: 'u_editor', publishedAt: null });

    const versions = await store.flows.versions('default', 'purchase');
    expect(versions.map((v) => [v.version, v.status, v.name])).toEqual([
      [1, 'published', 'First'],
      [2, 'draft', 'Second'],
    ]);
    // Running contracts and new starts keep using the published version until the draft is published.
    expect((await store.flows.published('default', 'purchase'))?.version).toBe(1);
    expect((await store.flows.get('default', 'purchase'))?.version).toBe(2);
    expect((await store.flows.get('default', 'purchase', 1))?.name).toBe('First');
    expect(await store.flows.get('default', 'purchase', 3)).toBeNull();
  });

  it('refuses a draft whose key differs from the flow', async () => {
    await store.flows.create('default', flowDefinition('purchase'), 'u_admin');
    const error = await storeError(store.flows.saveDraft('default', 'purchase', flowDefinition('other'), 'u_admin'));
    expect(error.code).toBe('conflict');
    expect(await store.flows.get('default', 'other')).toBeNull();
  });

  it('reports an unknown flow as not found on save and publish', async () => {
    expect((await storeError(store.flows.saveDraft('default', 'nope', flowDefinition('nope'), 'u_admin'))).code).toBe('not_found');
    expect((await storeError(store.flows.publish('default', 'nope', 'u_admin'))).code).toBe('not_found');
    expect(await store.flows.get('default', 'nope')).toBeNull();
    expect(await store.flows.versions('default', 'nope')).toEqual([]);
  });

  it('publishes the latest draft and records who did it', async () => {
    await store.flows.create('default', flowDefinition('purchase'), 'u_admin');
    const published = await store.flows.publish('default', 'purchase', 'u_boss');
    expect(published).toMatchObject({ version: 1, status: 'published', publishedBy: 'u_boss' });
    expect(published.publishedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await store.flows.published('default', 'purchase')).toEqual(published);
  });

  it('refuses to publish when the latest version is already published', async () => {
    await store.flows.create('default', flowDefinition('purchase'), 'u_admin');
    await store.flows.publish('default', 'purchase', 'u_admin');
    const error = await storeError(store.flows.publish('default', 'purchase', 'u_admin'));
    expect(error.code).toBe('conflict');
    expect(error.message).toContain('has no draft to publish');
  });

  it('lets only one of two concurrent publishes succeed', async () => {
    await store.flows.create('default', flowDefinition('purchase'), 'u_admin');
    await Promise.all([1, 2, 3].map(() => store.ping()));
    const results = await Promise.allSettled([store.flows.publish('default', 'purchase', 'u_a'), store.flows.publish('default', 'purchase', 'u_b')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const [lost] = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect((lost.reason as StoreError).code).toBe('conflict');
  });

  it('returns the highest published version once several are published', async () => {
    await store.flows.create('default', flowDefinition('purchase', 'v1'), 'u_admin');
    await store.flows.publish('default', 'purchase', 'u_admin');
    await store.flows.saveDraft('default', 'purchase', flowDefinition('purchase', 'v2'), 'u_admin');
    await store.flows.publish('default', 'purchase', 'u_admin');
    await store.flows.saveDraft('default', 'purchase', flowDefinition('purchase', 'v3'), 'u_admin');
    expect(await store.flows.published('default', 'purchase')).toMatchObject({ version: 2, name: 'v2', status: 'published' });
    expect((await store.flows.versions('default', 'purchase')).map((v) => v.version)).toEqual([1, 2, 3]);
  });

  it('lets concurrent saves of a published flow open only one new draft', async () => {
    await store.flows.create('default', flowDefinition('purchase'), 'u_admin');
    // Open several connections first (PostgreSQL), so the saves below really overlap.
    await Promise.all([1, 2, 3, 4].map(() => store.ping()));
    for (let round = 1; round <= 5; round++) {
      await store.flows.publish('default', 'purchase', 'u_admin');
      const saved = await Promise.all(['A', 'B', 'C'].map((name) => store.flows.saveDraft('default', 'purchase', flowDefinition('purchase', `${name}${round}`), `u_${name}`)));
      expect(saved.map((v) => v.version)).toEqual([round + 1, round + 1, round + 1]);
    }
    const versions = await store.flows.versions('default', 'purchase');
    expect(versions.map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(versions.at(-1)?.status).toBe('draft');
  });

  it('lists flows by key with their latest and published versions', async () => {
    await store.flows.create('default', flowDefinition('sales', 'Sales'), 'u_admin');
    await store.flows.create('default', flowDefinition('ab'), 'u_admin');
    await store.flows.create('default', flowDefinition('a-c'), 'u_admin');
    await store.flows.create('default', flowDefinition('purchase', 'Purchase'), 'u_admin');
    await store.flows.publish('default', 'purchase', 'u_admin');
    await store.flows.saveDraft('default', 'purchase', flowDefinition('purchase', 'Purchase v2'), 'u_admin');

    const list = await store.flows.list('default');
    expect(list.map((f) => f.key)).toEqual(['a-c', 'ab', 'purchase', 'sales']);
    expect(list.find((f) => f.key === 'purchase')).toMatchObject({ name: 'Purchase v2', latestVersion: 2, publishedVersion: 1 });
    expect(list.find((f) => f.key === 'sales')).toMatchObject({ name: 'Sales', latestVersion: 1, publishedVersion: null });
  });
});
