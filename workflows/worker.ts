// The worker: the one place where real dependencies are wired into activities.
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import type { Duration } from '@temporalio/common';
import type { Notifier } from '../notify';
import type { Store } from '../store';
import type { HubMetrics } from '../observability';
import { createActivities } from './activities';
import { createAnchoringActivities } from './activities/anchoring';
import { createConnectorActivities } from './activities/connectors';
import { createSigningActivities, type NoticeSettings } from './activities/signing';
import { createHttpTimestampClient, type SigningPlatform } from '../signing';
import { createContractStarter } from './contract-starter';
import { useExpressionPool } from '../flows/expression-pool';
import type { DocumentService } from './documents';
import type { FontLibrary } from '../templates';

// One entry for every workflow: contractFlow and connectorSync.
export const workflowsPath = fileURLToPath(new URL('./all.ts', import.meta.url));

/**
 * Libraries the workflow code reaches through flows/ (schemas, validation, expressions), loaded
 * once per reusable V8 context and shared by every workflow in it instead of evaluated again
 * for each workflow: their ~900 modules cost ~20 ms of CPU per contract started or re-cached,
 * more than the contract workflow itself (bench/throughput.bench.ts). Safe to share because
 * flows/ keeps its state (the Ajv instance, the compiled expressions with their registered
 * functions) in its own modules, which are not preloaded and so stay per workflow; the
 * libraries' module objects are deep-frozen by the SDK, and flows' validation, routing,
 * expressions and simulation were checked to run on them.
 */
export const SHARED_WORKFLOW_MODULES = ['@sinclair/typebox', 'ajv', 'ajv-formats', 'jsonata', 're2js'];

/** Bundles the workflow code once; tests and the embedded stack reuse it across workers. */
export function bundleContractWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath, logger: quietBundlerLogger, preloadModules: SHARED_WORKFLOW_MODULES });
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(`[worker] ${message}`),
  error: (message: string) => console.error(`[worker] ${message}`),
};

export interface ContractWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  store: Store;
  notifier: Notifier;
  documents: DocumentService;
  /** The process's fonts (shared with the document renderer): evidence reports draw with them. */
  fonts?: FontLibrary;
  workflowBundle?: WorkflowBundle;
  /** SEALFLOW_MASTER_KEY (32 bytes): opens connector secrets. Without it, connector syncs and write-backs fail. */
  masterKey?: Uint8Array | null;
  /** The platform PKI (CA, TSA, vault): signers' certificates and signatures. */
  signing: SigningPlatform;
  /** Base URL of signing links in invitations, e.g. https://sign.example.com */
  publicUrl: string;
  /** Derives signing-link tokens; the master key. */
  linkSecret: Uint8Array;
  /** See contractIdFor: set when several hubs share one Temporal namespace. */
  contractIdScope?: string;
  /** The sender notices name and how long signing links live (config `notices`); defaults: each contract's own sender, 30 days. */
  notices?: NoticeSettings;
  /** Where activities count stage durations, signatures and connector errors (the process's registry, see observability/). */
  metrics?: HubMetrics;
  /** How long a shutdown waits for running activities before cancelling them (default 0: at once). */
  shutdownGraceTime?: Duration;
  /** SEALFLOW_ANCHOR_TSA_URL (else SEALFLOW_TSA_URL): who stamps anchor roots; null: the hub's own TSA. */
  anchorTsaUrl?: string | null;
}

export async function createContractWorker(options: ContractWorkerOptions): Promise<Worker> {
  // Activities evaluate flow and mapping expressions (untrusted code) in a pool of worker processes; workflow code never does.
  useExpressionPool();
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.shutdownGraceTime === undefined ? {} : { shutdownGraceTime: options.shutdownGraceTime }),
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath, bundlerOptions: { preloadModules: SHARED_WORKFLOW_MODULES } }),
    activities: {
      ...createActivities({ store: options.store, notifier: options.notifier, documents: options.documents, publicUrl: options.publicUrl, metrics: options.metrics }),
      ...createSigningActivities({ store: options.store, notifier: options.notifier, signing: options.signing, fonts: options.fonts, publicUrl: options.publicUrl, secret: options.linkSecret, notices: options.notices, metrics: options.metrics }),
      ...createAnchoringActivities({
        store: options.store,
        timestamps: options.anchorTsaUrl ? createHttpTimestampClient(options.anchorTsaUrl) : options.signing.timestamps,
        tsa: options.anchorTsaUrl ?? 'sealflow',
      }),
      ...createConnectorActivities({
        store: options.store,
        metrics: options.metrics,
        masterKey: options.masterKey ?? null,
        contractStarter: (client) => createContractStarter({ store: options.store, client, documents: options.documents, taskQueue: options.taskQueue, idScope: options.contractIdScope }),
      }),
    },
  });
}
