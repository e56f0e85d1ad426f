import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../store';
import { createTestDatabase, dialects, readTable, type TestDatabase } from '../support/databases';

const child = fileURLToPath(new URL('./open-store.child.ts', import.meta.url));
const run = promisify(execFile);

describe.each(dialects)('migrations (%s)', (dialect) => {
  let database: TestDatabase;
  const stores: Store[] = [];

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await database?.drop();
  });

  async function open(): Promise<Store> {
    const store = await openStore(database.options);
    stores.push(store);
    return store;
  }

  it('creates the schema on an empty database', async () => {
    database = await createTestDatabase(dialect);
    const store = await open();
    expect(store.dialect).toBe(dialect);
    await store.ping();
    for (const table of ['flows', 'flow_versions', 'users', 'contracts', 'outbox']) {
      expect(await readTable(database, table)).toEqual([]);
    }
    const applied = await readTable(database, 'kysely_migration');
    expect(applied.map((m) => m.name)).toEqual(['0001_initial']);
  });

  it('reopens an up-to-date database without migrating again and keeps its data', async () => {
    database = await createTestDatabase(dialect);
    const first = await open();
    await first.users.create({ name: 'Ada', roles: ['legal'] });
    await first.close();

    const second = await open();
    expect((await second.users.list()).map((u) => u.name)).toEqual(['Ada']);
    expect(await readTable(database, 'kysely_migration')).toHaveLength(1);
  });

  it('lets two processes open a fresh database at the same time', async () => {
    database = await createTestDatabase(dialect);
    const start = (name: string) => run(process.execPath, ['--import', 'tsx', child, JSON.stringify(database.options), name]);
    await Promise.all([start('server'), start('worker')]);

    const store = await open();
    expect((await store.users.list()).map((u) => u.name).sort()).toEqual(['server', 'worker']);
    expect(await readTable(database, 'kysely_migration')).toHaveLength(1);
  });

  it('lets two stores in one process open a fresh database at the same time', async () => {
    database = await createTestDatabase(dialect);
    const [a, b] = await Promise.all([open(), open()]);
    await a.users.create({ name: 'Ada', roles: [] });
    expect(await b.users.list()).toHaveLength(1);
    expect(await readTable(database, 'kysely_migration')).toHaveLength(1);
  });
});

describe('openStore', () => {
  it('uses SQLite in memory', async () => {
    const store = await openStore({ sqlitePath: ':memory:' });
    try {
      expect(store.dialect).toBe('sqlite');
      await store.ping();
    } finally {
      await store.close();
    }
  });

  it('fails to open when PostgreSQL does not answer', async () => {
    await expect(openStore({ databaseUrl: 'postgres://postgres:postgres@127.0.0.1:1/none' })).rejects.toThrow();
  });

  it('can be closed twice', async () => {
    const store = await openStore({ sqlitePath: ':memory:' });
    await store.close();
    await store.close();
  });
});
