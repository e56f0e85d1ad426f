// `npx sealflow <command>`: the command-line door.
// `sealflow verify [--json] [--trust root.pem]… file.pdf…` — checks signed PDFs offline,
// without trusting the server. Without --trust it uses the hub's root certificate from the
// data folder (written there by `npm start`), when there is one.
// `sealflow server` / `sealflow worker` — one part of the hub alone, on an existing Temporal
// cluster and (for more than one machine) PostgreSQL: see "Running the parts" in the README.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BACKUP_HELP } from '../ops/help';
import { runVerifyCli } from '../signing';
import { EVIDENCE_HELP } from './evidence-help';

const HELP = `usage: sealflow <command>

  verify [--json] [--trust <root.pem>]… <file.pdf>…
      every signature of each PDF: signer, certificate chain, signing time, timestamp,
      intact bytes, and whether anything changed after signing.
      Exit code 0 when all is valid, 1 when anything is not, 2 on a usage error.

  server
      the REST API, signer pages, designer and console, without a worker. Needs
      TEMPORAL_ADDRESS and SEALFLOW_MASTER_KEY; DATABASE_URL for PostgreSQL. Runs until
      SIGTERM/SIGINT. Start as many as you like behind a load balancer.

  worker
      runs the contracts (workflows and activities), serves no API; GET /healthz on
      SEALFLOW_HEALTH_PORT when set. Same settings as the server. SIGTERM/SIGINT let
      running activities finish (up to 10 s), then stop.

${BACKUP_HELP}

${EVIDENCE_HELP}`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'verify') {
    const root = join(resolve(process.env.SEALFLOW_DATA_DIR ?? 'data'), 'sealflow-root.pem');
    const trust = rest.includes('--trust') || !existsSync(root) ? [] : ['--trust', root];
    return runVerifyCli([...trust, ...rest]);
  }
  if (command === 'anchor' || command === 'prove') {
    // Loaded only here, like the parts: the database and the evidence code.
    const { runEvidenceCli } = await import('./evidence-cli');
    return runEvidenceCli(command, rest);
  }
  if (command === 'backup' || command === 'restore') {
    const { runBackupCli, runRestoreCli } = await import('../ops');
    return command === 'backup' ? runBackupCli(rest) : runRestoreCli(rest);
  }
  if (command === 'server' || command === 'worker') {
    if (rest.length) {
      console.error(`sealflow ${command} takes no arguments (its settings come from the environment)\n${HELP}`);
      return 2;
    }
    // Loaded only here: `sealflow verify` stays free of Temporal and the database.
    const { runPart } = await import('./part');
    return runPart(command);
  }
  console.error(command && command !== '--help' && command !== '-h' ? `unknown command "${command}"\n${HELP}` : HELP);
  return command === '--help' || command === '-h' ? 0 : 2;
}
