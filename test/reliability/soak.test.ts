// A soak of steady load on loopback: a `sealflow server` and a `sealflow worker` carry a
// contract through approval and three signatures every few seconds while a business user
// reads the ledger ten times a second, for SOAK_SECONDS (default 600). The resident memory of
// both processes stays flat (the last fifth of the run against the second fifth, after
// warm-up) and the ledger list answers within 100 ms at the 99th percentile.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { carryThrough, setUpFlow, sleep, type Admin } from './contracts';
import { recordFigures } from './figures';
import { partEnvironment, request, startPart, stopAllParts } from './parts';

const SOAK_MS = Number(process.env.SOAK_SECONDS ?? 600) * 1000;
/** One contract started every … (each then takes its own way through approval and signing). */
const CONTRACT_EVERY_MS = 2_000;
const LEDGER_EVERY_MS = 100;
/** The bound; measured at the client, so a machine busy with other work shows here first (see the load figure). */
const P99_BOUND_MS = Number(process.env.SOAK_P99_MS ?? 100);

const dataDir = mkdtempSync(join(tmpdir(), 'sealflow-soak-'));
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('postgres');
});
afterAll(async () => {
  await stopAllParts();
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const median = (values: number[]) => percentile(values, 50);

it(`keeps memory flat and the ledger fast under ${SOAK_MS / 1000} s of steady load`, { timeout: SOAK_MS + 600_000 }, async () => {
  const env = partEnvironment({ temporalAddress: inject('temporalAddress'), databaseUrl: database.options.databaseUrl!, dataDir });
  const server = await startPart('server', env);
  const worker = await startPart('worker', { ...env, publicUrl: server.url });
  const admin: Admin = { url: server.url, token: env.adminToken };
  const manager = await setUpFlow(admin);
  const reader = (await request(admin.url, 'POST', '/api/users', { body: { name: '李业务', roles: ['business-user'] }, token: admin.token })).body.token;

  const loadAtStart = loadavg()[0];
  const started = Date.now();
  const running = () => Date.now() - started < SOAK_MS;
  const contracts: Promise<unknown>[] = [];
  const failures: string[] = [];
  let n = 0;
  const starting = (async () => {
    while (running()) {
      const k = n++;
      contracts.push(carryThrough(admin, manager, k, 300_000).catch((error) => failures.push(`#${k}: ${(error as Error).message}`)));
      await sleep(CONTRACT_EVERY_MS);
    }
  })();
  const ledgerMs: number[] = [];
  const ledgerErrors: number[] = [];
  const reading = (async () => {
    while (running()) {
      const begun = Date.now();
      const answer = await request(admin.url, 'GET', '/api/contracts', { token: reader });
      if (answer.status === 200) ledgerMs.push(answer.ms);
      else ledgerErrors.push(answer.status);
      await sleep(Math.max(0, LEDGER_EVERY_MS - (Date.now() - begun)));
    }
  })();
  const samples: { at: number; server: number; worker: number }[] = [];
  while (running()) {
    samples.push({ at: Date.now() - started, server: server.rssMiB(), worker: worker.rssMiB() });
    await sleep(5_000);
  }
  await Promise.all([starting, reading]);
  await Promise.all(contracts);
  expect(failures).toEqual([]);

  // Warm-up is the first fifth (JIT, caches, the pool filling); compare the second fifth with the last.
  const fifth = (i: number) => samples.filter((s) => s.at >= (i * SOAK_MS) / 5 && s.at < ((i + 1) * SOAK_MS) / 5);
  const early = fifth(1);
  const late = fifth(4);
  const memory = (part: 'server' | 'worker') => ({ early: median(early.map((s) => s[part])), late: median(late.map((s) => s[part])) });
  const serverMemory = memory('server');
  const workerMemory = memory('worker');
  const p99 = percentile(ledgerMs, 99);
  recordFigures('soak', {
    seconds: Math.round(SOAK_MS / 1000),
    'contracts carried through': n,
    'ledger reads / errors': `${ledgerMs.length} / ${ledgerErrors.length}`,
    'ledger list p50 / p99 (ms)': `${percentile(ledgerMs, 50).toFixed(1)} / ${p99.toFixed(1)}`,
    'server RSS MiB (2nd fifth → last fifth)': `${serverMemory.early.toFixed(0)} → ${serverMemory.late.toFixed(0)}`,
    'worker RSS MiB (2nd fifth → last fifth)': `${workerMemory.early.toFixed(0)} → ${workerMemory.late.toFixed(0)}`,
    'machine load (1-min average, start / end; cores)': `${loadAtStart.toFixed(1)} / ${loadavg()[0].toFixed(1)}; ${availableParallelism()}`,
  });
  expect(early.length).toBeGreaterThan(0);
  expect(late.length).toBeGreaterThan(0);
  expect(ledgerErrors).toEqual([]);
  expect(p99).toBeLessThan(P99_BOUND_MS);
  // Flat: within a quarter (plus 32 MiB of allocator slack) of where it stood after warm-up.
  for (const m of [serverMemory, workerMemory]) expect(m.late).toBeLessThan(m.early * 1.25 + 32);
});
