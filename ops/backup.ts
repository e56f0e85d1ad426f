// `sealflow backup <file>`: the database (with the document store inside it) and the keys in
// the data folder, in one archive (ops/archive.ts).
//
// Consistency: the signed PDFs and every other document live in the database's content-addressed
// `documents` table, so the one snapshot of the database (store/backup.ts: SQLite's online
// backup, PostgreSQL's REPEATABLE READ export) holds each contract together with the exact
// bytes it points to; no file store can drift from it. The data folder's files are taken after
// the database: the master key and admin token are written once and never change.
// The hub may keep running meanwhile.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { backupSqlite, exportPostgres, type StoreOptions } from '../store';
import { ARCHIVE_FORMAT, ARCHIVE_VERSION, writeArchive, type Manifest } from './archive';

/** Files of the data folder a restored hub needs: the master key opens the signing keys and connector secrets in the database. */
export const DATA_FILES = ['master-key', 'admin-token'] as const;

export interface BackupTarget {
  /** SEALFLOW_DATA_DIR: where the master key and admin token files are (when they are files). */
  dataDir: string;
  /** The database, as the store opens it. */
  database: StoreOptions;
}

export interface BackupResult {
  manifest: Manifest;
  /** Data-folder files that were not there (set by environment instead): keep those safe yourself. */
  missingFiles: string[];
}

function sealflowVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export async function backup(target: BackupTarget, file: string): Promise<BackupResult> {
  const out = resolve(file);
  await mkdir(dirname(out), { recursive: true });
  // Beside the archive, not in /tmp: a copy of the database needs the space the archive will.
  const scratch = await mkdtemp(join(dirname(out), '.sealflow-backup-'));
  try {
    const files = new Map<string, string>();
    let dialect: Manifest['dialect'];
    let level: string[];
    let rows: Record<string, number>;
    if (target.database.databaseUrl) {
      dialect = 'postgres';
      let index = 0;
      let handle: Awaited<ReturnType<typeof open>> | null = null;
      const exported = await exportPostgres(target.database.databaseUrl, {
        async table(name, columns) {
          await handle?.close();
          // Numbered: restore fills the tables in this order (each after those its foreign keys name).
          const path = `database/tables/${String(index++).padStart(3, '0')}-${name}.jsonl`;
          const local = join(scratch, `${randomBytes(6).toString('hex')}.jsonl`);
          handle = await open(local, 'w');
          files.set(path, local);
          await handle.write(JSON.stringify({ table: name, columns }) + '\n');
        },
        async rows(batch) {
          await handle!.write(batch.map((row) => JSON.stringify(row)).join('\n') + '\n');
        },
      });
      await (handle as Awaited<ReturnType<typeof open>> | null)?.close();
      level = exported.level;
      rows = exported.rows;
    } else {
      dialect = 'sqlite';
      const path = resolve(target.database.sqlitePath ?? join(target.dataDir, 'sealflow.db'));
      if (!existsSync(path)) throw new Error(`there is no database at ${path} (SEALFLOW_DATA_DIR / DATABASE_URL)`);
      const copy = join(scratch, 'sealflow.db');
      ({ level, rows } = await backupSqlite(path, copy));
      files.set('database/sealflow.db', copy);
    }
    if (level.length === 0) throw new Error('the database has no Sealflow schema: nothing to back up');

    const missingFiles: string[] = [];
    for (const name of DATA_FILES) {
      const path = join(target.dataDir, name);
      if (existsSync(path)) files.set(`data/${name}`, path);
      else missingFiles.push(name);
    }
    const manifest = await writeArchive(out, { format: ARCHIVE_FORMAT, version: ARCHIVE_VERSION, createdAt: new Date().toISOString(), sealflow: sealflowVersion(), dialect, migrations: level, rows }, files);
    return { manifest, missingFiles };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
