// `npm run bench connectors`: purchase orders read from a real OData V2 server (the
// stand-in S/4HANA of the tests) and mapped, per second, through the whole connector path
// (cds remote client → normalise → supplier lookup → JSONata → idempotent start stub).
// Baselines from the same run: the same pages fetched as raw JSON without cds, and the
// JSONata mapping alone. The Temporal-side start is not in these figures.
import { compileMapping, syncOnce } from '../connectors';
import { sapPurchaseOrders, type SapSettings } from '../connectors/sap';
import { PURCHASE_ORDER_FIELDS, PURCHASE_ORDER_ITEM_FIELDS } from '../connectors/sap/purchase-order';
import { startSapServer } from '../test/connectors/sap-server';

const COUNT = Number(process.env.BENCH_PURCHASE_ORDERS ?? 10_000);
const PAGE = 1000;

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
} finally {
  await server.stop();
}
