// The hub as its parts, the production shape: two `sealflow server` and one `sealflow worker`
// (bin/sealflow.mjs, as docker-compose.yml runs them), each its own process group, over one
// PostgreSQL database and the shared Temporal server (its own task queue). A contract started
// at one server is approved at the other and signed by link; with the worker killed the servers
// still answer health and the ledger; the worker started again finishes the work, which both
// servers read back and verify under the one CA the parts, started at once, agreed on.
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, inject, it } from 'vitest';
import type { FlowDefinition } from '../../flows';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { exampleFlow, exampleOrder } from '../support/hub';
import { freePort, httpClient, portOpen, startPartProcess, type HubProcess } from '../support/hub-process';
import { linkIn } from '../support/signing';

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

async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} never happened; last: ${JSON.stringify(last)}`);
}

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

  const base = exampleFlow();
  const flow: FlowDefinition = {
    ...base,
    documents: [base.documents![0]],
    signers: base.signers!.map(({ seal: _seal, verify: _verify, mustRead: _mustRead, contact: _contact, ...signer }) => ({ ...signer, documents: ['contract'] })),
  };
  expect((await one('POST', '/api/flows', flow)).status).toBe(201);
  expect((await one('POST', `/api/flows/${flow.key}/publish`)).status).toBe(200);
  const manager = (await one('POST', '/api/users', { name: '王经理', roles: ['dept-manager'] })).body;
  const finance = (await two('POST', '/api/users', { name: '赵总监', roles: ['finance-director'] })).body;

  // A source key of this run's own: parts have no id scope, and other tests' hubs share this Temporal namespace.
  const started = await one('POST', '/api/contracts', { ...exampleOrder(), sourceKey: `roles-${randomBytes(4).toString('hex')}` });
  expect(started.status).toBe(201);
  const id: string = started.body.id;
  const contractAt = (call: typeof one) => async () => (await call('GET', `/api/contracts/${id}`)).body;
  await until('the first approval step at server 2', contractAt(two), (c) => c.steps?.[0]?.status === 'pending');
  expect((await two('POST', `/api/contracts/${id}/approvals`, { decision: 'approve' }, manager.token)).status).toBe(200);
  await until('the second approval step at server 1', contractAt(one), (c) => c.steps?.[1]?.status === 'pending');

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
  expect((await one('POST', `/api/contracts/${id}/approvals`, { decision: 'approve' }, finance.token)).status).toBe(200);

  // Each signer's link, from the outbox (the same database behind both servers), signs at either server.
  const linkOf = (signer: string, call: typeof one) =>
    until(`${signer}'s link`, async () => (await call('GET', `/api/outbox?contractId=${id}&to=signer:${signer}`)).body.items.map((m: any) => linkIn(m.body)).find(Boolean) as string | undefined, Boolean);
  const buyer = (await linkOf('buyer', two))!;
  expect((await two('POST', `/api/sign/${buyer}`, { read: true }, null)).status).toBe(200);
  const supplier = (await linkOf('supplier', one))!;
  expect((await one('POST', `/api/sign/${supplier}`, { read: true }, null)).status).toBe(200);

  const done = await until('completion at server 2', contractAt(two), (c) => c.status === 'completed');
  expect(done.documents[0].signedBy).toEqual(['buyer', 'supplier']);
  expect(await contractAt(one)()).toMatchObject({ status: 'completed', documents: [{ signedBy: ['buyer', 'supplier'] }] });

  // Exactly one valid signature per signer in the PDF server 1 hands out.
  const pdf = await fetch(`http://127.0.0.1:${ports.one}/api/contracts/${id}/documents/contract.pdf`, { headers: { authorization: `Bearer ${adminToken}` } });
  expect(pdf.status).toBe(200);
  const file = join(dataDir, 'signed.pdf');
  writeFileSync(file, Buffer.from(await pdf.arrayBuffer()));
  let report = '';
  try {
    report = execFileSync('pdfsig', ['-nocert', file], { encoding: 'utf8' });
  } catch (error) {
    report = String((error as { stdout?: string }).stdout);
  }
  const fields = [...report.matchAll(/Signature Field Name: (\S+)/g)].map((m) => m[1]);
  expect(fields.filter((f) => f.startsWith('sealflow-'))).toEqual(['sealflow-buyer', 'sealflow-supplier']);
  // Both servers trust the root the worker's certificates chain to: there is one CA, not one per process.
  for (const port of [ports.one, ports.two]) {
    const verified = await fetch(`http://127.0.0.1:${port}/api/verify`, { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: readFileSync(file) });
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
