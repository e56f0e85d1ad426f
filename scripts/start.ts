// `npm start`: the whole hub in one process tree on its embedded defaults — a local
// Temporal dev server (state in ./data), the worker, and the REST server with SQLite in
// ./data. TEMPORAL_ADDRESS and DATABASE_URL switch to an existing cluster and PostgreSQL.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ConfigError, installOutboundAllowlist, loadConfig, parseMasterKey, type SealflowConfig } from '../config';
import { createHub, hubLogger, installTemporalRuntime, runUntilSignalled } from '../hub';
import { redactConsole } from '../server/redact';
// @ts-expect-error -- plain ESM script without type declarations
import { ensureTemporalCli } from './setup-temporal.mjs';

const log = (message: string) => console.log(`[sealflow] ${message}`);

/** Without SEALFLOW_ADMIN_TOKEN the embedded stack makes one and keeps it in the data folder. */
function adminTokenFor(dataDir: string, configured: string | null): string {
  if (configured) return configured;
  const file = join(dataDir, 'admin-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = `sf_admin_${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/** Without SEALFLOW_MASTER_KEY the embedded stack makes one (32 random bytes, hex) and keeps it beside the admin token. */
function masterKeyFor(dataDir: string, configured: Buffer | null): Buffer {
  if (configured) return configured;
  const file = join(dataDir, 'master-key');
  if (existsSync(file)) return parseMasterKey(readFileSync(file, 'utf8'), file);
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600 });
  return key;
}

async function main() {
  // Every line this process logs, whichever module writes it, goes out without signing links, codes or keys.
  redactConsole();
  let config: SealflowConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`[sealflow] configuration: ${error.message}`);
    process.exit(1);
  }
  // Temporal's logger writes to stderr itself, around the console: its lines are redacted here.
  // Connectors, the SMS webhook and an external TSA call only the hosts SEALFLOW_OUTBOUND_ALLOW names (when set).
  installOutboundAllowlist(config.outboundAllow);
  // One logger (LOG_FORMAT, LOG_LEVEL) for the hub and the Temporal SDK, whose metrics go to SEALFLOW_TEMPORAL_METRICS_ADDRESS when set (and into /metrics).
  const logger = hubLogger(config, 'all');
  installTemporalRuntime({ logger, metricsAddress: config.observability.temporalMetricsAddress });
  mkdirSync(config.dataDir, { recursive: true });
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch((error) => console.error(`[sealflow] while stopping: ${(error as Error).message}`));
  };

  try {
    let address = config.temporal.address;
    if (!address) {
      log(`starting the Temporal dev server on 127.0.0.1:${config.temporal.devServerPort} (UI http://127.0.0.1:${config.temporal.devServerUiPort}, state in ${config.dataDir}/temporal.db)…`);
      const devServer = await TestWorkflowEnvironment.createLocal({
        server: {
          executable: { type: 'existing-path', path: ensureTemporalCli() as string },
          ip: '127.0.0.1',
          port: config.temporal.devServerPort,
          ui: true,
          uiPort: config.temporal.devServerUiPort,
          dbFilename: join(config.dataDir, 'temporal.db'),
          namespace: config.temporal.namespace,
          log: { format: 'pretty', level: 'error' },
        },
      });
      stops.push(() => devServer.teardown());
      address = devServer.address;
    }

    log('bundling workflows and starting the worker…');
    const hub = await createHub(
      {
        ...config,
        temporal: { ...config.temporal, address },
        adminToken: adminTokenFor(config.dataDir, config.adminToken),
        masterKey: masterKeyFor(config.dataDir, config.masterKey),
      },
      { role: 'all', logger },
    );
    stops.push(() => hub.stop());
    log(`database: ${hub.store.dialect}${hub.store.dialect === 'sqlite' ? ` at ${config.sqlitePath}` : ''}`);
    // The trust anchor beside the data, so `npx sealflow verify` finds it without flags.
    writeFileSync(join(config.dataDir, 'sealflow-root.pem'), hub.signing.rootCertificatePem);

    log(`Temporal at ${address}, task queue ${config.temporal.taskQueue}`);
    log(`REST API on http://localhost:${config.port} (GET /healthz, /openapi.json)`);
    // The token itself never goes to the log (logs are collected and read widely); the file is readable only by this user.
    log(config.adminToken ? 'admin token from SEALFLOW_ADMIN_TOKEN' : `admin token generated; read it from ${join(config.dataDir, 'admin-token')}`);
    if (config.identityProviders.includes('local')) log('WARNING: SEALFLOW_IDENTITY_PROVIDERS names "local": real-name verification (face included) answers from fixtures and checks nobody; never in production');
    else if (config.identityProviders.length === 0) log('real-name verification: no provider (flows asking an identity level cannot be published; SEALFLOW_IDENTITY_PROVIDERS=local for trials)');
    if (!config.masterKey) log(`master key (seals connector secrets): kept in ${join(config.dataDir, 'master-key')}; back it up, or set SEALFLOW_MASTER_KEY`);
    const exited = runUntilSignalled({ stop: stopAll, failure: hub.workerDone, log });
    log('ready. Ctrl-C stops everything.');
    process.exit(await exited);
  } catch (error) {
    console.error(`[sealflow] could not start: ${(error as Error).stack ?? error}`);
    await stopAll();
    process.exit(1);
  }
}

await main();
