// The worker: the one place where real dependencies are wired into activities.
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import type { Notifier } from '../notify';
import type { Store } from '../store';
import { createActivities } from './activities';

export const workflowsPath = fileURLToPath(new URL('./contract-flow.ts', import.meta.url));

/** Bundles the workflow code once; tests and the embedded stack reuse it across workers. */
export function bundleContractWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath, logger: quietBundlerLogger });
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
  workflowBundle?: WorkflowBundle;
}

export async function createContractWorker(options: ContractWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    activities: createActivities({ store: options.store, notifier: options.notifier }),
  });
}
