import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../store';
import { createTestDatabase, dialects, readTable, type TestDatabase } from '../support/databases';

describe.each(dialects)('seals (%s)', (dialect) => {
  let database: TestDatabase;
  let store: Store;
  beforeEach(async () => {
    database = await createTestDatabase(dialect, { migrated: true });
    store = await openStore(database.options);
  });
  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  it('creates a seal with the users allowed to use it, and finds it by name', async () => {
    const { seal, created } = await store.seals.put('default', { name: 'contract-seal', company: '上海启明智能制造有限公司', users: ['u_a', 'u_b'], updatedBy: 'admin' });
    expect(created).toBe(true);
    expect(seal).toMatchObject({ name: 'contract-seal', company: '上海启明智能制造有限公司', users: ['u_a', 'u_b'], updatedBy: 'admin' });
    expect(seal.createdAt).toBe(seal.updatedAt);
    expect(await store.seals.get('default', 'contract-seal')).toEqual(seal);
    expect(await store.seals.get('default', 'finance-seal')).toBeNull();
  });

  it('replaces company and users on a second put, keeping when it was created', async () => {
    const first = (await store.seals.put('default', { name: 'contract-seal', company: 'A 公司', users: ['u_a'], updatedBy: 'admin' })).seal;
    await new Promise((r) => setTimeout(r, 5));
    const { seal, created } = await store.seals.put('default', { name: 'contract-seal', company: 'B 公司', users: [], updatedBy: 'u_admin2' });
    expect(created).toBe(false);
    expect(seal).toMatchObject({ company: 'B 公司', users: [], createdAt: first.createdAt, updatedBy: 'u_admin2' });
    expect(seal.updatedAt > first.updatedAt).toBe(true);
    expect(await readTable(database, 'seals')).toHaveLength(1);
  });

  it('lists seals by name', async () => {
    await store.seals.put('default', { name: 'hr-seal', company: 'A', users: [], updatedBy: 'admin' });
    await store.seals.put('default', { name: 'contract-seal', company: 'A', users: ['u_a'], updatedBy: 'admin' });
    expect((await store.seals.list('default')).map((s) => s.name)).toEqual(['contract-seal', 'hr-seal']);
  });
});
