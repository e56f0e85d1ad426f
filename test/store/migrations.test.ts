import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { migrationNames, openStore, type Store } from '../../store';
import { createTestDatabase, dialects, readTable, type TestDatabase } from '../support/databases';

const childScript = fileURLToPath(new URL('./open-store.child.ts', import.meta.url));

/** Starts a process that opens the store when told to; resolves once it is loaded. */
async function startChild(options: object, name: string): Promise<{ go(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', childScript, JSON.stringify(options), name], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = once(child, 'exit');
  const [firstOutput] = await Promise.race([once(child.stdout!, 'data'), exited]);
  if (!String(firstOutput).startsWith('ready')) throw new Error(`${name} did not start: ${stderr}`);
  return {
    async go() {
      child.stdin!.write('go\n');
      const [code] = await exited;
      if (code !== 0) throw new Error(`${name} exited with ${code}: ${stderr}`);
    },
  };
}

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
    expect(applied.map((m) => m.name)).toEqual(migrationNames(dialect));
  });

  it('reopens an up-to-date database without migrating again and keeps its data', async () => {
    database = await createTestDatabase(dialect);
    const first = await open();
    await first.users.create({ name: 'Ada', roles: ['legal'] });
    await first.close();

    const second = await open();
    expect((await second.users.list()).map((u) => u.name)).toEqual(['Ada']);
    expect(await readTable(database, 'kysely_migration')).toHaveLength(migrationNames('sqlite').length);
  });

  it('lets two processes open a fresh database at the same time', async () => {
    database = await createTestDatabase(dialect);
    // Both load first, then open at the same moment, so their migrations really overlap.
    const children = await Promise.all([startChild(database.options, 'server'), startChild(database.options, 'worker')]);
    await Promise.all(children.map((c) => c.go()));

    const store = await open();
    expect((await store.users.list()).map((u) => u.name).sort()).toEqual(['server', 'worker']);
    expect(await readTable(database, 'kysely_migration')).toHaveLength(migrationNames('sqlite').length);
  });

  it('lets two stores in one process open a fresh database at the same time', async () => {
    database = await createTestDatabase(dialect);
    const [a, b] = await Promise.all([open(), open()]);
    await a.users.create({ name: 'Ada', roles: [] });
    expect(await b.users.list()).toHaveLength(1);
    expect(await readTable(database, 'kysely_migration')).toHaveLength(migrationNames('sqlite').length);
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
