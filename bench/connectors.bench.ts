// `npm run bench connectors`: purchase orders read from a real OData V2 server (the
// stand-in S/4HANA of the tests) and mapped, per second, through the whole connector path
// (cds remote client → normalise → supplier lookup → JSONata → idempotent start stub).
// Baselines from the same run: the same pages fetched as raw JSON without cds, and the
// JSONata mapping alone.
//
// Then the same 10,000 purchase orders synced to started contracts: a local Temporal dev
// server (pinned CLI), a store on a temp SQLite file, the real contract worker, and the
// real contract starter behind syncOnce (validation, approval planning, Temporal start,
// projection insert). Baseline from the same run and server: an empty workflow (bundled
// on its own, run by a bench worker on its own task queue) started as often, with the
// same concurrency. With BENCH_UNPOLLED=1, also starts of a workflow type no worker
// polls (the server's start rate with no worker in the loop).
import Database from 'better-sqlite3';
import { compileMapping, DEFAULT_CONCURRENCY, syncOnce, type SyncResult } from '../connectors';
import { sapPurchaseOrders, type SapSettings } from '../connectors/sap';
import { PURCHASE_ORDER_FIELDS, PURCHASE_ORDER_ITEM_FIELDS } from '../connectors/sap/purchase-order';
import { startSapServer } from '../test/connectors/sap-server';
import { connectorContractStart } from '../workflows';
import { EMPTY_WORKFLOW, sapApprovalFlow, startBenchHub, type BenchHub } from './support/temporal-hub';

const COUNT = Number(process.env.BENCH_PURCHASE_ORDERS ?? 10_000);
const PAGE = 1000;
/** Starts in flight at once: the connector sync's default, and the same for the baselines. */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? DEFAULT_CONCURRENCY);
/** How long to wait for the worker to run every started contract after the sync (bounded). */
const CATCH_UP_MS = Number(process.env.BENCH_CATCH_UP_MS ?? 120_000);
/** BENCH_UNPOLLED=1 adds starts of a workflow type no worker polls (the server's start rate alone). */
const UNPOLLED = process.env.BENCH_UNPOLLED === '1';
const FLOW = 'bench-sap-po';

const perSecond = (count: number, ms: number) => `${Math.round((count / ms) * 1000).toLocaleString('en-US')} PO/s (${(ms / 1000).toFixed(2)} s)`;

const server = await startSapServer({ pageSize: PAGE });
try {
  const seeded = await server.seed({ count: COUNT, releasedEvery: 1, itemsPerOrder: 3, suppliers: 50 });
  console.log(`stand-in S/4HANA: ${seeded.purchaseOrders} released purchase orders, ${seeded.items} items, ${seeded.suppliers} suppliers; pages of ${PAGE}`);
  const settings: SapSettings = {
    purchaseOrderServiceUrl: server.purchaseOrderServiceUrl,
    businessPartnerServiceUrl: server.businessPartnerServiceUrl,
    username: 'BENCH',
    password: 'bench',
    pageSize: PAGE,
    changedSince: '2000-01-01T00:00:00Z',
    noteTextType: 'F01',
    noteLanguage: 'EN',
    timeoutMs: 120_000,
  };

  // Warm-up: loads cds and the models, opens connections.
  await sapPurchaseOrders.triggers.poll!.fetchSince({ settings: { ...settings, pageSize: 10 } }, null);

  // Baseline 1: the same pages as raw JSON over fetch, no cds, no mapping.
  const select = [...PURCHASE_ORDER_FIELDS, ...PURCHASE_ORDER_ITEM_FIELDS.map((f) => `to_PurchaseOrderItem/${f}`)].join(',');
  let raw = 0;
  let t = performance.now();
  for (let skip = 0; skip < COUNT; skip += PAGE) {
    const url = `${server.purchaseOrderServiceUrl}/A_PurchaseOrder?$select=${select}&$expand=to_PurchaseOrderItem&$filter=PurchasingProcessingStatus eq '05'&$orderby=LastChangeDateTime,PurchaseOrder&$top=${PAGE}&$skip=${skip}&$format=json`;
    const body = (await (await fetch(url)).json()) as { d: { results: unknown[] } };
    raw += body.d.results.length;
  }
  const rawMs = performance.now() - t;

  // The connector path, end to end, with a start that only remembers keys.
  const started = new Set<string>();
  t = performance.now();
  const result = await syncOnce({
    connector: sapPurchaseOrders,
    instance: { id: 'bench', flow: 'supplier-purchase', mapping: sapPurchaseOrders.defaultMapping!, settings },
    cursor: null,
    maxItems: COUNT,
    startContract: async ({ sourceKey }) => {
      const created = !started.has(sourceKey);
      started.add(sourceKey);
      return { contractId: sourceKey, created };
    },
  });
  const syncMs = performance.now() - t;
  if (result.failure || result.started !== COUNT) throw new Error(`sync did not start every order: ${JSON.stringify({ ...result, cursor: undefined })}`);

  // Baseline 2: the JSONata mapping alone, over the records the connector produced.
  const page = await sapPurchaseOrders.triggers.poll!.fetchSince({ settings }, null);
  const records = page.items.map((i) => i.record);
  const mapping = compileMapping(sapPurchaseOrders.defaultMapping!);
  t = performance.now();
  for (let i = 0; i < COUNT; i++) await mapping.apply(records[i % records.length], String(i));
  const mapMs = performance.now() - t;

  console.log(`connector sync (cds OData V2 read + supplier + JSONata + start stub): ${perSecond(result.started, syncMs)}`);
  console.log(`baseline: raw JSON fetch of the same pages, no cds, no mapping:     ${perSecond(raw, rawMs)}`);
  console.log(`baseline: JSONata mapping alone:                                    ${perSecond(COUNT, mapMs)}`);

  await temporalFigures(settings, { count: result.started, ms: syncMs });
} finally {
  await server.stop();
}

interface Row {
  figure: string;
  count: number;
  ms: number;
}

/** Runs run(0 … count-1) with `concurrency` in flight. */
async function inParallel(count: number, concurrency: number, run: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, async () => {
      while (next < count) await run(next++);
    }),
  );
}

/** Polls until check() returns true or the deadline passes; returns whether it held. */
async function until(check: () => Promise<boolean>, timeoutMs: number, everyMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function temporalFigures(settings: SapSettings, stub: { count: number; ms: number }): Promise<void> {
  console.log(`\nstarting a local Temporal dev server, a SQLite store, the contract worker and the empty-workflow worker …`);
  const hub: BenchHub = await startBenchHub({ flows: [await sapApprovalFlow(FLOW)] });
  const problems: string[] = [];
  try {
    console.log(`Temporal dev server at ${hub.address} up in ${(hub.setupMs.temporal / 1000).toFixed(1)} s; workflow bundles in ${(hub.setupMs.bundles / 1000).toFixed(1)} s; ${CONCURRENCY} starts in flight`);
    const { client } = hub;
    const running = async (query: string) => (await client.workflow.count(query)).count;

    // Warm-up: connection, namespace, task queues, the workers' first polls.
    await inParallel(20, CONCURRENCY, async (i) => {
      await client.workflow.execute(EMPTY_WORKFLOW, { workflowId: `bench-warm-${i}`, taskQueue: hub.emptyTaskQueue });
    });

    // Baseline: the empty workflow, started COUNT times; a bench worker runs each one.
    let t = performance.now();
    await inParallel(COUNT, CONCURRENCY, async (i) => {
      await client.workflow.start(EMPTY_WORKFLOW, { workflowId: `bench-empty-${i}`, taskQueue: hub.emptyTaskQueue });
    });
    const emptyMs = performance.now() - t;
    // Let the empty worker finish them all, so their tasks do not colour the figures after.
    let emptyLeft = COUNT;
    const emptyDone = await until(async () => (emptyLeft = await running(`TaskQueue="${hub.emptyTaskQueue}" AND ExecutionStatus="Running"`)) === 0, 300_000);
    const emptyDrainMs = performance.now() - t;
    if (!emptyDone) problems.push(`${emptyLeft} empty workflows were still running 300 s after their starts began`);

    // Optionally beside it: a workflow type no worker polls; the start is all there is.
    let unpolledMs = 0;
    if (UNPOLLED) {
      const unpolledQueue = `${hub.emptyTaskQueue}-unpolled`;
      t = performance.now();
      await inParallel(COUNT, CONCURRENCY, async (i) => {
        await client.workflow.start('benchUnpolledWorkflow', { workflowId: `bench-unpolled-${i}`, taskQueue: unpolledQueue });
      });
      unpolledMs = performance.now() - t;
    }

    // The full path: OData read → map → real contract starter → Temporal → projection.
    const startContract = connectorContractStart(hub.starter, { id: 'bench-sap', name: 'Bench S/4HANA' });
    t = performance.now();
    const result: SyncResult = await syncOnce({
      connector: sapPurchaseOrders,
      instance: { id: 'bench-sap', flow: FLOW, mapping: sapPurchaseOrders.defaultMapping!, settings },
      cursor: null,
      maxItems: COUNT,
      concurrency: CONCURRENCY,
      startContract,
    });
    const fullMs = performance.now() - t;
    if (result.failure || result.errors.length || result.started !== COUNT) {
      problems.push(`the sync did not start every order: ${JSON.stringify({ ...result, cursor: undefined, errors: result.errors.slice(0, 3) })}`);
    }

    // Checks: the store and Temporal hold exactly the started contracts; how far the worker got running them.
    const inStore = (await hub.store.contracts.list({ scope: { tenantId: 'default', unitPath: null }, pageSize: 1 })).total;
    const inFlow = (await hub.store.contracts.list({ scope: { tenantId: 'default', unitPath: null }, flow: FLOW, pageSize: 1 })).total;
    if (inStore !== COUNT || inFlow !== COUNT) problems.push(`the store holds ${inStore} contracts (${inFlow} of flow ${FLOW}), not ${COUNT}`);
    const contractQuery = `TaskQueue="${hub.taskQueue}" AND WorkflowType="contractFlow"`;
    let inTemporal = 0;
    await until(async () => (inTemporal = await running(contractQuery)) >= COUNT, 30_000);
    if (inTemporal !== COUNT) problems.push(`Temporal lists ${inTemporal} contract workflows, not ${COUNT}`);
    const sqlite = new Database(hub.sqlitePath, { readonly: true, fileMustExist: true });
    // A projection with revision > 0 was written by the contract's workflow (the starter inserts revision 0).
    let written = 0;
    let writtenAtSyncEnd = 0;
    let caughtUp: boolean;
    try {
      const countWritten = sqlite.prepare('select count(*) as n from contracts where revision > 0');
      writtenAtSyncEnd = (countWritten.get() as { n: number }).n;
      const waitFrom = performance.now();
      caughtUp = await until(async () => (written = (countWritten.get() as { n: number }).n) >= COUNT, CATCH_UP_MS, 1000);
      if (!caughtUp) console.log(`(stopped waiting for the worker after ${((performance.now() - waitFrom) / 1000).toFixed(0)} s: BENCH_CATCH_UP_MS=${CATCH_UP_MS})`);
    } finally {
      sqlite.close();
    }
    const catchUpMs = performance.now() - t;

    const baseline = COUNT / emptyMs;
    const rows: Row[] = [
      { figure: 'baseline: empty workflow started (a bench worker runs it)', count: COUNT, ms: emptyMs },
      { figure: '  … and all of them completed by that worker', count: COUNT, ms: emptyDrainMs },
      ...(UNPOLLED ? [{ figure: 'start of a workflow type no worker polls (server alone)', count: COUNT, ms: unpolledMs }] : []),
      { figure: 'PO synced to a started contract (OData+map+hub+Temporal)', count: result.started, ms: fullMs },
      { figure: `  … contracts run by the worker (projection written)${caughtUp ? '' : ', so far'}`, count: written, ms: catchUpMs },
      { figure: 'PO synced with the start stub (no Temporal, from above)', count: stub.count, ms: stub.ms },
    ];
    const n = (x: number) => Math.round(x).toLocaleString('en-US');
    console.log(`\n${'figure'.padEnd(62)} ${'count'.padStart(7)} ${'seconds'.padStart(8)} ${'per second'.padStart(11)} ${'× empty-workflow starts'.padStart(24)}`);
    for (const row of rows) {
      const rate = (row.count / row.ms) * 1000;
      console.log(`${row.figure.padEnd(62)} ${n(row.count).padStart(7)} ${(row.ms / 1000).toFixed(2).padStart(8)} ${n(rate).padStart(11)} ${((row.count / row.ms) / baseline).toFixed(2).padStart(24)}`);
    }
    console.log(`\nbaseline chosen: emptyWorkflow (bench/support/empty-workflow.ts), bundled apart and run by its own worker on its own task queue, started ${n(COUNT)} times with ${CONCURRENCY} in flight, on the same dev server as the contracts.`);
    console.log(`purchase orders synced to started contracts: ${n((result.started / fullMs) * 1000)} per second (${n(result.started)} POs in ${(fullMs / 1000).toFixed(1)} s), ${((result.started / fullMs) / baseline).toFixed(2)} × the ${n(baseline * 1000)} empty workflows the same server starts per second`);
    console.log(`check: store holds ${n(inStore)} contracts (${n(inFlow)} of flow ${FLOW}); Temporal lists ${n(inTemporal)} contract workflows; the worker had run ${n(writtenAtSyncEnd)} of them when the sync ended, ${n(written)} ${(catchUpMs / 1000).toFixed(1)} s after it began${caughtUp ? ' (all)' : ' (still running; not waited for further)'}`);
  } finally {
    await hub.close();
  }
  if (problems.length) throw new Error(problems.join('\n'));
}
