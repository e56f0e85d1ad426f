// The one composition root: `npm start`, `sealflow server`, `sealflow worker`, the test hub and
// the bench hub all build Sealflow here. A role says which parts run in this process; the
// parts both roles need (store, documents, notifier, signing platform) are built the same way
// for each, and the settings they must agree on come from hubSettings, once.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { NativeConnection, type Worker, type WorkflowBundle } from '@temporalio/worker';
import type { SealflowConfig } from '../config';
import { createNotifierFromSettings, type Notifier } from '../notify';
import { createApp, type AppOptions } from '../server';
import type { WebhookRateLimit } from '../server/hooks';
import { identityProvidersFor, type IdentityProvider } from '../identity';
import { keyRecordsIn, openSigningPlatform, type SigningPlatform } from '../signing';
import { openStore, type Store } from '../store';
import { createDocumentRenderer, FontLibrary, type DocumentRenderer } from '../templates';
import { createContractStarter, createContractWorker, createDocumentService, ensureAnchorSchedule, type ContractStarter, type DocumentService } from '../workflows';
import { onePartAtATime } from './first-start';
import { installTemporalRuntime } from './runtime';
import { createLogger, createMetrics, storeContractCounts, temporalMetricsUrl, type HubLogger, type HubMetrics } from '../observability';
import { hubSettings, type HubRole, type HubSettings } from './settings';
import { checkWorkerHealth, serveWorkerHealth } from './worker-health';

export interface HubOptions {
  role: HubRole;
  /** A store the caller opened (and closes after stop()); default: the configured database, closed by stop(). */
  store?: Store;
  /** Prebuilt workflow code (tests and benches bundle once per file); default: bundled at start. */
  workflowBundle?: WorkflowBundle;
  /** Several hubs in one Temporal namespace (tests) keep their contract ids apart with this. */
  contractIdScope?: string;
  /** Interface to listen on; default all (PORT from the config; 0 takes a free port). */
  host?: string;
  /** How long stop() lets running activities finish (default 10 s: a worker drains). */
  workerShutdownGrace?: Duration;
  /** Templates compile and fonts subset into this cache; a test file shares one between hubs. */
  renderer?: DocumentRenderer;
  webhookRateLimit?: WebhookRateLimit;
  publicRateLimits?: AppOptions['publicRateLimits'];
  /** Real-name verification providers in priority order; default SEALFLOW_IDENTITY_PROVIDERS (identityProvidersFor). */
  identityProviders?: IdentityProvider[];
  /** The identity router's time limit and health settings; the per-link rate of the identity routes. */
  identityRouting?: AppOptions['identityRouting'];
  identityRateLimit?: AppOptions['identityRateLimit'];
  /** The PDF verifier of POST /api/verify, made once the signing platform (its trust anchor) is open; default the app's own. The caller closes it. */
  verifier?: (signing: SigningPlatform) => NonNullable<AppOptions['verifier']>;
  /** Where the server's error lines go (default the console). */
  log?: (message: string) => void;
  /** The process's logger (default hubLogger(config, role)); entry points make it first, for installTemporalRuntime too. */
  logger?: HubLogger;
  /** The process's metrics (default: a registry with the contract counts where a server runs, and the SDK's exporter appended). */
  metrics?: HubMetrics;
}

export interface Hub {
  role: HubRole;
  settings: HubSettings;
  store: Store;
  documents: DocumentService;
  notifier: Notifier;
  signing: SigningPlatform;
  /** server and all: the express app, its listening server and its URL (http://host:port). */
  app?: ReturnType<typeof createApp>;
  server?: Server;
  url?: string;
  /** server and all: the Temporal client the API talks to contracts with. */
  client?: Client;
  /** worker and all: the contract worker, and its run() — settles when it stops, rejects when it fails. */
  worker?: Worker;
  workerDone?: Promise<void>;
  /** worker only, with SEALFLOW_HEALTH_PORT: the port its /healthz answers on. */
  healthPort?: number;
  /** The contract starter on these settings, for a caller with its own client (benches, tests). */
  contractStarter(client: Client): ContractStarter;
  /** Closes everything this hub opened, in reverse order; a failing step does not keep the others from running. */
  stop(): Promise<void>;
  /** Its metrics: GET /metrics on the server, GET /metrics on a lone worker's health port. */
  metrics: HubMetrics;
  logger: HubLogger;
}

/** Closes what it was given in reverse order; the first failure is rethrown once all ran. */
export function closer() {
  const steps: Array<() => Promise<unknown>> = [];
  let stopping: Promise<void> | undefined;
  return {
    push(step: () => Promise<unknown>) {
      steps.push(step);
    },
    stop() {
      stopping ??= (async () => {
        const failures: unknown[] = [];
        for (const step of steps.splice(0).reverse()) {
          try {
            await step();
          } catch (error) {
            failures.push(error);
          }
        }
        if (failures.length) throw failures[0];
      })();
      return stopping;
    },
  };
}

function listen(app: ReturnType<typeof createApp>, port: number, host: string | undefined): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = host === undefined ? app.listen(port, () => resolve(server)) : app.listen(port, host, () => resolve(server));
    server.once('error', reject);
  });
}

/** Waits for open requests to end, then cuts what is still open (an event stream never ends by itself). */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 2000).unref();
  });
}

/** The logger of a hub process, as its configuration asks (LOG_FORMAT, LOG_LEVEL). */
export function hubLogger(config: SealflowConfig, role: HubRole): HubLogger {
  return createLogger({ format: config.observability.logFormat, level: config.observability.logLevel, base: { role } });
}

export async function createHub(config: SealflowConfig, options: HubOptions): Promise<Hub> {
  const { role } = options;
  const settings = hubSettings(config, { contractIdScope: options.contractIdScope });
  // The entry points install theirs first (with their logger); this only covers a caller that did not.
  installTemporalRuntime();
  const opened = closer();
  try {
    const store = options.store ?? (await openStore(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { sqlitePath: config.sqlitePath }));
    if (!options.store) opened.push(() => store.close());
    // One font library per process: documents and evidence reports share the loaded 10 MB fonts and their subsets.
    const fonts = new FontLibrary();
    const documents = createDocumentService({ store, renderer: options.renderer ?? createDocumentRenderer({ fonts }) });
    // Every message lands in the dev outbox; email and SMS go out too when SMTP / an SMS webhook are configured.
    const notifier = createNotifierFromSettings({ store, settings: config.notify, outbox: true });
    opened.push(async () => notifier.close());
    // Certificates name CRLs under the public URL; a hub on PORT=0 learns its URL only later, and names none.
    // Parts starting together on an empty database take turns: one makes the keys, the others read them.
    const signing = await onePartAtATime(config.databaseUrl, 'signing-platform', () =>
      openSigningPlatform({ masterKey: settings.masterKey, keyRecords: keyRecordsIn(store.signingKeys), tsaUrl: config.tsaUrl, archiveRenewalMarginMs: config.archiveRenewalMarginMs, ...(settings.publicUrl ? { publicUrl: settings.publicUrl } : {}) }),
    );
    const contractStarter = (client: Client) => createContractStarter({ store, client, documents, taskQueue: settings.taskQueue, idScope: settings.contractIdScope });
    const logger = options.logger ?? hubLogger(config, role);
    const sdkMetrics = role !== 'server' && config.observability.temporalMetricsAddress ? temporalMetricsUrl(config.observability.temporalMetricsAddress) : null;
    const metrics = options.metrics ?? createMetrics({ contractCounts: role === 'worker' ? undefined : storeContractCounts(store), temporalMetricsUrl: sdkMetrics });
    const hub: Hub = { role, settings, store, documents, notifier, signing, contractStarter, stop: () => opened.stop(), metrics, logger };

    if (role !== 'worker') {
      // Requests wait on this connection's calls. With Temporal away, the client's default retries
      // (10 attempts) held a request 15 s and more; four quick attempts (about 1 s) ride out a blip,
      // then the API answers 503 (server/errors.ts) and the caller tries again.
      const connection = await Connection.connect({ address: settings.address, interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 4 }))] });
      opened.push(() => connection.close());
      const client = new Client({ connection, namespace: settings.namespace });
      const app = createApp({
        store,
        client,
        documents,
        signing,
        notifier,
        taskQueue: settings.taskQueue,
        namespace: settings.namespace,
        contractIdScope: settings.contractIdScope,
        adminToken: config.adminToken,
        masterKey: settings.masterKey,
        webhookRateLimit: options.webhookRateLimit,
        publicRateLimits: options.publicRateLimits,
        // The local provider's face/authorisation pages are the hub's own (server/routes/identity.ts localIdentityPages).
        identityProviders: options.identityProviders ?? identityProvidersFor(config.identityProviders, { localPageUrl: '/identity/local' }),
        identityRouting: options.identityRouting,
        identityRateLimit: options.identityRateLimit,
        verifier: options.verifier?.(signing),
        companyName: settings.notices.companyName,
        log: options.log,
        metrics,
        logger,
      });
      const server = await listen(app, config.port, options.host);
      opened.push(() => closeServer(server));
      const { port } = server.address() as AddressInfo;
      Object.assign(hub, { app, server, client, url: `http://${options.host ?? 'localhost'}:${port}` });
    }

    if (role !== 'server') {
      const publicUrl = settings.publicUrl ?? hub.url;
      if (!publicUrl) throw new Error('a worker alone cannot tell where signers reach the hub: set SEALFLOW_PUBLIC_URL (or a PORT other than 0)');
      const connection = await NativeConnection.connect({ address: settings.address });
      opened.push(() => connection.close());
      const worker = await createContractWorker({
        connection,
        namespace: settings.namespace,
        taskQueue: settings.taskQueue,
        store,
        notifier,
        documents,
        fonts,
        masterKey: settings.masterKey,
        signing,
        publicUrl,
        linkSecret: settings.masterKey,
        contractIdScope: settings.contractIdScope,
        notices: settings.notices,
        metrics,
        workflowBundle: options.workflowBundle,
        shutdownGraceTime: options.workerShutdownGrace ?? '10s',
        anchorTsaUrl: config.anchor.tsaUrl ?? config.tsaUrl,
      });
      // Anchoring (全链路存证) on its Temporal Schedule: created once, found again by every later worker (see workflows/anchor-schedule.ts).
      // A Temporal that refuses schedules must not keep the worker from running contracts: said, and `sealflow anchor` still works.
      if (config.anchor.everyMs !== null) {
        await ensureAnchorSchedule(new Client({ connection, namespace: settings.namespace }), { taskQueue: settings.taskQueue, everyMs: config.anchor.everyMs }).catch((error: unknown) =>
          logger.warn({ err: error }, `evidence anchoring schedule not set up (anchor with \`sealflow anchor\` meanwhile): ${(error as Error)?.message ?? String(error)}`),
        );
      }
      const workerDone = worker.run();
      workerDone.catch(() => {}); // the caller watches it; stop() must not fail for a worker that already failed
      opened.push(async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await workerDone.catch(() => {});
      });
      Object.assign(hub, { worker, workerDone });

      if (role === 'worker' && config.healthPort !== null) {
        const health = await serveWorkerHealth(config.healthPort, () => checkWorkerHealth({ worker, connection, namespace: settings.namespace, store }), metrics);
        opened.push(() => new Promise<void>((resolve) => health.close(() => resolve())));
        hub.healthPort = (health.address() as AddressInfo).port;
      }
    }
    return hub;
  } catch (error) {
    await opened.stop().catch(() => {});
    throw error;
  }
}
