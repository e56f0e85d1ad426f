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
import type { FlowDefinition } from '../../flows';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { exampleFlow, exampleOrder } from '../support/hub';
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
const servers: ReturnType<typeof httpClient>[] = [];

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

const outputs = () => parts.map((p, i) => `--- part ${i + 1}\n${p.output().slice(-3000)}`).join('\n');

async function waitFor(call: ReturnType<typeof httpClient>, id: string, until: (c: any) => boolean, what: string) {
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    const { body } = await call('GET', `/api/contracts/${id}`);
    if (until(body)) return body;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`contract ${id}: ${what} never happened\n${outputs()}`);
}

async function linkFor(call: ReturnType<typeof httpClient>, id: string, signer: string): Promise<string> {
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    const { body } = await call('GET', `/api/outbox?contractId=${id}&to=signer:${signer}`);
    const token = body.items.map((m: any) => /\/sign\/([A-Za-z0-9_-]{20,})/.exec(m.body)?.[1]).find(Boolean);
    if (token) return token;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`contract ${id}: no link for ${signer}`);
}

describe('the production path: real Temporal server on PostgreSQL, two servers, two workers', () => {
  let manager: { token: string };
  let finance: { token: string };
  const order = exampleOrder();
  const ids: string[] = [];

  /** Contract i, started at one server and every later step at the other, through approval and both signatures. */
  async function carry(i: number): Promise<string> {
    const [here, there] = i % 2 === 0 ? servers : [servers[1], servers[0]];
    const response = await here('POST', '/api/contracts', { ...order, sourceKey: `${order.sourceKey}-${i}`, data: { ...order.data, poNumber: `${order.data.poNumber}${i}` } });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    const id: string = response.body.id;
    await waitFor(there, id, (c) => c.steps?.[0]?.status === 'pending', 'first approval step');
    expect((await there('POST', `/api/contracts/${id}/approvals`, { decision: 'approve' }, manager.token)).status).toBe(200);
    await waitFor(here, id, (c) => c.steps?.[1]?.status === 'pending', 'second approval step');
    expect((await here('POST', `/api/contracts/${id}/approvals`, { decision: 'approve' }, finance.token)).status).toBe(200);
    const buyer = await linkFor(there, id, 'buyer');
    expect((await there('POST', `/api/sign/${buyer}`, { read: true }, null)).status).toBe(200);
    const supplier = await linkFor(here, id, 'supplier');
    expect((await here('POST', `/api/sign/${supplier}`, { read: true }, null)).status).toBe(200);
    await waitFor(there, id, (c) => c.status === 'completed', 'completion');
    return id;
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
    const base = exampleFlow();
    // The example flow, its signers by link only (no seal, SMS code or reading rule): the shortest complete path.
    const flow: FlowDefinition = {
      ...base,
      documents: [base.documents![0]],
      signers: base.signers!.map(({ seal: _seal, verify: _verify, mustRead: _mustRead, contact: _contact, ...signer }) => ({ ...signer, documents: ['contract'] })),
    };
    expect((await one('POST', '/api/flows', flow)).status).toBe(201);
    expect((await two('POST', `/api/flows/${flow.key}/publish`)).status).toBe(200);
    manager = (await one('POST', '/api/users', { name: '王经理', roles: ['dept-manager'] })).body;
    finance = (await two('POST', '/api/users', { name: '赵总监', roles: ['finance-director'] })).body;

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
