// The production path, for real: the Temporal server itself (built from go.temporal.io/server, not the dev
// server) persisting to PostgreSQL, two Sealflow servers and two workers as separate processes
// (`sealflow server` / `sealflow worker`, run as docker-compose.yml runs them), Sealflow's own database
// on the same PostgreSQL. Contracts are started, approved and signed at alternating servers, complete,
// and read the same from both.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { carryContract, publishLinkOnlyFlow, type Approvers, type Call, type Patience } from '../support/contract-by-process';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { exampleOrder } from '../support/hub';
import { freePort, httpClient, startPartProcess, type HubProcess } from '../support/hub-process';
import { startTemporalCluster, type TemporalCluster } from '../support/temporal-cluster';

const adminToken = `cluster-admin-${randomBytes(8).toString('hex')}`;
const taskQueue = `cluster-${randomBytes(4).toString('hex')}`;
const dataDir = mkdtempSync(join(tmpdir(), 'sealflow-cluster-'));
const CONTRACTS = 4;

const parts: HubProcess[] = [];
let cluster: TemporalCluster | undefined;
let database: TestDatabase | undefined;
const serverPorts: number[] = [];
const workerPorts: number[] = [];
const servers: Call[] = [];

beforeAll(async () => {
  // npm test builds the server first (scripts/setup-temporal-server.mjs); without .tools/ this builds it.
  cluster = await startTemporalCluster({ postgresUrl: inject('postgresUrl') });
  database = await createTestDatabase('postgres', { migrated: true });
  // What a deployment's environment holds: the same for every part, except each one's port.
  const env = {
    TEMPORAL_ADDRESS: cluster.address,
    TEMPORAL_NAMESPACE: cluster.namespace,
    TEMPORAL_TASK_QUEUE: taskQueue,
    DATABASE_URL: database.options.databaseUrl!,
    SEALFLOW_ADMIN_TOKEN: adminToken,
    SEALFLOW_MASTER_KEY: randomBytes(32).toString('hex'),
    SEALFLOW_DATA_DIR: dataDir,
  };
  serverPorts.push(await freePort(), await freePort());
  const server = (port: number) => startPartProcess('server', { ...env, PORT: String(port), SEALFLOW_PUBLIC_URL: `http://127.0.0.1:${port}` }).then((part) => (parts.push(part), part));
  // Each worker's health port also serves its metrics, the Temporal SDK's included (as docker-compose.yml sets them).
  const worker = async () => {
    const healthPort = await freePort();
    workerPorts.push(healthPort);
    const part = await startPartProcess('worker', { ...env, SEALFLOW_HEALTH_PORT: String(healthPort), SEALFLOW_TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${await freePort()}` });
    parts.push(part);
    return part;
  };
  // All at once on the empty database, as `docker compose up --scale server=2 --scale worker=2` starts them:
  // one makes the hub's keys, the others wait for them and read them.
  await Promise.all([server(serverPorts[0]), server(serverPorts[1]), worker(), worker()]);
  servers.push(...serverPorts.map((port) => httpClient(port, adminToken)));
}, 900_000);

afterAll(async () => {
  await Promise.all(parts.map((part) => part.stop().catch(() => part.kill())));
  await database?.drop().catch(() => {});
  await cluster?.destroy();
  rmSync(dataDir, { recursive: true, force: true });
}, 120_000);

/** A contract's wait may take long on a loaded machine; a timeout shows what each part said. */
const patience: Patience = { timeoutMs: 240_000, detail: () => parts.map((p, i) => `--- part ${i + 1}\n${p.output().slice(-3000)}`).join('\n') };

describe('the production path: real Temporal server on PostgreSQL, two servers, two workers', () => {
  let approvers: Approvers;
  const order = exampleOrder();
  const ids: string[] = [];

  /** Contract i, started at one server and every later step at the other, through approval and both signatures. */
  function carry(i: number): Promise<string> {
    const [one, two] = servers;
    return carryContract(i % 2 === 0 ? [one, two] : [two, one], { ...order, sourceKey: `${order.sourceKey}-${i}`, data: { ...order.data, poNumber: `${order.data.poNumber}${i}` } }, approvers, patience);
  }

  /** What the Temporal server itself holds: completed executions on this task queue, and the workers that ran them. */
  async function temporalRecord(): Promise<{ completed: string[]; workers: Set<string> }> {
    const connection = await Connection.connect({ address: cluster!.address });
    try {
      const client = new Client({ connection, namespace: cluster!.namespace });
      const completed: string[] = [];
      for await (const execution of client.workflow.list({ query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Completed'` })) completed.push(execution.workflowId);
      const workers = new Set<string>();
      for (const workflowId of completed) {
        const history = await client.workflow.getHandle(workflowId).fetchHistory();
        for (const event of history.events ?? []) {
          const identity = event.activityTaskStartedEventAttributes?.identity ?? event.workflowTaskStartedEventAttributes?.identity;
          if (identity) workers.add(identity);
        }
      }
      return { completed, workers };
    } finally {
      await connection.close();
    }
  }

  /** The record once at least `count` executions are listed completed: an execution closes just after its
   *  contract reads completed, and the visibility store follows the close. */
  async function recordOnceCompleted(count: number): Promise<{ completed: string[]; workers: Set<string> }> {
    let record = await temporalRecord();
    for (const deadline = Date.now() + 60_000; record.completed.length < count && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 500));
      record = await temporalRecord();
    }
    return record;
  }

  it(`carries ${CONTRACTS} contracts through approval and signing across both servers, and both read them the same`, { timeout: 600_000 }, async () => {
    const [one, two] = servers;
    approvers = await publishLinkOnlyFlow(one, two);

    const started = Date.now();
    ids.push(...(await Promise.all(Array.from({ length: CONTRACTS }, (_, i) => carry(i)))));
    console.log(`[cluster] ${CONTRACTS} contracts through approval and two signatures in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // Both servers read every contract the same: completed, both signatures, the same signed document.
    for (const id of ids) {
      const [a, b] = [(await one('GET', `/api/contracts/${id}`)).body, (await two('GET', `/api/contracts/${id}`)).body];
      expect(a.status).toBe('completed');
      expect(a.documents[0].signedBy).toEqual(['buyer', 'supplier']);
      expect(b).toEqual(a);
      const pdfs = await Promise.all(serverPorts.map((port) =>
        fetch(`http://127.0.0.1:${port}/api/contracts/${id}/documents/contract.pdf`, { headers: { authorization: `Bearer ${adminToken}` } }).then(async (r) => {
          expect(r.status).toBe(200);
          return Buffer.from(await r.arrayBuffer());
        }),
      ));
      expect(pdfs[0].equals(pdfs[1])).toBe(true);
    }
    const listed = await Promise.all(servers.map(async (call) => (await call('GET', '/api/contracts?status=completed')).body.items.map((c: any) => c.id).sort()));
    expect(listed[0]).toEqual([...ids].sort());
    expect(listed[1]).toEqual(listed[0]);

    // The server's visibility store (on PostgreSQL) lists them completed, and both workers did part of the work.
    const record = await recordOnceCompleted(CONTRACTS);
    expect(record.completed).toHaveLength(CONTRACTS);
    expect(record.workers.size, `worker identities seen: ${[...record.workers].join(', ')}`).toBe(2);

    // What an operator scrapes from the workers: together they counted every signature, and the SDK's metrics are there.
    const scraped = await Promise.all(workerPorts.map((port) => fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text())));
    const signatures = scraped.map((text) => Number(/^sealflow_signatures_total (\d+)/m.exec(text)?.[1] ?? 0));
    expect(signatures.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2 * CONTRACTS);
    for (const text of scraped) expect(text).toMatch(/^temporal_\w+/m);
  });

  it('keeps every history across a restart of the Temporal server (its state is in PostgreSQL), and the next contract completes', { timeout: 600_000 }, async () => {
    expect(ids).toHaveLength(CONTRACTS);
    const before = await recordOnceCompleted(CONTRACTS);
    await cluster!.stop();
    await cluster!.start();
    const after = await temporalRecord();
    expect(after.completed.sort()).toEqual(before.completed.sort());
    // The servers and workers were not restarted: they reconnect by themselves.
    const next = await carry(CONTRACTS);
    for (const call of servers) expect((await call('GET', `/api/contracts/${next}`)).body.status).toBe('completed');
    expect((await recordOnceCompleted(CONTRACTS + 1)).completed).toHaveLength(CONTRACTS + 1);
  });
});
