// Copying the whole database out and back in, for ops/ backup and restore. The documents
// (signed PDFs, evidence) live in the database too (the content-addressed `documents` table),
// so one consistent read of the database is a consistent copy of the document store as well.
//
// SQLite: better-sqlite3's online backup API copies the database while the hub keeps writing
// (one read snapshot, see backupSqlite), FTS tables and triggers included.
// PostgreSQL: a logical export through a plain connection, because the embedded PostgreSQL ships
// no pg_dump and a production image need not have one of the server's version: every base table
// read in one REPEATABLE READ, READ ONLY transaction (one snapshot of all of them), rows as
// PostgreSQL's own text forms (what COPY writes), which go back in as parameters unchanged.
// The schema is not exported: restore rebuilds it with our migrations up to the archive's level.
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync } from 'node:fs';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import pg from 'pg';
import { migrationNames, migrations } from './migrations';

/** Migrations applied to a database, oldest first (empty when it has no schema yet). */
export type MigrationLevel = string[];

// ---------------------------------------------------------------- SQLite

/** Copies the live SQLite database at `path` into a new file `to`; returns the copy's migration level and main tables' rows. */
export async function backupSqlite(path: string, to: string): Promise<{ level: MigrationLevel; rows: Record<string, number> }> {
  const source = new SqliteDatabase(path, { readonly: true, fileMustExist: true, timeout: 5_000 });
  try {
    // After the first step, everything in one step: SQLite restarts a stepwise backup whenever another
    // connection writes, which a busy hub could do forever; one step reads one snapshot while writers go on (WAL).
    await source.backup(to, { progress: () => Number.MAX_SAFE_INTEGER });
  } finally {
    source.close();
  }
  const copy = new SqliteDatabase(to, { readonly: true });
  const rows: Record<string, number> = {};
  try {
    for (const table of MAIN_TABLES) {
      if (copy.prepare(`select 1 from sqlite_master where type = 'table' and name = ?`).get(table)) rows[table] = (copy.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    }
  } finally {
    copy.close();
  }
  return { level: sqliteLevel(to), rows };
}

/** The tables whose rows say a database is in use (and that a backup's summary counts). */
const MAIN_TABLES = ['contracts', 'documents', 'flows', 'users'];

function sqliteLevel(path: string): MigrationLevel {
  const db = new SqliteDatabase(path, { readonly: true, fileMustExist: true });
  try {
    const known = db.prepare(`select name from sqlite_master where type = 'table' and name = 'kysely_migration'`).get();
    if (!known) return [];
    return (db.prepare('select name from kysely_migration order by name').all() as { name: string }[]).map((r) => r.name);
  } finally {
    db.close();
  }
}

/** Whether the SQLite file at `path` holds any data of ours (a fresh or absent file holds none). */
export function sqliteHasData(path: string): boolean {
  let db: SqliteDatabase.Database;
  try {
    db = new SqliteDatabase(path, { readonly: true, fileMustExist: true });
  } catch {
    return false;
  }
  try {
    for (const table of MAIN_TABLES) {
      const exists = db.prepare(`select 1 from sqlite_master where type = 'table' and name = ?`).get(table);
      if (exists && db.prepare(`select 1 from ${table} limit 1`).get()) return true;
    }
    return false;
  } finally {
    db.close();
  }
}

/**
 * Checks a restored SQLite file (integrity, a migration level this code knows) and moves it
 * over `target` in one rename. The old file, if any, is kept beside it as `<target>.before-restore-<time>`.
 */
export function installSqlite(file: string, target: string): { level: MigrationLevel; keptOld: string | null } {
  const db = new SqliteDatabase(file, { fileMustExist: true });
  try {
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`the database in the archive is damaged (SQLite quick_check: ${String(check)})`);
    // One file, no WAL beside it, before it moves.
    db.pragma('journal_mode = DELETE');
  } finally {
    db.close();
  }
  const level = sqliteLevel(file);
  checkLevel(level, 'sqlite');
  let keptOld: string | null = null;
  try {
    renameSync(target, (keptOld = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    keptOld = null;
  }
  // The old file's write-ahead log belongs to the old file: left beside the new one, SQLite would replay it.
  for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
  renameSync(file, target);
  return { level, keptOld };
}

/** Refuses a level this code cannot continue from (an archive of a newer Sealflow). */
function checkLevel(level: MigrationLevel, dialect: 'sqlite' | 'postgres'): void {
  const known = migrationNames(dialect);
  const unknown = level.filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new Error(`the archive comes from a newer Sealflow (migrations ${unknown.join(', ')} are unknown here): restore it with that version or later`);
}

// ---------------------------------------------------------------- PostgreSQL

/** Where the logical export writes: one call per table, then its rows in batches. */
export interface TableSink {
  table(name: string, columns: string[]): Promise<void>;
  rows(rows: (string | null)[][]): Promise<void>;
}

const FETCH_ROWS = 500;

/** Every value as PostgreSQL's text form, so that it goes back in exactly as it came out. */
const asText = { getTypeParser: () => (value: string) => value };

async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, types: asText as unknown as pg.CustomTypesConfig });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end().catch(() => {});
  }
}

const ident = (client: pg.Client, name: string) => client.escapeIdentifier(name);

/** Our tables, each after the ones its foreign keys point to: the order in which they can be filled. */
async function baseTables(client: pg.Client): Promise<string[]> {
  const { rows: tables } = await client.query<{ table_name: string }>(
    `select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name not like 'kysely_migration%' order by table_name`,
  );
  const { rows: references } = await client.query<{ child: string; parent: string }>(
    `select c.relname as child, p.relname as parent from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_class p on p.oid = k.confrelid
      where k.contype = 'f' and k.conrelid <> k.confrelid and c.relnamespace = current_schema()::regnamespace`,
  );
  const ordered: string[] = [];
  const visit = (table: string, path: Set<string>) => {
    if (ordered.includes(table) || path.has(table)) return;
    path.add(table);
    for (const { parent } of references.filter((r) => r.child === table)) visit(parent, path);
    ordered.push(table);
  };
  for (const { table_name } of tables) visit(table_name, new Set());
  return ordered;
}

async function postgresLevel(client: pg.Client): Promise<MigrationLevel> {
  const { rows } = await client.query<{ exists: string | null }>(`select to_regclass('kysely_migration')::text as exists`);
  if (!rows[0]?.exists) return [];
  return (await client.query<{ name: string }>('select name from kysely_migration order by name')).rows.map((r) => r.name);
}

/** Reads every table of the database at `url` in one snapshot into `sink`; returns the migration level and row counts. */
export async function exportPostgres(url: string, sink: TableSink): Promise<{ level: MigrationLevel; rows: Record<string, number> }> {
  return withClient(url, async (client) => {
    await client.query('begin isolation level repeatable read read only');
    try {
      const level = await postgresLevel(client);
      const counts: Record<string, number> = {};
      for (const table of await baseTables(client)) {
        // A cursor, so a table of many documents is never held in memory at once.
        const cursor = `backup_${randomBytes(4).toString('hex')}`;
        await client.query(`declare ${cursor} no scroll cursor for select * from ${ident(client, table)}`);
        let columns: string[] | null = null;
        counts[table] = 0;
        for (;;) {
          const result = await client.query({ text: `fetch ${FETCH_ROWS} from ${cursor}`, rowMode: 'array' });
          if (columns === null) {
            columns = result.fields.map((f) => f.name);
            await sink.table(table, columns);
          }
          if (result.rows.length === 0) break;
          counts[table] += result.rows.length;
          await sink.rows(result.rows as (string | null)[][]);
        }
        await client.query(`close ${cursor}`);
      }
      await client.query('commit');
      return { level, rows: counts };
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    }
  });
}

/** Whether the PostgreSQL database at `url` holds any data of ours, and its migration level. */
export async function postgresState(url: string): Promise<{ level: MigrationLevel; hasData: boolean }> {
  return withClient(url, async (client) => {
    const level = await postgresLevel(client);
    let hasData = false;
    for (const table of MAIN_TABLES) {
      const { rows } = await client.query<{ exists: string | null }>(`select to_regclass($1)::text as exists`, [table]);
      if (rows[0]?.exists && (await client.query(`select 1 from ${ident(client, table)} limit 1`)).rowCount) hasData = true;
    }
    return { level, hasData };
  });
}

/** One table of an archive, read back: its columns, then its rows in batches. */
export interface TableSource {
  name: string;
  columns: string[];
  batches(): AsyncIterable<(string | null)[][]>;
}

/** Parameters per INSERT statement: PostgreSQL takes at most 65 535. */
const MAX_PARAMETERS = 30_000;
/** Bytes per INSERT statement, so that a batch of large documents does not build one huge message. */
const MAX_BATCH_BYTES = 16 * 1024 * 1024;

/**
 * Rebuilds the schema up to `level` when the database has none, then replaces every table's
 * rows with the archive's in ONE transaction (with our triggers off, so derived tables are
 * copied as they were rather than recomputed): a failure anywhere leaves no row of it behind.
 */
export async function importPostgres(url: string, level: MigrationLevel, tables: () => AsyncIterable<TableSource>): Promise<Record<string, number>> {
  checkLevel(level, 'postgres');
  const current = await withClient(url, postgresLevel);
  if (current.length === 0) {
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) });
    try {
      const outcome = await new Migrator({ db, provider: { getMigrations: async () => migrations('postgres') } }).migrateTo(level.at(-1)!);
      if (outcome.error) throw new Error(`rebuilding the schema failed: ${String((outcome.error as Error).message ?? outcome.error)}`);
    } finally {
      await db.destroy();
    }
  } else if (current.join() !== level.join()) {
    throw new Error(`the target database is at migration ${current.at(-1)}, the archive at ${level.at(-1)}: restore into an empty database`);
  }

  return withClient(url, async (client) => {
    await client.query('begin');
    try {
      const all = await baseTables(client);
      for (const table of all) await client.query(`alter table ${ident(client, table)} disable trigger user`);
      await client.query(`truncate ${all.map((t) => ident(client, t)).join(', ')}`);
      const counts: Record<string, number> = {};
      const loaded = new Set<string>();
      for await (const source of tables()) {
        if (!all.includes(source.name)) throw new Error(`the archive has a table "${source.name}" that migration ${level.at(-1)} does not make`);
        loaded.add(source.name);
        counts[source.name] = 0;
        const columns = source.columns.map((c) => ident(client, c)).join(', ');
        const insert = async (rows: (string | null)[][]) => {
          if (rows.length === 0) return;
          const values = rows.map((row, r) => `(${row.map((_, c) => `$${r * row.length + c + 1}`).join(', ')})`).join(', ');
          await client.query(`insert into ${ident(client, source.name)} (${columns}) values ${values}`, rows.flat());
          counts[source.name] += rows.length;
        };
        // A table that refers to itself (org units to their parent) goes in as one statement: its foreign key is checked at the statement's end.
        const selfReferring = await refersToItself(client, source.name);
        let batch: (string | null)[][] = [];
        let bytes = 0;
        for await (const rows of source.batches()) {
          for (const row of rows) {
            if (!selfReferring && batch.length > 0 && ((batch.length + 1) * row.length > MAX_PARAMETERS || bytes > MAX_BATCH_BYTES)) {
              await insert(batch);
              batch = [];
              bytes = 0;
            }
            batch.push(row);
            for (const value of row) bytes += value?.length ?? 0;
          }
        }
        await insert(batch);
      }
      // Serial and identity columns go on from the highest restored value.
      const serials = await client.query<{ table_name: string; column_name: string }>(
        `select table_name, column_name from information_schema.columns where table_schema = current_schema() and (column_default like 'nextval(%' or is_identity = 'YES')`,
      );
      for (const { table_name: table, column_name: column } of serials.rows) {
        await client.query(`select setval(pg_get_serial_sequence($1, $2), coalesce((select max(${ident(client, column)}) from ${ident(client, table)}), 0) + 1, false)`, [table, column]);
      }
      for (const table of all) await client.query(`alter table ${ident(client, table)} enable trigger user`);
      await client.query('commit');
      return counts;
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    }
  });
}

async function refersToItself(client: pg.Client, table: string): Promise<boolean> {
  const { rowCount } = await client.query(`select 1 from pg_constraint where contype = 'f' and conrelid = $1::regclass and confrelid = $1::regclass`, [table]);
  return (rowCount ?? 0) > 0;
}
