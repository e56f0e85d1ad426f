// What both benchmark stacks (temporal-hub.ts: dev server + SQLite; cluster-stack.ts: the real
// Temporal server + PostgreSQL) do once their Temporal and database are up: publish the bench's
// flows, run the contract worker as `sealflow worker` builds it (createHub, role worker) and
// connect a client. Both close what they started with the hub's closer().
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../config';
import { validateFlow, type FlowDefinition } from '../../flows';
import { closer, createHub } from '../../hub';
import type { Store } from '../../store';
import type { bundleContractWorkflows, ContractStarter } from '../../workflows';

/** What a stack started, closed in reverse order (the hub's own closer: a failing step does not keep the rest from running). */
export type Teardown = ReturnType<typeof closer>;

export interface ContractWorkerOptions {
  temporalAddress: string;
  namespace?: string;
  store: Store;
  flows: FlowDefinition[];
  bundle: Awaited<ReturnType<typeof bundleContractWorkflows>>;
  /** More of the worker's environment (e.g. DATABASE_URL for the PostgreSQL stack). */
  env?: Record<string, string>;
  teardown: Teardown;
}

export async function startContractWorker(options: ContractWorkerOptions): Promise<{ client: Client; starter: ContractStarter; taskQueue: string }> {
  const { store, teardown, namespace = 'default' } = options;
  for (const definition of options.flows) {
    const checked = validateFlow(definition);
    if (!checked.ok) throw new Error(`bench flow ${definition.key}: ${JSON.stringify(checked.issues)}`);
    await store.flows.create('default', checked.value, 'bench');
    await store.flows.publish('default', definition.key, 'bench');
  }
  const taskQueue = `bench-contracts-${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_NAMESPACE: namespace,
    TEMPORAL_TASK_QUEUE: taskQueue,
    SEALFLOW_MASTER_KEY: randomBytes(32).toString('hex'),
    SEALFLOW_PUBLIC_URL: 'http://127.0.0.1:1',
    ...options.env,
  });
  const hub = await createHub(config, { role: 'worker', store, workflowBundle: options.bundle, workerShutdownGrace: 0 });
  teardown.push(() => hub.stop());
  const connection = await Connection.connect({ address: options.temporalAddress });
  teardown.push(() => connection.close());
  const client = new Client({ connection, namespace });
  return { client, starter: hub.contractStarter(client), taskQueue };
}
