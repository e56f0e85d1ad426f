// A hub for benchmarks, built by createHub as every hub is, minus HTTP (role 'worker'): a
// local Temporal dev server from the pinned CLI, a store on a temp SQLite file, the real
// contract worker (so started contracts run), the real contract starter, and a second
// worker on its own task queue that runs the baseline's empty workflow.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig } from '../../config';
import { validateFlow, type FlowDefinition } from '../../flows';
import { createHub, installTemporalRuntime } from '../../hub';
import { openStore, type Store } from '../../store';
import { bundleContractWorkflows, type ContractStarter } from '../../workflows';
// @ts-expect-error -- plain ESM script without type declarations
import { ensureTemporalCli } from '../../scripts/setup-temporal.mjs';

export const EMPTY_WORKFLOW = 'emptyWorkflow';

export interface BenchHub {
  address: string;
  client: Client;
  store: Store;
  /** The store's SQLite file (for read-only checks beside the store). */
  sqlitePath: string;
  /** The contract worker's task queue. */
  taskQueue: string;
  /** The task queue of the worker that runs emptyWorkflow. */
  emptyTaskQueue: string;
  starter: ContractStarter;
  /** What the setup took, for the printout. */
  setupMs: { temporal: number; bundles: number };
  close(): Promise<void>;
}

/**
 * The shipped example flow's approval routing without documents, signers, signing or
 * archive, on the data the SAP connector's default mapping produces (as
 * test/support/hub.ts approvalFlow() does): a start runs validation, approval planning,
 * the Temporal start and the projection insert, and no template or PDF work.
 */
export async function sapApprovalFlow(key: string): Promise<FlowDefinition> {
  const example = JSON.parse(await readFile(new URL('../../examples/supplier-purchase.flow.json', import.meta.url), 'utf8')) as FlowDefinition;
  const { documents: _documents, signers: _signers, signing: _signing, archive: _archive, ...flow } = example;
  return {
    ...flow,
    key,
    name: `Bench SAP purchase orders (${key})`,
    data: {
      type: 'object',
      required: ['poNumber', 'amount', 'supplier'],
      properties: {
        poNumber: { type: 'string' },
        amount: { type: 'number' },
        supplier: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 }, email: { type: 'string', format: 'email' } } },
      },
    } as FlowDefinition['data'],
    approval: { ...flow.approval, amount: '=amount' },
  };
}

export async function startBenchHub({ flows }: { flows: FlowDefinition[] }): Promise<BenchHub> {
  installTemporalRuntime();
  const cleanups: Array<() => Promise<unknown>> = [];
  const close = async () => {
    // Reverse order of setup; one failing step does not keep the rest from running.
    const failures: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length) throw failures[0];
  };

  try {
    const bundlesStarted = performance.now();
    const bundles = Promise.all([
      bundleContractWorkflows(),
      bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('./empty-workflow.ts', import.meta.url)), logger: { log() {}, trace() {}, debug() {}, info() {}, warn: (m) => console.warn(`[bench worker] ${m}`), error: (m) => console.error(`[bench worker] ${m}`) } }),
    ]).then((b) => ({ b, ms: performance.now() - bundlesStarted }));
    bundles.catch(() => {}); // awaited below; keeps an early failure elsewhere from leaving it unhandled

    const temporalStarted = performance.now();
    const env = await TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'existing-path', path: ensureTemporalCli() as string }, ip: '127.0.0.1', log: { format: 'pretty', level: 'error' } },
    });
    cleanups.push(() => env.teardown());
    const temporalMs = performance.now() - temporalStarted;

    const dir = await mkdtemp(join(tmpdir(), 'sealflow-bench-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const sqlitePath = join(dir, 'sealflow.db');
    const store = await openStore({ sqlitePath });
    cleanups.push(() => store.close());
    for (const definition of flows) {
      const checked = validateFlow(definition);
      if (!checked.ok) throw new Error(`bench flow ${definition.key}: ${JSON.stringify(checked.issues)}`);
      await store.flows.create('default', checked.value, 'bench');
      await store.flows.publish('default', definition.key, 'bench');
    }

    const suffix = randomBytes(4).toString('hex');
    const taskQueue = `bench-contracts-${suffix}`;
    const emptyTaskQueue = `bench-empty-${suffix}`;
    const { b: [contractBundle, emptyBundle], ms: bundlesMs } = await bundles;
    // The contract worker as a deployment's `sealflow worker` builds it, on the bench's store and bundle.
    const config = loadConfig({
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      SEALFLOW_MASTER_KEY: randomBytes(32).toString('hex'),
      SEALFLOW_PUBLIC_URL: 'http://127.0.0.1:1',
    });
    const hub = await createHub(config, { role: 'worker', store, workflowBundle: contractBundle, workerShutdownGrace: 0 });
    cleanups.push(() => hub.stop());

    const connection = await Connection.connect({ address: env.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: 'default' });
    const nativeConnection = await NativeConnection.connect({ address: env.address });
    cleanups.push(() => nativeConnection.close());
    const emptyWorker = await Worker.create({ connection: nativeConnection, namespace: 'default', taskQueue: emptyTaskQueue, workflowBundle: emptyBundle });
    const running = emptyWorker.run();
    running.catch(() => {}); // a crash surfaces when the cleanup awaits it
    cleanups.push(async () => {
      if (emptyWorker.getState() === 'RUNNING') emptyWorker.shutdown();
      await running;
    });

    return {
      address: env.address,
      client,
      store,
      sqlitePath,
      taskQueue,
      emptyTaskQueue,
      starter: hub.contractStarter(client),
      setupMs: { temporal: temporalMs, bundles: bundlesMs },
      close,
    };
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}
