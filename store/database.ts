// Opening a connection: which dialect, and the per-dialect settings that keep server and
// worker safe when they share one database.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { keepStatements } from './sqlite-statements';
import type { Database } from './tables';

export type DialectName = 'sqlite' | 'postgres';

export interface StoreOptions {
  /** postgres://… — when set, PostgreSQL is used and sqlitePath is ignored. */
  databaseUrl?: string;
  /** Default `./data/sealflow.db`; the parent folder is created. `:memory:` is allowed. */
  sqlitePath?: string;
}

export const DEFAULT_SQLITE_PATH = './data/sealflow.db';

/** How long a SQLite writer waits for another process's write lock before failing. */
const SQLITE_BUSY_TIMEOUT_MS = 5_000;

export interface OpenedDatabase {
  db: Kysely<Database>;
  dialect: DialectName;
  /** Gives the connection back; the last holder closes it. */
  release(): Promise<void>;
}

interface SharedSqlite {
  db: Kysely<Database>;
  holders: number;
  closing?: Promise<void>;
}

// One connection per SQLite file per process. better-sqlite3 is synchronous: a second
// connection waiting out busy_timeout blocks the event loop, so the transaction it waits
// for can never finish, and it fails with "database is locked" after the timeout.
// Sharing the connection lets Kysely's mutex queue the work instead. Across processes
// (server and worker) the file lock and busy_timeout do the job.
const sharedSqlite = new Map<string, SharedSqlite>();

export function openDatabase(options: StoreOptions): OpenedDatabase {
  if (options.databaseUrl) {
    // A database that does not answer at all (a lost network, a hung host) fails a query after
    // 10 s instead of holding the request for ever: the API answers 503 (server/errors.ts).
    const pool = new pg.Pool({ connectionString: options.databaseUrl, connectionTimeoutMillis: 10_000 });
    // An idle client that loses its connection emits 'error' on the pool; unhandled, that
    // would crash the process. The pool already drops the broken client and the next
    // query gets a fresh one, and ping() reports a database that stays away.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', release: () => db.destroy() };
  }

  const path = options.sqlitePath ?? DEFAULT_SQLITE_PATH;
  if (path === ':memory:') {
    const db = openSqlite(path);
    return { db, dialect: 'sqlite', release: () => db.destroy() };
  }
  const file = resolve(path);
  let shared = sharedSqlite.get(file);
  if (!shared) {
    mkdirSync(dirname(file), { recursive: true });
    shared = { db: openSqlite(file), holders: 0 };
    sharedSqlite.set(file, shared);
  }
  shared.holders += 1;
  const entry = shared;
  let released = false;
  return {
    db: entry.db,
    dialect: 'sqlite',
    async release() {
      if (released) return;
      released = true;
      entry.holders -= 1;
      if (entry.holders === 0) {
        sharedSqlite.delete(file);
        entry.closing = entry.db.destroy();
      }
      await entry.closing;
    },
  };
}

function openSqlite(path: string): Kysely<Database> {
  // Server and worker open the same file from two processes: WAL lets readers go on
  // while one writes, and the busy timeout makes a writer wait for the lock instead of
  // failing at once with SQLITE_BUSY. It is set when the file opens, before anything else:
  // switching a fresh file to WAL needs the lock too, and another process may hold it
  // while it migrates.
  const sqlite = new SqliteDatabase(path, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  // Seen in CI: the switch to WAL can still answer SQLITE_BUSY at once while another process
  // changes the file's journal mode; it succeeds a moment later.
  for (let attempt = 1; ; attempt++) {
    try {
      sqlite.pragma('journal_mode = WAL');
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || attempt * 50 >= SQLITE_BUSY_TIMEOUT_MS) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
  // With WAL, NORMAL keeps commits durable against process crashes; FULL only adds
  // protection against power loss, at the cost of an fsync per commit.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: keepStatements(sqlite) }) });
}
