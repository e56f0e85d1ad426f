// `sealflow anchor` and `sealflow prove`: anchoring (全链路存证) from the command line.
//   anchor [--json]                                  seal the evidence events recorded since the last anchor, now
//   prove <contractId> [--json] [--trust root.pem]…  prove that contract's stored events against the anchors
//   prove --package x.zip [--json] [--trust root.pem]…  the same, offline, from an evidence package
// They read the hub's database and settings as the server does (DATABASE_URL or the SQLite
// file in SEALFLOW_DATA_DIR; SEALFLOW_MASTER_KEY, else the key `npm start` keeps in the data folder).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, installOutboundAllowlist, loadConfig, parseMasterKey, type SealflowConfig } from '../config';
import { anchorNewEvents, proveContract, provePackage, type ContractProof } from '../evidence';
import { createHttpTimestampClient, keyRecordsIn, openSigningPlatform } from '../signing';
import { openStore, type Store } from '../store';
import { EVIDENCE_HELP } from './evidence-help';

function masterKey(config: SealflowConfig): Buffer {
  if (config.masterKey) return config.masterKey;
  const file = join(config.dataDir, 'master-key');
  if (existsSync(file)) return parseMasterKey(readFileSync(file, 'utf8'), file);
  throw new ConfigError('SEALFLOW_MASTER_KEY', `must be set (or ${file} exist, as \`npm start\` leaves it)`);
}

const openHubStore = (config: SealflowConfig) => openStore(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { sqlitePath: config.sqlitePath });
const pems = (pem: string) => [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64')));

function options(argv: string[]): { json: boolean; trust: string[]; pkg: string | null; rest: string[] } {
  const result = { json: false, trust: [] as string[], pkg: null as string | null, rest: [] as string[] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') result.json = true;
    else if (arg === '--trust' && argv[i + 1]) result.trust.push(argv[++i]);
    else if (arg === '--package' && argv[i + 1]) result.pkg = argv[++i];
    else result.rest.push(arg);
  }
  return result;
}

function printProof(proof: ContractProof & { folder?: string }): void {
  console.log(`contract ${proof.contractId}${proof.folder ? ` (${proof.folder}/)` : ''}: ${proof.events} events, head ${proof.head}`);
  for (const p of proof.proofs) {
    const verdict = p.included && p.timestamp.ok ? 'OK' : 'FAILED';
    console.log(`  anchor ${p.anchor.seq}: events 1-${p.leaf.eventSeq} in root ${p.anchor.root}, leaf ${p.leaf.index} of ${p.anchor.leafCount}, stamped ${p.timestamp.time || p.anchor.stampedAt} by ${p.timestamp.tsa || p.anchor.tsa} (${p.anchor.tsa === 'sealflow' ? "the hub's own TSA" : p.anchor.tsa}): ${verdict}`);
  }
  if (proof.notYetAnchored.length) console.log(`  not yet anchored: event${proof.notYetAnchored.length > 1 ? 's' : ''} ${proof.notYetAnchored[0]}${proof.notYetAnchored.length > 1 ? `-${proof.notYetAnchored.at(-1)}` : ''}`);
  for (const problem of proof.problems) console.log(`  FAILED: ${problem}`);
  console.log(proof.ok ? 'OK' : 'NOT OK');
}

export async function runEvidenceCli(command: 'anchor' | 'prove', argv: string[]): Promise<number> {
  const args = options(argv);
  let config: SealflowConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`configuration: ${error.message}`);
    return 2;
  }
  installOutboundAllowlist(config.outboundAllow);

  if (command === 'prove' && args.pkg) {
    if (args.rest.length) {
      console.error(`prove --package takes no contract id\n${EVIDENCE_HELP}`);
      return 2;
    }
    const trust = args.trust.length ? args.trust.map((file) => readFileSync(file, 'utf8')).join('\n') : null;
    const proofs = await provePackage(args.pkg, trust);
    if (args.json) console.log(JSON.stringify(proofs, null, 2));
    else {
      if (!trust) console.log("(trusting the package's own certificates/root.pem: pass --trust with the root the platform publishes to prove more)");
      proofs.forEach(printProof);
    }
    return proofs.every((p) => p.ok) ? 0 : 1;
  }
  if ((command === 'anchor' && args.rest.length) || (command === 'prove' && args.rest.length !== 1)) {
    console.error(`usage:\n${EVIDENCE_HELP}`);
    return 2;
  }

  let store: Store | null = null;
  try {
    store = await openHubStore(config);
    const tsaUrl = config.anchor.tsaUrl ?? config.tsaUrl;
    const platform = () => openSigningPlatform({ masterKey: masterKey(config), keyRecords: keyRecordsIn(store!.signingKeys), tsaUrl: config.tsaUrl });
    if (command === 'anchor') {
      const timestamps = tsaUrl ? createHttpTimestampClient(tsaUrl) : (await platform()).timestamps;
      const outcome = await anchorNewEvents({ store, timestamps, tsa: tsaUrl ?? 'sealflow' });
      if (args.json) console.log(JSON.stringify(outcome, null, 2));
      else if (!outcome.anchor) console.log(`nothing new to anchor (${outcome.contracts} contract${outcome.contracts === 1 ? '' : 's'} looked at)`);
      else console.log(`anchor ${outcome.anchor.seq}: ${outcome.anchor.leafCount} events of ${outcome.contracts} contracts, root ${outcome.anchor.root}, stamped ${outcome.anchor.stampedAt} by ${outcome.anchor.tsa}`);
      return 0;
    }
    // The root `npm start` leaves beside the data (as `sealflow verify` reads it), else the hub's own from its key store.
    const rootFile = join(config.dataDir, 'sealflow-root.pem');
    const trust = args.trust.length ? args.trust.flatMap((file) => pems(readFileSync(file, 'utf8'))) : existsSync(rootFile) ? pems(readFileSync(rootFile, 'utf8')) : [(await platform()).ca.rootCertificate];
    const proof = await proveContract(store, args.rest[0], trust);
    if (!proof) {
      console.error(`no contract ${args.rest[0]}`);
      return 1;
    }
    if (args.json) console.log(JSON.stringify(proof, null, 2));
    else printProof(proof);
    return proof.ok ? 0 : 1;
  } catch (error) {
    console.error(error instanceof ConfigError ? `configuration: ${error.message}` : `sealflow ${command}: ${(error as Error).message}`);
    return error instanceof ConfigError ? 2 : 1;
  } finally {
    await store?.close();
  }
}
