// `sealflow restore <file>`: puts an archive of `sealflow backup` back, never half of it.
// Order: the whole archive is extracted into a scratch folder inside the data folder and every
// entry checked against the manifest (ops/archive.ts); then the target is checked (the right
// kind of database, empty unless --force, key files that agree); only then is anything written:
// the database first — SQLite as one rename of the checked file over the target, PostgreSQL in
// one transaction — then each key file by rename. Stop the hub (servers and workers) first.
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { importPostgres, installSqlite, postgresState, sqliteHasData, type TableSource } from '../store';
import { ArchiveError, readArchive, type Manifest } from './archive';
import { DATA_FILES, type BackupTarget } from './backup';

export interface RestoreResult {
  manifest: Manifest;
  /** Rows restored per table (PostgreSQL) or as the manifest counts them (SQLite). */
  rows: Record<string, number>;
  /** Files that were replaced and kept beside the new ones (with --force). */
  keptOld: string[];
}

const ROWS_PER_BATCH = 500;

/** A table file of the archive, read back line by line. */
async function tableSource(path: string): Promise<TableSource> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  const iterator = lines[Symbol.asyncIterator]();
  const first = await iterator.next();
  const header = JSON.parse(first.value ?? 'null') as { table: string; columns: string[] } | null;
  if (!header?.table || !Array.isArray(header.columns)) throw new ArchiveError(`${path} has no table header`);
  return {
    name: header.table,
    columns: header.columns,
    async *batches() {
      let batch: (string | null)[][] = [];
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        if (next.value === '') continue;
        const row = JSON.parse(next.value) as (string | null)[];
        if (!Array.isArray(row) || row.length !== header.columns.length) throw new ArchiveError(`a row of table ${header.table} does not have its ${header.columns.length} columns`);
        batch.push(row);
        if (batch.length === ROWS_PER_BATCH) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length) yield batch;
    },
  };
}

const stamp = () => new Date().toISOString().replace(/[:.]/g, '-');

export async function restore(target: BackupTarget, file: string, { force = false }: { force?: boolean } = {}): Promise<RestoreResult> {
  const dataDir = resolve(target.dataDir);
  await mkdir(dataDir, { recursive: true });
  const scratch = await mkdtemp(join(dataDir, '.restore-'));
  try {
    const { manifest, files } = await readArchive(resolve(file), scratch);

    // The target: the right kind of database, and nothing in it unless asked to replace it.
    const targetDialect = target.database.databaseUrl ? 'postgres' : 'sqlite';
    if (manifest.dialect !== targetDialect) {
      throw new ArchiveError(
        manifest.dialect === 'sqlite'
          ? 'the archive holds a SQLite database, but DATABASE_URL names PostgreSQL: unset it to restore into the data folder'
          : 'the archive holds a PostgreSQL database: set DATABASE_URL to the (empty) database to restore into',
      );
    }
    const sqlitePath = resolve(target.database.sqlitePath ?? join(dataDir, 'sealflow.db'));
    const inUse = target.database.databaseUrl ? (await postgresState(target.database.databaseUrl)).hasData : sqliteHasData(sqlitePath);
    if (inUse && !force) throw new ArchiveError('the target database already holds contracts, flows or users: restore into an empty one, or pass --force to replace it');
    const keyFiles: { name: string; from: string; to: string }[] = [];
    for (const name of DATA_FILES) {
      const from = files.get(`data/${name}`);
      if (!from) continue;
      const to = join(dataDir, name);
      if (existsSync(to) && !readFileSync(to).equals(readFileSync(from))) {
        if (!force) throw new ArchiveError(`${to} differs from the archive's: the restored database needs the archive's ${name}. Pass --force to replace it (the old one is kept beside it)`);
      }
      keyFiles.push({ name, from, to });
    }

    // Everything checked: now the writes, the database first.
    const keptOld: string[] = [];
    let rows: Record<string, number>;
    if (target.database.databaseUrl) {
      const tables = [...files.keys()].filter((path) => path.startsWith('database/tables/')).sort();
      rows = await importPostgres(target.database.databaseUrl, manifest.migrations, async function* () {
        for (const path of tables) yield await tableSource(files.get(path)!);
      });
    } else {
      const database = files.get('database/sealflow.db');
      if (!database) throw new ArchiveError('the archive lacks database/sealflow.db');
      await mkdir(resolve(sqlitePath, '..'), { recursive: true });
      const installed = installSqlite(database, sqlitePath);
      if (installed.keptOld) keptOld.push(installed.keptOld);
      rows = manifest.rows;
    }
    for (const { from, to } of keyFiles) {
      if (existsSync(to) && readFileSync(to).equals(readFileSync(from))) continue;
      if (existsSync(to)) {
        const old = `${to}.before-restore-${stamp()}`;
        await rename(to, old);
        keptOld.push(old);
      }
      // Secrets: readable by this user only, as `npm start` writes them.
      await chmod(from, 0o600);
      await rename(from, to);
    }
    return { manifest, rows, keptOld };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
