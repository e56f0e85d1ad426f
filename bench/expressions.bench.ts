// What evaluating flow expressions in worker processes (flows/expression-pool.ts) costs beside
// evaluating them in place, measured in the same run: the latency of one evaluation (p50, p99)
// for a cheap expression, for one over 1,000 items (the data is copied to the worker every
// time), and for a whole simulate of the example flow (about ten expressions, one message
// each); and simulates per second with eight at once, where the pool's two workers run
// beside the bench's own thread. Measured 2026-11-29 on the loaded 2-core dev machine: p50 +8 µs
// (cheap), -0.4 ms (1,000 items: no parse in the caller), +95 µs (a whole simulate); 8 at once
// 565/s in place, 1,495/s through the pool. Run: npm run bench expressions
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { evaluate, simulateFlow, type FlowDefinition } from '../flows';
import { runExpressionsWith } from '../flows/expression';
import { createExpressionPool } from '../flows/expression-pool';
import { SECONDS } from './support/measure';

const example = (name: string) => JSON.parse(readFileSync(fileURLToPath(new URL(`../examples/${name}`, import.meta.url)), 'utf8'));
const flow = example('supplier-purchase.flow.json') as FlowDefinition;
const order = example('purchase-order-4500000001.json').data as Record<string, unknown>;
const small = { amount: 5000, supplier: { name: '深圳市华强电子有限公司' } };
const items = { items: Array.from({ length: 1000 }, (_, i) => ({ name: `零件 ${i}`, quantity: (i % 3) + 1, price: 10 })) };

/** Median and 99th percentile of one run, in microseconds, after a warm-up. */
async function latency(run: () => Promise<unknown>, runs: number): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < Math.min(200, runs); i++) await run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await run();
    times.push((performance.now() - start) * 1000);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(runs / 2)]!, p99: times[Math.floor(runs * 0.99)]! };
}

/** Batches of `parallel` runs at once for SECONDS; runs per second. */
async function throughput(run: () => Promise<unknown>, parallel: number): Promise<number> {
  for (let i = 0; i < 10; i++) await Promise.all(Array.from({ length: parallel }, run));
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < SECONDS * 1000) {
    await Promise.all(Array.from({ length: parallel }, run));
    count += parallel;
  }
  return (count * 1000) / (performance.now() - start);
}

const cases: { label: string; runs: number; run: () => Promise<unknown> }[] = [
  { label: 'one cheap expression (=amount * 2)', runs: 5000, run: () => evaluate('=amount * 2', small, '/approval/amount') },
  { label: 'one expression over 1,000 items ($sum)', runs: 1000, run: () => evaluate('=$sum(items.(quantity * price))', items, '/approval/amount') },
  { label: 'a whole simulate of the example flow', runs: 500, run: () => simulateFlow(flow, order) },
];

const us = (n: number) => `${n.toFixed(0).padStart(6)} µs`;
const pool = createExpressionPool();
// The pool's workers start warm (pool creation spawns them); wait until they answer.
await pool.evaluate('1', '/warm', {});

console.log(`${''.padEnd(42)} ${'in place p50'.padStart(13)} ${'pool p50'.padStart(10)} ${'added'.padStart(10)}   ${'in place p99'.padStart(13)} ${'pool p99'.padStart(10)}`);
for (const { label, runs, run } of cases) {
  runExpressionsWith(null);
  const here = await latency(run, runs);
  runExpressionsWith(pool.evaluate);
  const there = await latency(run, runs);
  console.log(`${label.padEnd(42)} ${us(here.p50).padStart(13)} ${us(there.p50).padStart(10)} ${us(there.p50 - here.p50).padStart(10)}   ${us(here.p99).padStart(13)} ${us(there.p99).padStart(10)}`);
}

runExpressionsWith(null);
const hereRate = await throughput(() => simulateFlow(flow, order), 8);
runExpressionsWith(pool.evaluate);
const poolRate = await throughput(() => simulateFlow(flow, order), 8);
console.log(`simulates per second, 8 at once: ${hereRate.toFixed(0)} in place, ${poolRate.toFixed(0)} through the pool`);
runExpressionsWith(null);
await pool.close();
