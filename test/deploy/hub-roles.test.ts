// The hub as its parts, the production shape: two `sealflow server` and one `sealflow worker`
// (bin/sealflow.mjs, as docker-compose.yml runs them), each its own process group, over one
// PostgreSQL database and the shared Temporal server (its own task queue). A contract started
// at one server is approved at the other and signed by link; with the worker killed the servers
// still answer health and the ledger; the worker started again finishes the work, which both
// servers read back and verify under the one CA the parts, started at once, agreed on.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, inject, it } from 'vitest';
import { approve, approveStep, contractWhen, pdfsigReport, publishLinkOnlyFlow, signByLink } from '../support/contract-by-process';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { exampleOrder } from '../support/hub';
import { freePort, httpClient, portOpen, startPartProcess, type HubProcess } from '../support/hub-process';

const root = new URL('../..', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'sealflow-roles-'));
const adminToken = `roles-admin-${randomBytes(8).toString('hex')}`;
const ports = { one: await freePort(), two: await freePort(), health: await freePort() };
const one = httpClient(ports.one, adminToken);
const two = httpClient(ports.two, adminToken);
const running: HubProcess[] = [];
let database: TestDatabase | undefined;

afterAll(async () => {
  for (const part of running) if (part.process.exitCode === null) await part.kill();
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

const health = async () => {
  const response = await fetch(`http://127.0.0.1:${ports.health}/healthz`).catch(() => null);
  return response ? { status: response.status, body: await response.json() } : null;
};

it('runs a contract across two servers and a worker, and the worker killed and started again finishes it', { timeout: 480_000 }, async () => {
  database = await createTestDatabase('postgres', { migrated: true });
  // What a deployment's environment holds: the same for every part, except each one's port.
  const env = {
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `roles-${randomBytes(4).toString('hex')}`,
    DATABASE_URL: database.options.databaseUrl!,
    SEALFLOW_MASTER_KEY: randomBytes(32).toString('hex'),
    SEALFLOW_ADMIN_TOKEN: adminToken,
    SEALFLOW_PUBLIC_URL: `http://127.0.0.1:${ports.one}`,
    SEALFLOW_DATA_DIR: dataDir,
  };
  const server = async (port: number) => {
    const part = await startPartProcess('server', { ...env, PORT: String(port) });
    running.push(part);
    return part;
  };
  const worker = async () => {
    const part = await startPartProcess('worker', { ...env, SEALFLOW_HEALTH_PORT: String(ports.health) });
    running.push(part);
    return part;
  };

  // All at once, as compose starts them: one part makes the platform's keys, the others find them.
  const [serverOne, serverTwo, firstWorker] = await Promise.all([server(ports.one), server(ports.two), worker()]);
  expect(serverOne.output()).not.toContain('bundling workflows');
  for (const call of [one, two]) expect(await call('GET', '/healthz')).toEqual({ status: 200, body: { ok: true, temporal: 'up', database: 'up' } });
  expect(await health()).toEqual({ status: 200, body: { ok: true, worker: 'RUNNING', temporal: 'up', database: 'up' } });
  // The worker's port is a health probe, not the API.
  expect((await fetch(`http://127.0.0.1:${ports.health}/api/contracts`)).status).toBe(404);

  const { manager, finance } = await publishLinkOnlyFlow(one, two);

  // A source key of this run's own: parts have no id scope, and other tests' hubs share this Temporal namespace.
  const started = await one('POST', '/api/contracts', { ...exampleOrder(), sourceKey: `roles-${randomBytes(4).toString('hex')}` });
  expect(started.status).toBe(201);
  const id: string = started.body.id;
  await approveStep(two, id, 0, manager);
  await contractWhen(one, id, (c) => c.steps?.[1]?.status === 'pending', 'the second approval step at server 1');

  // The worker dies (kill -9): the servers go on answering health and the ledger from the database.
  await firstWorker.kill();
  expect(await health()).toBeNull();
  for (const call of [one, two]) {
    expect(await call('GET', '/healthz')).toEqual({ status: 200, body: { ok: true, temporal: 'up', database: 'up' } });
    const ledger = await call('GET', '/api/contracts');
    expect(ledger.status).toBe(200);
    expect(ledger.body.items.find((c: any) => c.id === id)).toMatchObject({ status: 'in_approval' });
  }

  const secondWorker = await worker();
  expect((await health())?.status).toBe(200);
  await approve(one, id, finance);

  // Each signer's link, from the outbox (the same database behind both servers), signs at either server.
  await signByLink(two, id, 'buyer');
  await signByLink(one, id, 'supplier');

  const done = await contractWhen(two, id, (c) => c.status === 'completed', 'completed at server 2');
  expect(done.documents[0].signedBy).toEqual(['buyer', 'supplier']);
  expect((await one('GET', `/api/contracts/${id}`)).body).toMatchObject({ status: 'completed', documents: [{ signedBy: ['buyer', 'supplier'] }] });

  // Exactly one valid signature per signer in the PDF server 1 hands out.
  const pdf = await fetch(`http://127.0.0.1:${ports.one}/api/contracts/${id}/documents/contract.pdf`, { headers: { authorization: `Bearer ${adminToken}` } });
  expect(pdf.status).toBe(200);
  const signed = Buffer.from(await pdf.arrayBuffer());
  expect(pdfsigReport(signed, dataDir).fields.filter((f) => f.startsWith('sealflow-'))).toEqual(['sealflow-buyer', 'sealflow-supplier']);
  // Both servers trust the root the worker's certificates chain to: there is one CA, not one per process.
  for (const port of [ports.one, ports.two]) {
    const verified = await fetch(`http://127.0.0.1:${port}/api/verify`, { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: signed });
    expect(verified.status).toBe(200);
    expect(((await verified.json()) as { valid: boolean }).valid).toBe(true);
  }

  // SIGTERM, as compose sends it: each part stops cleanly, and its port closes.
  for (const part of [secondWorker, serverTwo, serverOne]) {
    expect(await part.stop()).toBe(0);
    expect(part.output()).toContain('stopped');
  }
  expect(await portOpen(ports.one)).toBe(false);
  expect(await portOpen(ports.two)).toBe(false);
  expect(await portOpen(ports.health)).toBe(false);
});

it('refuses to start a part without TEMPORAL_ADDRESS or SEALFLOW_MASTER_KEY, naming the setting (it never starts a dev server)', async () => {
  const run = (role: string, env: Record<string, string>) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const { TEMPORAL_ADDRESS: _a, SEALFLOW_MASTER_KEY: _k, DATABASE_URL: _d, ...rest } = process.env;
      const child = execFile(process.execPath, [join(root, 'bin/sealflow.mjs'), role], { cwd: root, env: { ...rest, SEALFLOW_DATA_DIR: dataDir, ...env }, timeout: 60_000 }, (_error, _stdout, stderr) => resolve({ code: child.exitCode, stderr }));
    });
  const noAddress = await run('server', { SEALFLOW_MASTER_KEY: 'ab'.repeat(32) });
  expect(noAddress.code).toBe(1);
  expect(noAddress.stderr).toContain('TEMPORAL_ADDRESS: must be set');
  const noKey = await run('worker', { TEMPORAL_ADDRESS: inject('temporalAddress') });
  expect(noKey.code).toBe(1);
  expect(noKey.stderr).toContain('SEALFLOW_MASTER_KEY: must be set');
});
