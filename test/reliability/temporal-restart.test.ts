// The Temporal server stopped and started again in the middle of a run (a dev server of the
// test's own, its state in a SQLite file that outlives the process, on the same port): while
// it is away /healthz says so and starting a contract answers 503; once it is back, the same
// `sealflow server` and `sealflow worker` carry every contract to its end without a restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
// @ts-expect-error -- plain ESM script without type declarations
import { ensureTemporalCli } from '../../scripts/setup-temporal.mjs';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { freePort } from '../support/hub-process';
import { carryThrough, contract, newOrder, setUpFlow, sleep, waitUntil, type Admin } from './contracts';
import { recordFigures } from './figures';
import { partEnvironment, request, startPart, stopAllParts } from './parts';

const CONTRACTS = Number(process.env.TEMPORAL_RESTART_CONTRACTS ?? 30);
const DOWN_MS = Number(process.env.TEMPORAL_DOWN_SECONDS ?? 15) * 1000;

const dir = mkdtempSync(join(tmpdir(), 'sealflow-temporal-restart-'));
let database: TestDatabase;
let temporal: TestWorkflowEnvironment | undefined;
let port: number;

const startTemporal = async () =>
  (temporal = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: ensureTemporalCli() as string }, ip: '127.0.0.1', port, dbFilename: join(dir, 'temporal.db'), log: { format: 'pretty', level: 'error' } },
  }));

beforeAll(async () => {
  database = await createTestDatabase('postgres');
  port = await freePort();
  await startTemporal();
});
afterAll(async () => {
  await stopAllParts();
  await temporal?.teardown().catch(() => {});
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

it('goes on after the Temporal server is stopped and started again mid-run', async () => {
  const env = partEnvironment({ temporalAddress: `127.0.0.1:${port}`, databaseUrl: database.options.databaseUrl!, dataDir: dir });
  const server = await startPart('server', env);
  const worker = await startPart('worker', { ...env, publicUrl: server.url });
  const admin: Admin = { url: server.url, token: env.adminToken };
  const manager = await setUpFlow(admin);

  const ids: string[] = [];
  const failures: string[] = [];
  let next = 0;
  const drivers = Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < CONTRACTS) {
        const n = next++;
        await carryThrough(admin, manager, n, 600_000).then((id) => ids.push(id), (error) => failures.push(`#${n}: ${(error as Error).message}`));
      }
    }),
  );

  await sleep(8_000);
  const inFlight = next - ids.length;
  await temporal!.teardown();
  temporal = undefined;
  const downSince = Date.now();
  const answers: { status: number; ms: number }[] = [];
  let healthDown = 0;
  while (Date.now() - downSince < DOWN_MS) {
    const health = await request(server.url, 'GET', '/healthz', { timeoutMs: 15_000 });
    expect(health.status).toBe(503);
    expect(health.body.temporal).toBe('down');
    healthDown += 1;
    // A business system trying to start a contract: a quick 503 to try again later, not a hang.
    const started = await request(server.url, 'POST', '/api/contracts', { body: newOrder(9000 + answers.length), token: env.adminToken, timeoutMs: 15_000 }).catch(() => ({ status: -1, ms: 15_000 }));
    answers.push({ status: started.status, ms: started.ms });
    await sleep(1_000);
  }
  await startTemporal();
  const upSince = Date.now();
  await waitUntil('/healthz up again', () => request(server.url, 'GET', '/healthz'), (r) => r.status === 200, 120_000);
  const recoverySeconds = (Date.now() - upSince) / 1000;

  await drivers;
  expect(failures).toEqual([]);
  for (const id of ids) await waitUntil(`${id} completing`, () => contract(admin, id), (c) => c?.status === 'completed', 300_000);
  expect(server.alive() && worker.alive()).toBe(true);

  recordFigures('temporal restart', {
    contracts: CONTRACTS,
    'in flight when stopped': inFlight,
    completed: ids.length,
    'seconds down': Math.round(DOWN_MS / 1000),
    'starts while down: 503 / other (-1: no answer in 15 s)': `${answers.filter((a) => a.status === 503).length} / ${answers.filter((a) => a.status !== 503).map((a) => a.status).join(',') || 0}`,
    'slowest start answer while down (ms)': Math.round(Math.max(...answers.map((a) => a.ms))),
    '/healthz 503 (temporal down)': healthDown,
    'seconds to /healthz 200 after start': Number(recoverySeconds.toFixed(1)),
    'restarts of Sealflow': 0,
  });
  expect(ids).toHaveLength(CONTRACTS);
  expect(answers.length).toBeGreaterThan(2);
  expect(answers.filter((a) => a.status !== 503)).toEqual([]);
  expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(10_000);
});
