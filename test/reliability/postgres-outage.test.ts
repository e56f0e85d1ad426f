// PostgreSQL stopped in the middle of a run, under two `sealflow server`s and a `sealflow
// worker`: while it is down every answer that needs the database is a 503 (not a 500, not a
// hang) and /healthz says the database is down; once it is back the same processes answer
// again, and a contract caught mid-signing completes: no restart of Sealflow.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { approve, carryThrough, contract, linkOf, setUpFlow, sign, sleep, startContract, waitUntil, type Admin } from './contracts';
import { recordFigures } from './figures';
import { startOwnPostgres, type OwnPostgres } from './own-postgres';
import { partEnvironment, request, startPart, stopAllParts, type Part } from './parts';

/** How long the database stays away. */
const OUTAGE_MS = Number(process.env.PG_OUTAGE_SECONDS ?? 20) * 1000;

const dataDir = mkdtempSync(join(tmpdir(), 'sealflow-pg-outage-'));
let postgres: OwnPostgres;
let servers: Part[];

beforeAll(async () => {
  postgres = await startOwnPostgres();
});
afterAll(async () => {
  await stopAllParts();
  await postgres?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('answers 503 while PostgreSQL is down and recovers when it is back, without a restart', async () => {
  const env = partEnvironment({ temporalAddress: inject('temporalAddress'), databaseUrl: postgres.url, dataDir });
  // The first server migrates the database; the others start on it.
  const first = await startPart('server', env);
  servers = [first, await startPart('server', env)];
  const worker = await startPart('worker', { ...env, publicUrl: first.url });
  const admin: Admin = { url: first.url, token: env.adminToken };
  const manager = await setUpFlow(admin);

  // The whole way works before the outage.
  const before = await carryThrough(admin, manager, 0);
  await waitUntil('the first contract completing', () => contract(admin, before), (c) => c?.status === 'completed');

  // A contract caught by the outage between two signatures.
  const caught = await startContract(admin, 1);
  await approve(admin, manager, caught);
  await sign(admin, caught, 'buyer');
  const supplierLink = await linkOf(admin, caught, 'supplier');

  await postgres.stop();
  const downSince = Date.now();
  const answers: { what: string; status: number; ms: number }[] = [];
  const probes: [string, (server: Part) => Promise<{ status: number; body: any; ms: number }>][] = [
    ['ledger', (s) => request(s.url, 'GET', '/api/contracts', { token: env.adminToken, timeoutMs: 15_000 })],
    ['contract', (s) => request(s.url, 'GET', `/api/contracts/${caught}`, { token: env.adminToken, timeoutMs: 15_000 })],
    ['signer page data', (s) => request(s.url, 'GET', `/api/sign/${supplierLink}`, { timeoutMs: 15_000 })],
    ['start', (s) => request(s.url, 'POST', '/api/contracts', { body: { flow: 'reliability-three-signers', data: {} }, token: env.adminToken, timeoutMs: 15_000 })],
  ];
  let healthDown = 0;
  while (Date.now() - downSince < OUTAGE_MS) {
    for (const server of servers) {
      for (const [what, probe] of probes) {
        const answer = await probe(server).catch((error) => ({ status: -1, body: String(error), ms: 15_000 }));
        answers.push({ what, status: answer.status, ms: answer.ms });
      }
      const health = await request(server.url, 'GET', '/healthz', { timeoutMs: 15_000 });
      expect(health.status).toBe(503);
      expect(health.body.database).toBe('down');
      healthDown += 1;
    }
    const workerHealth = await request(worker.url, 'GET', '/healthz', { timeoutMs: 15_000 }).catch(() => null);
    if (workerHealth) expect(workerHealth.status).toBe(503);
    await sleep(500);
  }
  const downSeconds = (Date.now() - downSince) / 1000;

  await postgres.start();
  const upSince = Date.now();
  for (const server of servers) {
    await waitUntil('the ledger answering again', () => request(server.url, 'GET', '/api/contracts', { token: env.adminToken, timeoutMs: 15_000 }), (r) => r.status === 200, 60_000);
  }
  const recoverySeconds = (Date.now() - upSince) / 1000;

  // The same processes carry the caught contract to its end, and a new one all the way.
  await sign(admin, caught, 'supplier');
  await sign(admin, caught, 'guarantor');
  await waitUntil('the caught contract completing', () => contract(admin, caught), (c) => c?.status === 'completed', 180_000);
  const after = await carryThrough(admin, manager, 2);
  await waitUntil('a contract after the outage completing', () => contract(admin, after), (c) => c?.status === 'completed', 180_000);
  expect(servers.every((s) => s.alive()) && worker.alive()).toBe(true);

  const byStatus = answers.reduce<Record<string, number>>((n, a) => ((n[a.status] = (n[a.status] ?? 0) + 1), n), {});
  recordFigures('postgres outage', {
    'seconds down': Math.round(downSeconds),
    'answers while down': answers.length,
    'of them 503': byStatus[503] ?? 0,
    'other statuses': Object.entries(byStatus).filter(([s]) => s !== '503').map(([s, n]) => `${s}×${n}`).join(' ') || 'none',
    'slowest answer while down (ms)': Math.round(Math.max(...answers.map((a) => a.ms))),
    '/healthz 503 (database down)': healthDown,
    'seconds to recover after start': Number(recoverySeconds.toFixed(1)),
    'restarts of Sealflow': 0,
  });
  expect(answers.length).toBeGreaterThan(8);
  expect(answers.filter((a) => a.status !== 503), JSON.stringify(byStatus)).toEqual([]);
  expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(10_000);
  expect(recoverySeconds).toBeLessThan(30);
});
