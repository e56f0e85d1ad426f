// `sealflow backup <file>` and `sealflow restore [--force] <file>`: the database and document
// store named by the environment (SEALFLOW_DATA_DIR, DATABASE_URL), as the hub reads it.
import { loadConfig } from '../config';
import { ArchiveError } from './archive';
import { backup } from './backup';
import { restore } from './restore';

export { BACKUP_HELP } from './help';

function targetFromEnv() {
  const config = loadConfig(process.env);
  return { dataDir: config.dataDir, database: config.databaseUrl ? { databaseUrl: config.databaseUrl } : { sqlitePath: config.sqlitePath } };
}

const counts = (rows: Record<string, number>) => ['contracts', 'documents', 'flows', 'users'].filter((t) => t in rows).map((t) => `${t} ${rows[t]}`).join(', ');

export async function runBackupCli(args: string[]): Promise<number> {
  const [file, ...extra] = args;
  if (!file || extra.length || file.startsWith('-')) {
    console.error(`usage: sealflow backup <file.zip>`);
    return 2;
  }
  try {
    const { manifest, missingFiles } = await backup(targetFromEnv(), file);
    console.log(`backup written to ${file}: ${manifest.dialect} at ${manifest.migrations.at(-1)}, ${counts(manifest.rows)}; ${manifest.entries.length} entries with SHA-256 in manifest.json`);
    if (missingFiles.includes('master-key')) console.log('note: no master-key file in the data folder (SEALFLOW_MASTER_KEY is set?): keep that key safe yourself; without it the signing keys in this backup cannot be opened');
    return 0;
  } catch (error) {
    console.error(`backup failed: ${(error as Error).message}`);
    return 1;
  }
}

export async function runRestoreCli(args: string[]): Promise<number> {
  const force = args.includes('--force');
  const rest = args.filter((a) => a !== '--force');
  if (rest.length !== 1 || rest[0]!.startsWith('-')) {
    console.error(`usage: sealflow restore [--force] <file.zip>`);
    return 2;
  }
  try {
    const { manifest, rows, keptOld } = await restore(targetFromEnv(), rest[0]!, { force });
    console.log(`restored ${rest[0]} (written ${manifest.createdAt} by Sealflow ${manifest.sealflow}): ${counts(rows)}`);
    for (const old of keptOld) console.log(`kept the replaced ${old}`);
    return 0;
  } catch (error) {
    console.error(`${error instanceof ArchiveError ? 'refused' : 'restore failed'}: ${(error as Error).message}`);
    if (error instanceof ArchiveError) console.error('nothing was written');
    return 1;
  }
}
