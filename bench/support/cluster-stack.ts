// The production shape for benchmarks: the real Temporal server (helper's test/support/temporal-cluster.ts,
// built from the Go module proxy into .tools/) persisting to an embedded PostgreSQL, the
// Sealflow store on a database of that same PostgreSQL, and the contract worker as
// `sealflow worker` builds it (createHub, role worker).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { FlowDefinition } from '../../flows';
import { closer, installTemporalRuntime } from '../../hub';
import { openStore } from '../../store';
import { bundleContractWorkflows } from '../../workflows';
import setupPostgres from '../../test/support/postgres.global';
import { startTemporalCluster } from '../../test/support/temporal-cluster';
import { startContractWorker } from './contract-worker';
import type { BenchHub } from './temporal-hub';

export async function startClusterStack({ flows }: { flows: FlowDefinition[] }): Promise<BenchHub> {
  installTemporalRuntime();
  const teardown = closer();
  try {
    const started = performance.now();
    // The test suite's embedded PostgreSQL, started the way its global setup starts it.
    const provided: Record<string, string> = {};
    const stopPostgres = await setupPostgres({ provide: (key: string, value: string) => void (provided[key] = value) } as never);
    teardown.push(async () => stopPostgres?.());
    const postgresUrl = provided.postgresUrl!;
    const cluster = await startTemporalCluster({ postgresUrl });
    teardown.push(() => cluster.destroy());
    const temporalMs = performance.now() - started;

    const database = `sealflow_bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`create database ${database}`);
    await admin.end();
    const databaseUrl = Object.assign(new URL(postgresUrl), { pathname: `/${database}` }).toString();
    const store = await openStore({ databaseUrl });
    teardown.push(() => store.close());

    const bundlesStarted = performance.now();
    const bundle = await bundleContractWorkflows();
    const bundlesMs = performance.now() - bundlesStarted;
    const { client, starter, taskQueue } = await startContractWorker({
      temporalAddress: cluster.address,
      namespace: cluster.namespace,
      store,
      flows,
      bundle,
      env: { DATABASE_URL: databaseUrl },
      teardown,
    });
    return {
      address: cluster.address,
      client,
      store,
      sqlitePath: '',
      taskQueue,
      emptyTaskQueue: '',
      starter,
      setupMs: { temporal: temporalMs, bundles: bundlesMs },
      // A step that fails on the way out (the cluster's processes) is reported, not thrown: the figures are printed by then.
      close: () => teardown.stop().catch((failure) => console.error(`cleanup: ${(failure as Error).message}`)),
    };
  } catch (error) {
    await teardown.stop().catch((failure) => console.error(`cleanup: ${(failure as Error).message}`));
    throw error;
  }
}
