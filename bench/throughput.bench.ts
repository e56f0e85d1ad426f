// Contracts completed per second, end to end, against what Temporal itself allows: the shipped
// purchase contract (one approval step, its document rendered, two company signers in order,
// the archive with document timestamps and the sealed evidence report) on the embedded stack's
// dev server (SQLite store) and on the real Temporal server with PostgreSQL (both the server's
// persistence and the store), each beside a bare workflow making the same number of activity
// calls with empty activities, same server, same concurrency, same run. Prints where a contract's time goes
// (activity run and queue time by type, from its history) and its history bytes and events.
//
// BENCH_CONTRACTS (default 40) contracts, BENCH_CONCURRENCY (default 10) in flight.
// Also prints the process's CPU seconds per contract and per bare workflow (the worker runs in
// this process; the Temporal server does not), which stay meaningful on a loaded machine where
// the rates do not. BENCH_CPU_PROFILE=<dir>: writes a .cpuprofile of the main thread (where the
// activities run) over the contracts' measured run only, for `node --cpu-prof`-style analysis.
// The flow language has no auto-approve tier: the one approval is an update sent as soon as the
// step opens, and the signatures are the sign updates the signer page sends (its checks are the
// server's, not measured here).
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import type { ContractState, FlowDefinition } from '../flows';
import { decide, sign } from '../workflows/contract-flow.defs';
import { companySignersFlow } from '../test/support/company-signers-flow';
import { startClusterStack } from './support/cluster-stack';
import { startBenchHub, type BenchHub } from './support/temporal-hub';

const CONTRACTS = Number(process.env.BENCH_CONTRACTS ?? 40);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);
const FLOW = 'bench-purchase';

async function benchFlow(): Promise<FlowDefinition> {
  const base = JSON.parse(await readFile(new URL('../examples/supplier-purchase.flow.json', import.meta.url), 'utf8')) as FlowDefinition;
  // No expiry reminder (companySignersFlow drops it): the workflow ends at completion, as the bare one does.
  return { ...companySignersFlow(base, FLOW), name: 'Bench purchase contract' };
}

async function order(): Promise<Record<string, any>> {
  const { data } = JSON.parse(await readFile(new URL('../examples/purchase-order-4500000001.json', import.meta.url), 'utf8'));
  return { ...data, supplier: { ...data.supplier, email: undefined, mobile: undefined, isNew: false } };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Store reads the driver made while waiting for steps (its own load on the store, printed per contract). */
let driverReads = 0;

async function until(read: () => Promise<ContractState | null>, holds: (c: ContractState) => boolean, what: string): Promise<ContractState> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const c = await read();
    driverReads += 1;
    if (c && holds(c)) return c;
    await pause(15);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Runs `count` jobs with `concurrency` in flight; returns per second, and this process's CPU seconds per job. */
async function rate(count: number, concurrency: number, job: (i: number) => Promise<void>): Promise<{ perSecond: number; seconds: number; cpuPerJob: number }> {
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await job(next++);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { perSecond: count / seconds, seconds, cpuPerJob: (used.user + used.system) / 1e6 / count };
}

/** Profiles the main thread while `run` runs when BENCH_CPU_PROFILE names a folder; otherwise just runs it. */
async function profiled<T>(name: string, run: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_CPU_PROFILE;
  if (!dir) return run();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 1000 });
  await session.post('Profiler.start');
  try {
    return await run();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    await mkdir(dir, { recursive: true });
    const file = join(dir, `throughput-${name}-${Date.now()}.cpuprofile`);
    await writeFile(file, JSON.stringify(profile));
    console.log(`cpu profile of the contracts' run: ${file}`);
  }
}

/** One contract, driven as its people would: approve when asked, each signer when invited; resolves when the workflow completes. */
async function contract(hub: BenchHub, data: Record<string, any>, key: string): Promise<string> {
  const { contract } = await hub.starter({ flow: FLOW, sourceKey: key, data }, { id: 'bench-clerk', name: 'Bench clerk', roles: ['business-user'] });
  const id = contract.id;
  const handle = hub.client.workflow.getHandle(id);
  const read = () => hub.store.contracts.get(id);
  await until(read, (c) => c.steps[0]?.status === 'pending', `${id} approval`);
  await handle.executeUpdate(decide, { args: [{ actor: { id: 'bench-manager', name: 'Bench manager', roles: ['dept-manager'] }, decision: 'approve', comment: null }] });
  for (const signerId of ['buyer', 'supplier']) {
    await until(read, (c) => c.signers.find((s) => s.id === signerId)?.status === 'invited', `${id} ${signerId} invited`);
    await handle.executeUpdate(sign, { args: [{ signerId, evidence: { ip: null, userAgent: 'bench', intent: 'bench: sign update' } }] });
  }
  const done = (await handle.result()) as ContractState;
  if (done.status !== 'completed') throw new Error(`${id} ended ${done.status}`);
  return id;
}

interface Where {
  runMs: number;
  queueMs: number;
  calls: number;
  /** Payload bytes of the calls' inputs and results in the history. */
  inBytes: number;
  outBytes: number;
}

/** Bytes of a history event's payloads (what the server stores for it). */
const payloadBytes = (payloads: { payloads?: { data?: Uint8Array | null }[] | null } | null | undefined) => (payloads?.payloads ?? []).reduce((sum, p) => sum + (p.data?.length ?? 0), 0);

/** Activity run and queue time by type over these workflows' histories, and their history size. */
async function anatomy(hub: BenchHub, ids: string[]) {
  const byType = new Map<string, Where>();
  let bytes = 0;
  let events = 0;
  let activities = 0;
  for (const id of ids) {
    const handle = hub.client.workflow.getHandle(id);
    const { raw } = await handle.describe();
    bytes += Number(raw.workflowExecutionInfo!.historySizeBytes);
    events += Number(raw.workflowExecutionInfo!.historyLength);
    const history = await handle.fetchHistory();
    const byId = new Map(history.events!.map((e) => [Number(e.eventId), e]));
    const ms = (e: any) => Number(e.eventTime.seconds) * 1000 + Math.round(e.eventTime.nanos / 1e6);
    for (const event of history.events!) {
      const done = event.activityTaskCompletedEventAttributes;
      if (!done) continue;
      const scheduled = byId.get(Number(done.scheduledEventId))!;
      const started = byId.get(Number(done.startedEventId))!;
      const type = scheduled.activityTaskScheduledEventAttributes!.activityType!.name!;
      const where = byType.get(type) ?? { runMs: 0, queueMs: 0, calls: 0, inBytes: 0, outBytes: 0 };
      where.runMs += ms(event) - ms(started);
      where.queueMs += ms(started) - ms(scheduled);
      where.calls += 1;
      where.inBytes += payloadBytes(scheduled.activityTaskScheduledEventAttributes!.input);
      where.outBytes += payloadBytes(done.result);
      byType.set(type, where);
      activities += 1;
    }
  }
  const n = ids.length;
  return { byType, bytes: bytes / n, events: events / n, activities: activities / n, n };
}

/** One stack's figures: contracts beside the bare workflow, same server, same run. */
async function measure(name: string, hub: BenchHub, data: Record<string, any>) {
  const bareQueue = `bench-bare-${randomBytes(4).toString('hex')}`;
  const connection = await NativeConnection.connect({ address: hub.address });
  const bareBundle = await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('./support/empty-workflow.ts', import.meta.url)), logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: (m) => console.error(m) } });
  const bareWorker = await Worker.create({ connection, namespace: 'default', taskQueue: bareQueue, workflowBundle: bareBundle, activities: { nothing: async () => {} } });
  const bareRunning = bareWorker.run();
  try {
    console.log(`\n## ${name}\nsetup: Temporal ${hub.setupMs.temporal.toFixed(0)} ms, bundles ${hub.setupMs.bundles.toFixed(0)} ms; ${CONTRACTS} contracts, ${CONCURRENCY} in flight`);
    // Warm-up: templates compiled, fonts subset, signer keys' code paths, sticky caches.
    const warm = await Promise.all(Array.from({ length: 3 }, (_, i) => contract(hub, data, `${name}-warm-${i}`)));
    const calls = (await anatomy(hub, warm.slice(0, 1))).activities;

    const ids: string[] = [];
    driverReads = 0;
    const contracts = await profiled(name, () => rate(CONTRACTS, CONCURRENCY, async (i) => void ids.push(await contract(hub, data, `${name}-run-${i}`))));
    for (let i = 0; i < 3; i++) await hub.client.workflow.execute('emptyActivitiesWorkflow', { workflowId: `bare-warm-${i}-${bareQueue}`, taskQueue: bareQueue, args: [calls] });
    const bare = await rate(CONTRACTS, CONCURRENCY, (i) => hub.client.workflow.execute('emptyActivitiesWorkflow', { workflowId: `bare-${i}-${bareQueue}`, taskQueue: bareQueue, args: [calls] }));

    const seen = await anatomy(hub, ids);
    console.log(`contracts completed end to end   ${contracts.perSecond.toFixed(2).padStart(7)} /s  (${CONTRACTS} in ${contracts.seconds.toFixed(1)} s)`);
    console.log(`bare workflow, ${calls} empty activities ${bare.perSecond.toFixed(2).padStart(7)} /s  (${CONTRACTS} in ${bare.seconds.toFixed(1)} s)`);
    console.log(`ratio                             ${((100 * contracts.perSecond) / bare.perSecond).toFixed(0).padStart(7)} %  (target ≥ 50 %)`);
    console.log(`driver's store reads per contract ${(driverReads / CONTRACTS).toFixed(0).padStart(7)}     (it polls every 15 ms for the step it waits on, in this process and store)`);
    console.log(`worker process CPU per contract   ${contracts.cpuPerJob.toFixed(3).padStart(7)} s  (bare workflow ${bare.cpuPerJob.toFixed(3)} s)`);
    console.log(`history per contract              ${(seen.bytes / 1024).toFixed(1).padStart(7)} KiB in ${seen.events.toFixed(0)} events, ${seen.activities.toFixed(0)} activity calls`);
    console.log(`where a contract's activity time goes (mean per contract, over ${seen.n}):`);
    console.log(`${'activity'.padEnd(24)} ${'calls'.padStart(6)} ${'run ms'.padStart(9)} ${'queued ms'.padStart(10)} ${'in KiB'.padStart(7)} ${'out KiB'.padStart(8)}`);
    const rows = [...seen.byType.entries()].sort((a, b) => b[1].runMs - a[1].runMs);
    const kib = (bytes: number) => (bytes / seen.n / 1024).toFixed(1);
    for (const [type, w] of rows) console.log(`${type.padEnd(24)} ${(w.calls / seen.n).toFixed(1).padStart(6)} ${(w.runMs / seen.n).toFixed(0).padStart(9)} ${(w.queueMs / seen.n).toFixed(0).padStart(10)} ${kib(w.inBytes).padStart(7)} ${kib(w.outBytes).padStart(8)}`);
    const total = rows.reduce((sum, [, w]) => sum + w.runMs, 0) / seen.n;
    console.log(`${'all'.padEnd(24)} ${''.padStart(6)} ${total.toFixed(0).padStart(9)}`);
  } finally {
    bareWorker.shutdown();
    await bareRunning.catch(() => {});
    await connection.close();
  }
}

/** BENCH_STACKS: which stacks, comma-separated (default both): dev (the embedded stack's dev server, SQLite), cluster (the real Temporal server and PostgreSQL). */
const STACKS: Record<string, (flows: FlowDefinition[]) => Promise<BenchHub>> = {
  dev: (flows) => startBenchHub({ flows }),
  cluster: (flows) => startClusterStack({ flows }),
};

async function main() {
  const flow = await benchFlow();
  const data = await order();
  for (const name of (process.env.BENCH_STACKS ?? 'dev,cluster').split(',').map((s) => s.trim())) {
    if (!STACKS[name]) throw new Error(`BENCH_STACKS: no stack "${name}" (have ${Object.keys(STACKS).join(', ')})`);
    const hub = await STACKS[name]([flow]);
    try {
      await measure(name, hub, data);
    } finally {
      await hub.close();
    }
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
