// kill -9 of the whole hub (worker, server) between two signers' signatures: after the
// restart the contract completes with exactly one signature per signer.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, inject, it } from 'vitest';
import type { FlowDefinition } from '../../flows';
import { exampleFlow, exampleOrder } from '../support/hub';
import { freePort, httpClient, portOpen, startHubProcess, type HubProcess } from '../support/hub-process';

const dataDir = mkdtempSync(join(tmpdir(), 'sealflow-crash-'));
const adminToken = 'crash-admin-token-0123456789';
const port = await freePort();
const call = httpClient(port, adminToken);
let running: HubProcess | undefined;

// The shared test Temporal server plays the cluster that outlives the hub process.
const start = async () =>
  (running = await startHubProcess({
    SEALFLOW_DATA_DIR: dataDir,
    PORT: String(port),
    SEALFLOW_ADMIN_TOKEN: adminToken,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `crash-${port}`,
  }));

async function waitFor(id: string, until: (c: any) => boolean, what: string) {
  for (let i = 0; i < 900; i++) {
    const { body } = await call('GET', `/api/contracts/${id}`);
    if (until(body)) return body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`contract ${id}: ${what} never happened`);
}

// After a real kill -9, an activity the dead worker had started is retried only once its
// start-to-close timeout (1 minute for invitations) has passed: wait longer than that.
async function linkFor(id: string, signer: string): Promise<string> {
  for (let i = 0; i < 900; i++) {
    const { body } = await call('GET', `/api/outbox?contractId=${id}&to=signer:${signer}`);
    const token = body.items.map((m: any) => /\/sign\/([A-Za-z0-9_-]{20,})/.exec(m.body)?.[1]).find(Boolean);
    if (token) return token;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no link for ${signer}`);
}

afterAll(async () => {
  if (running && running.process.exitCode === null) await running.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

it('survives kill -9 between two signatures with exactly one signature per signer', { timeout: 300_000 }, async () => {
  const base = exampleFlow();
  const flow: FlowDefinition = {
    ...base,
    documents: [base.documents![0]],
    signers: base.signers!.map(({ seal: _seal, verify: _verify, mustRead: _mustRead, contact: _contact, ...signer }) => ({ ...signer, documents: ['contract'] })),
  };
  const order = exampleOrder();
  await start();
  expect((await call('POST', '/api/flows', flow)).status).toBe(201);
  await call('POST', '/api/flows/supplier-purchase/publish');
  const manager = (await call('POST', '/api/users', { name: '王经理', roles: ['dept-manager'] })).body;
  const finance = (await call('POST', '/api/users', { name: '赵总监', roles: ['finance-director'] })).body;
  const id = (await call('POST', '/api/contracts', order)).body.id;
  await waitFor(id, (c) => c.steps[0].status === 'pending', 'approval');
  await call('POST', `/api/contracts/${id}/approvals`, { decision: 'approve' }, manager.token);
  await waitFor(id, (c) => c.steps[1].status === 'pending', 'second step');
  await call('POST', `/api/contracts/${id}/approvals`, { decision: 'approve' }, finance.token);

  const buyer = await linkFor(id, 'buyer');
  expect((await call('POST', `/api/sign/${buyer}`, { read: true }, null)).status).toBe(200);
  await running!.kill();
  // Really gone: no process of the old hub is left to answer (tsx's child once outlived a kill -9 of tsx).
  expect(await portOpen(port)).toBe(false);

  await start();
  // the buyer's link, reused after the crash, signs nothing twice
  expect((await call('POST', `/api/sign/${buyer}`, { read: true }, null)).status).toBe(409);
  const supplier = await linkFor(id, 'supplier');
  expect((await call('POST', `/api/sign/${supplier}`, { read: true }, null)).status).toBe(200);
  const done = await waitFor(id, (c) => c.status === 'completed', 'completion');
  expect(done.documents[0].signedBy).toEqual(['buyer', 'supplier']);

  const pdf = await fetch(`http://127.0.0.1:${port}/api/contracts/${id}/documents/contract.pdf`, { headers: { authorization: `Bearer ${adminToken}` } });
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
  expect(report.match(/Signature is Valid/g)).toHaveLength(2);
  await running!.stop();
});
