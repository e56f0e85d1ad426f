// The production shape for benchmarks: the real Temporal server (helper's test/support/temporal-cluster.ts,
// built from the Go module proxy into .tools/) persisting to an embedded PostgreSQL, the
// Sealflow store on a database of that same PostgreSQL, and the contract worker as
// `sealflow worker` builds it (createHub, role worker).
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { loadConfig } from '../../config';
import { validateFlow, type FlowDefinition } from '../../flows';
import { createHub, installTemporalRuntime } from '../../hub';
import { openStore } from '../../store';
import { bundleContractWorkflows } from '../../workflows';
import setupPostgres from '../../test/support/postgres.global';
import { startTemporalCluster } from '../../test/support/temporal-cluster';
import type { BenchHub } from './temporal-hub';

export async function startClusterStack({ flows }: { flows: FlowDefinition[] }): Promise<BenchHub> {
  installTemporalRuntime();
  const cleanups: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error) => console.error(`cleanup: ${(error as Error).message}`));
  };
  try {
    const started = performance.now();
    // The test suite's embedded PostgreSQL, started the way its global setup starts it.
    const provided: Record<string, string> = {};
    const teardown = await setupPostgres({ provide: (key: string, value: string) => void (provided[key] = value) } as never);
    cleanups.push(async () => teardown?.());
    const postgresUrl = provided.postgresUrl;
    const cluster = await startTemporalCluster({ postgresUrl });
    cleanups.push(() => cluster.destroy());
    const temporalMs = performance.now() - started;

    const database = `sealflow_bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`create database ${database}`);
    await admin.end();
    const databaseUrl = Object.assign(new URL(postgresUrl), { pathname: `/${database}` }).toString();
    const store = await openStore({ databaseUrl });
    cleanups.push(() => store.close());
    for (const definition of flows) {
      const checked = validateFlow(definition);
      if (!checked.ok) throw new Error(`bench flow ${definition.key}: ${JSON.stringify(checked.issues)}`);
      await store.flows.create('default', checked.value, 'bench');
      await store.flows.publish('default', definition.key, 'bench');
    }

    const bundlesStarted = performance.now();
    const bundle = await bundleContractWorkflows();
    const bundlesMs = performance.now() - bundlesStarted;
    const taskQueue = `bench-contracts-${randomBytes(4).toString('hex')}`;
    const config = loadConfig({
      TEMPORAL_ADDRESS: cluster.address,
      TEMPORAL_NAMESPACE: cluster.namespace,
      TEMPORAL_TASK_QUEUE: taskQueue,
      DATABASE_URL: databaseUrl,
      SEALFLOW_MASTER_KEY: randomBytes(32).toString('hex'),
      SEALFLOW_PUBLIC_URL: 'http://127.0.0.1:1',
    });
    const hub = await createHub(config, { role: 'worker', store, workflowBundle: bundle, workerShutdownGrace: 0 });
    cleanups.push(() => hub.stop());
    const connection = await Connection.connect({ address: cluster.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: cluster.namespace });
    return {
      address: cluster.address,
      client,
      store,
      sqlitePath: '',
      taskQueue,
      emptyTaskQueue: '',
      starter: hub.contractStarter(client),
      setupMs: { temporal: temporalMs, bundles: bundlesMs },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
