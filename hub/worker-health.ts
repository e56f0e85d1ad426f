// A worker-only process serves no API. For compose and orchestrators it can still answer
// GET /healthz on a port of its own (SEALFLOW_HEALTH_PORT): 200 while the worker runs and
// Temporal and the database answer, 503 otherwise — the same body shape the server's /healthz has.
import { createServer, type Server } from 'node:http';
import type { NativeConnection, Worker } from '@temporalio/worker';
import type { HubMetrics } from '../observability';
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

/**
 * Listens on `port` (all interfaces, as a container's probe needs) until closed. With `metrics`
 * it also answers GET /metrics: the worker's stage durations, signatures, connector errors and
 * the Temporal SDK's metrics. No contract counts (the server's /metrics has those): this port is
 * for the internal network, like the probe.
 */
export async function serveWorkerHealth(port: number, check: () => Promise<WorkerHealth>, metrics?: HubMetrics): Promise<Server> {
  const server = createServer((request, response) => {
    if (metrics && request.method === 'GET' && request.url === '/metrics') {
      metrics.scrape().then(
        ({ contentType, text }) => response.writeHead(200, { 'content-type': contentType }).end(text),
        () => response.writeHead(503).end(),
      );
      return;
    }
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
