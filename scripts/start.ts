// `npm start`: the whole hub in one process tree on its embedded defaults — a local
// Temporal dev server (state in ./data), the worker, and the REST server with SQLite in
// ./data. TEMPORAL_ADDRESS and DATABASE_URL switch to an existing cluster and PostgreSQL.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { ConfigError, installOutboundAllowlist, loadConfig, parseMasterKey } from '../config';
import { createNotifierFromSettings } from '../notify';
import { createApp } from '../server';
import { createDevelopmentFaceVerifier } from '../server/face';
import { redactConsole } from '../server/redact';
import { openStore } from '../store';
import { keyRecordsIn, openSigningPlatform } from '../signing';
import { createDocumentRenderer } from '../templates';
import { createContractWorker, createDocumentService } from '../workflows';
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
  let config;
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
  Runtime.install({
    logger: new DefaultLogger('WARN', ({ level, message, meta }) => console.error(`[temporal] [${level}] ${message}${meta === undefined ? '' : ` ${inspect(meta, { depth: 4, breakLength: Infinity })}`}`)),
  });
  mkdirSync(config.dataDir, { recursive: true });
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((error) => console.error(`[sealflow] while stopping: ${(error as Error).message}`));
  };

  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log(`${signal}: stopping…`);
    stopAll().then(
      () => {
        log('stopped');
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

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

    const store = await openStore(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { sqlitePath: config.sqlitePath });
    stops.push(() => store.close());
    log(`database: ${store.dialect}${store.dialect === 'sqlite' ? ` at ${config.sqlitePath}` : ''}`);

    const documents = createDocumentService({ store, renderer: createDocumentRenderer() });
    // Every message lands in the dev outbox; email and SMS go out too when SMTP / an SMS webhook are configured.
    const notifier = createNotifierFromSettings({ store, settings: config.notify, outbox: true });

    const masterKey = masterKeyFor(config.dataDir, config.masterKey);
    const signing = await openSigningPlatform({ masterKey, keyRecords: keyRecordsIn(store.signingKeys), tsaUrl: config.tsaUrl });
    // The trust anchor beside the data, so `npx sealflow verify` finds it without flags.
    writeFileSync(join(config.dataDir, 'sealflow-root.pem'), signing.rootCertificatePem);
    const workerConnection = await NativeConnection.connect({ address });
    stops.push(() => workerConnection.close());
    log('bundling workflows and starting the worker…');
    const worker = await createContractWorker({
      connection: workerConnection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      store,
      notifier,
      documents,
      masterKey,
      signing,
      publicUrl: config.publicUrl,
      linkSecret: masterKey,
      notices: config.notices,
    });
    const running = worker.run();
    stops.push(async () => {
      worker.shutdown();
      await running;
    });

    const connection = await Connection.connect({ address });
    stops.push(() => connection.close());
    const client = new Client({ connection, namespace: config.temporal.namespace });
    const adminToken = adminTokenFor(config.dataDir, config.adminToken);
    const app = createApp({ store, client, documents, signing, notifier, taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace, adminToken, masterKey, faceVerifier: config.faceProvider === 'development' ? createDevelopmentFaceVerifier() : null, companyName: config.notices.companyName });
    const server: Server = await new Promise((resolve, reject) => {
      const s = app.listen(config.port, () => resolve(s));
      s.once('error', reject);
    });
    stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));

    log(`Temporal at ${address}, task queue ${config.temporal.taskQueue}`);
    log(`REST API on http://localhost:${config.port} (GET /healthz, /openapi.json)`);
    // The token itself never goes to the log (logs are collected and read widely); the file is readable only by this user.
    log(config.adminToken ? 'admin token from SEALFLOW_ADMIN_TOKEN' : `admin token generated; read it from ${join(config.dataDir, 'admin-token')}`);
    if (config.faceProvider === 'development') log('WARNING: SEALFLOW_FACE_PROVIDER=development: face verification (verify: "face") accepts the evidence "dev-face-ok" and checks nobody; never in production');
    else log('face verification: no provider (flows with verify: "face" cannot be published; SEALFLOW_FACE_PROVIDER=development for trials)');
    if (!config.masterKey) log(`master key (seals connector secrets): kept in ${join(config.dataDir, 'master-key')}; back it up, or set SEALFLOW_MASTER_KEY`);
    log('ready. Ctrl-C stops everything.');
    await running.catch(async (error) => {
      if (shuttingDown) return;
      console.error(`[sealflow] the worker stopped: ${(error as Error).message}`);
      await stopAll();
      process.exit(1);
    });
  } catch (error) {
    console.error(`[sealflow] could not start: ${(error as Error).stack ?? error}`);
    await stopAll();
    process.exit(1);
  }
}

await main();
