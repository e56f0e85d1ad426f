// `npm start` as a user runs it: the embedded stack comes up, Ctrl-C stops all of it,
// and the next start finds every contract where it was.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { approvalFlow } from '../support/hub';
import { freePort, httpClient, portOpen, startHubProcess, type HubProcess } from '../support/hub-process';

const dataDir = mkdtempSync(join(tmpdir(), 'sealflow-start-'));
const adminToken = 'e2e-admin-token-0123456789';
let running: HubProcess | undefined;

const ports = { api: await freePort(), temporal: await freePort(), ui: await freePort() };
const call = httpClient(ports.api, adminToken);

async function startHub(): Promise<HubProcess> {
  running = await startHubProcess({ SEALFLOW_DATA_DIR: dataDir, PORT: String(ports.api), TEMPORAL_DEV_PORT: String(ports.temporal), TEMPORAL_DEV_UI_PORT: String(ports.ui), SEALFLOW_ADMIN_TOKEN: adminToken });
  return running;
}

async function waitFor(id: string, until: (c: any) => boolean) {
  for (let i = 0; i < 200; i++) {
    const { body } = await call('GET', `/api/contracts/${id}`);
    if (until(body)) return body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`contract ${id} never reached the expected state`);
}

afterAll(async () => {
  if (running && running.process.exitCode === null) await running.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

it('comes up, stops cleanly on Ctrl-C, and comes back with every contract where it was', { timeout: 300_000 }, async () => {
  const first = await startHub();
  expect(await call('GET', '/healthz')).toEqual({ status: 200, body: { ok: true, temporal: 'up', database: 'up' } });
  expect((await call('POST', '/api/flows', approvalFlow())).status).toBe(201);
  expect((await call('POST', '/api/flows/supplier-purchase/publish')).status).toBe(200);
  const manager = (await call('POST', '/api/users', { name: '王经理', roles: ['dept-manager'] })).body;
  const finance = (await call('POST', '/api/users', { name: '赵总监', roles: ['finance-director'] })).body;
  const started = await call('POST', '/api/contracts', { flow: 'supplier-purchase', sourceKey: '4500000001', data: { poNumber: '4500000001', amount: 250000, supplier: { name: '深圳供应商' } } });
  expect(started.status).toBe(201);
  const id = started.body.id;
  await waitFor(id, (c) => c.steps[0].status === 'pending');
  expect((await call('POST', `/api/contracts/${id}/approvals`, { decision: 'approve' }, manager.token)).status).toBe(200);
  await waitFor(id, (c) => c.steps[1].status === 'pending');

  expect(await first.stop()).toBe(0);
  expect(first.output()).toContain('stopped');
  expect(await portOpen(ports.api)).toBe(false);
  expect(await portOpen(ports.temporal)).toBe(false);

  const second = await startHub();
  const resumed = (await call('GET', `/api/contracts/${id}`)).body;
  expect(resumed).toMatchObject({ status: 'in_approval', currentStep: 1, steps: [{ status: 'approved' }, { status: 'pending' }] });
  // users, tokens and the running workflow all survived: finance's token still works and the workflow takes it
  expect((await call('POST', `/api/contracts/${id}/approvals`, { decision: 'approve' }, finance.token)).status).toBe(200);
  expect((await waitFor(id, (c) => c.status === 'approved')).steps.map((s: any) => s.status)).toEqual(['approved', 'approved']);
  // the same source record still names the same contract
  expect((await call('POST', '/api/contracts', { flow: 'supplier-purchase', sourceKey: '4500000001', data: { poNumber: '4500000001', amount: 250000, supplier: { name: '深圳供应商' } } })).status).toBe(200);
  expect(await second.stop()).toBe(0);
});
