// kill -9 of the whole hub (worker, server) between two signers' signatures: after the
// restart the contract completes with exactly one signature per signer.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, inject, it } from 'vitest';
import { approveStep, contractWhen, pdfsigReport, publishLinkOnlyFlow, signByLink } from '../support/contract-by-process';
import { exampleOrder } from '../support/hub';
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

afterAll(async () => {
  if (running && running.process.exitCode === null) await running.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

it('survives kill -9 between two signatures with exactly one signature per signer', { timeout: 300_000 }, async () => {
  await start();
  const { manager, finance } = await publishLinkOnlyFlow(call);
  const started = await call('POST', '/api/contracts', exampleOrder());
  expect(started.status).toBe(201);
  const id: string = started.body.id;
  await approveStep(call, id, 0, manager);
  await approveStep(call, id, 1, finance);

  const buyer = await signByLink(call, id, 'buyer');
  await running!.kill();
  // Really gone: no process of the old hub is left to answer (tsx's child once outlived a kill -9 of tsx).
  expect(await portOpen(port)).toBe(false);

  await start();
  // the buyer's link, reused after the crash, signs nothing twice
  expect((await call('POST', `/api/sign/${buyer}`, { read: true }, null)).status).toBe(409);
  await signByLink(call, id, 'supplier');
  const done = await contractWhen(call, id, (c) => c.status === 'completed', 'completed');
  expect(done.documents[0].signedBy).toEqual(['buyer', 'supplier']);

  const pdf = await fetch(`http://127.0.0.1:${port}/api/contracts/${id}/documents/contract.pdf`, { headers: { authorization: `Bearer ${adminToken}` } });
  const report = pdfsigReport(Buffer.from(await pdf.arrayBuffer()), dataDir);
  expect(report.fields.filter((f) => f.startsWith('sealflow-'))).toEqual(['sealflow-buyer', 'sealflow-supplier']);
  expect(report.valid).toBe(2);
  await running!.stop();
});
