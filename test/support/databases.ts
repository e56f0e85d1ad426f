// Fresh, isolated databases for tests, in either dialect: a temp SQLite file, or a new
// database on the PostgreSQL server that postgres.global.ts provides.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { inject } from 'vitest';
import { openStore, type Store, type StoreOptions } from '../../store';
import { createDatabase, databaseUrl, dropDatabases, withPostgresClient } from './postgres-admin';

export const dialects = ['sqlite', 'postgres'] as const;
export type TestDialect = (typeof dialects)[number];

export interface TestDatabase {
  dialect: TestDialect;
  /** Pass to openStore (or to a server/worker config) to reach this database. */
  options: StoreOptions;
  /** Removes the database. Close every store on it first. */
  drop(): Promise<void>;
}

/**
 * A new database. Empty by default (openStore migrates it); with `migrated: true` it
 * already has the store's schema, copied from the template the global setup made, which
 * takes PostgreSQL a fraction of the time of running the migrations again.
 */
export async function createTestDatabase(dialect: TestDialect, options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'sealflow-test-'));
    return {
      dialect,
      options: { sqlitePath: join(dir, 'sealflow.db') },
      drop: () => rm(dir, { recursive: true, force: true }),
    };
  }

  const serverUrl = inject('postgresUrl');
  const template = options.migrated ? inject('postgresTemplate') : '';
  const name = `sealflow_test_${randomBytes(6).toString('hex')}`;
  await createDatabase(serverUrl, name, { template });
  return {
    dialect,
    options: { databaseUrl: databaseUrl(serverUrl, name) },
    drop: () => dropDatabases(serverUrl, name),
  };
}

/** A store on a fresh database; its close() also drops the database. */
export async function openTestStore(dialect: TestDialect): Promise<Store> {
  const database = await createTestDatabase(dialect, { migrated: true });
  let store: Store;
  try {
    store = await openStore(database.options);
  } catch (error) {
    await database.drop();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    ...store,
    close() {
      closing ??= store.close().then(() => database.drop());
      return closing;
    },
  };
}

/**
 * Reads a table straight from the database, past the store, for tests that must see
 * what is actually stored (e.g. that a token is kept only as a hash).
 */
export async function readTable(database: TestDatabase, table: string): Promise<Record<string, unknown>[]> {
  if (!/^[a-z_]+$/.test(table)) throw new Error(`not a table name: ${table}`);
  if (database.options.databaseUrl) {
    return withPostgresClient(database.options.databaseUrl, async (client) => (await client.query(`select * from ${table}`)).rows);
  }
  const sqlite = new SqliteDatabase(database.options.sqlitePath!, { readonly: true });
  try {
    return sqlite.prepare(`select * from ${table}`).all() as Record<string, unknown>[];
  } finally {
    sqlite.close();
  }
}
