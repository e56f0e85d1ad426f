// A hub for benchmarks, built by createHub as every hub is, minus HTTP (role 'worker'): a
// local Temporal dev server from the pinned CLI (started as the test suite's global setup
// starts it), a store on a temp SQLite file, the real
// contract worker (so started contracts run), the real contract starter, and a second
// worker on its own task queue that runs the baseline's empty workflow.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import type { FlowDefinition } from '../../flows';
import { closer, installTemporalRuntime } from '../../hub';
import { openStore, type Store } from '../../store';
import { bundleContractWorkflows, type ContractStarter } from '../../workflows';
import setupTemporal from '../../test/support/temporal.global';
import { startContractWorker } from './contract-worker';

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
  const teardown = closer();
  try {
    const bundlesStarted = performance.now();
    const bundles = Promise.all([
      bundleContractWorkflows(),
      bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('./empty-workflow.ts', import.meta.url)), logger: { log() {}, trace() {}, debug() {}, info() {}, warn: (m) => console.warn(`[bench worker] ${m}`), error: (m) => console.error(`[bench worker] ${m}`) } }),
    ]).then((b) => ({ b, ms: performance.now() - bundlesStarted }));
    bundles.catch(() => {}); // awaited below; keeps an early failure elsewhere from leaving it unhandled

    const temporalStarted = performance.now();
    const provided: Record<string, string> = {};
    const stopTemporal = await setupTemporal({ provide: (key: string, value: string) => void (provided[key] = value) } as never);
    teardown.push(async () => stopTemporal?.());
    const address = provided.temporalAddress!;
    const temporalMs = performance.now() - temporalStarted;

    const dir = await mkdtemp(join(tmpdir(), 'sealflow-bench-'));
    teardown.push(() => rm(dir, { recursive: true, force: true }));
    const sqlitePath = join(dir, 'sealflow.db');
    const store = await openStore({ sqlitePath });
    teardown.push(() => store.close());

    const { b: [contractBundle, emptyBundle], ms: bundlesMs } = await bundles;
    const { client, starter, taskQueue } = await startContractWorker({ temporalAddress: address, store, flows, bundle: contractBundle, teardown });

    const emptyTaskQueue = `bench-empty-${randomBytes(4).toString('hex')}`;
    const nativeConnection = await NativeConnection.connect({ address });
    teardown.push(() => nativeConnection.close());
    const emptyWorker = await Worker.create({ connection: nativeConnection, namespace: 'default', taskQueue: emptyTaskQueue, workflowBundle: emptyBundle });
    const running = emptyWorker.run();
    running.catch(() => {}); // a crash surfaces when the teardown awaits it
    teardown.push(async () => {
      if (emptyWorker.getState() === 'RUNNING') emptyWorker.shutdown();
      await running;
    });

    return {
      address,
      client,
      store,
      sqlitePath,
      taskQueue,
      emptyTaskQueue,
      starter,
      setupMs: { temporal: temporalMs, bundles: bundlesMs },
      close: () => teardown.stop(),
    };
  } catch (error) {
    await teardown.stop().catch(() => {});
    throw error;
  }
}
