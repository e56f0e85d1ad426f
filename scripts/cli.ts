// `sealflow verify [--json] [--trust root.pem]… file.pdf…` — checks signed PDFs offline,
// without trusting the server. Without --trust it uses the hub's root certificate from the
// data folder (written there by `npm start`), when there is one.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runVerifyCli } from '../signing';

const HELP = `usage: sealflow <command>

  verify [--json] [--trust <root.pem>]… <file.pdf>…
      every signature of each PDF: signer, certificate chain, signing time, timestamp,
      intact bytes, and whether anything changed after signing.
      Exit code 0 when all is valid, 1 when anything is not, 2 on a usage error.`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'verify') {
    const root = join(resolve(process.env.SEALFLOW_DATA_DIR ?? 'data'), 'sealflow-root.pem');
    const trust = rest.includes('--trust') || !existsSync(root) ? [] : ['--trust', root];
    return runVerifyCli([...trust, ...rest]);
  }
  console.error(command && command !== '--help' && command !== '-h' ? `unknown command "${command}"\n${HELP}` : HELP);
  return command === '--help' || command === '-h' ? 0 : 2;
}
