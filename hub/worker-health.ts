// A worker-only process serves no API. For compose and orchestrators it can still answer
// GET /healthz on a port of its own (SEALFLOW_HEALTH_PORT): 200 while the worker runs and
// Temporal and the database answer, 503 otherwise — the same body shape the server's /healthz has.
import { createServer, type Server } from 'node:http';
import type { NativeConnection, Worker } from '@temporalio/worker';
import type { Store } from '../store';

const within = <T>(ms: number, promise: Promise<T>) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);

export interface WorkerHealth {
  ok: boolean;
  worker: string;
  temporal: 'up' | 'down';
  database: 'up' | 'down';
}

export async function checkWorkerHealth({ worker, connection, namespace, store }: { worker: Worker; connection: NativeConnection; namespace: string; store: Store }): Promise<WorkerHealth> {
  const [temporal, database] = await Promise.all([
    within(3000, connection.workflowService.describeNamespace({ namespace })).then(() => 'up' as const, () => 'down' as const),
    within(3000, store.ping()).then(() => 'up' as const, () => 'down' as const),
  ]);
  const state = worker.getState();
  return { ok: state === 'RUNNING' && temporal === 'up' && database === 'up', worker: state, temporal, database };
}

/** Listens on `port` (all interfaces, as a container's probe needs) until closed. */
export async function serveWorkerHealth(port: number, check: () => Promise<WorkerHealth>): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/healthz') {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not_found', message: 'this port answers GET /healthz only' }));
      return;
    }
    check().then(
      (health) => response.writeHead(health.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(health)),
      () => response.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false })),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
  return server;
}
