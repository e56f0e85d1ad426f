// The SAP connector against a stand-in S/4HANA on loopback: SAP's own metadata, OData V2
// wire formats, server-driven paging, 500 purchase orders.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiveWebhook, signWebhook, syncOnce, writeBack, type SyncResult } from '../../connectors';
import { sapPurchaseOrders, type SapSettings } from '../../connectors/sap';
import { startSapServer, type SapServer } from './sap-server';
import { isReleasedInSeed, purchaseOrderNumber } from './sap-server/seed';
import { createContractBook } from './support';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/sap');
const COUNT = 500;
const MAPPING = sapPurchaseOrders.defaultMapping!;

/**
 * Entity sets and, per entity set, its properties as `name:EdmType` (sorted). Keyed by set,
 * not type: CAP names an entity type after its entity (A_PurchaseOrder) where SAP appends
 * "Type" (A_PurchaseOrderType); clients address sets, so that difference does not matter.
 */
function shapeOf(edmx: string) {
  const typeOfSet = new Map([...edmx.matchAll(/<EntitySet Name="([^"]+)" EntityType="[^"]*?\.([^".]+)"/g)].map((m) => [m[1], m[2]]));
  const propertiesOfType = new Map<string, string[]>();
  for (const match of edmx.matchAll(/<EntityType Name="([^"]+)"[\s\S]*?<\/EntityType>/g)) {
    propertiesOfType.set(match[1], [...match[0].matchAll(/<Property Name="([^"]+)" Type="([^"]+)"/g)].map((m) => `${m[1]}:${m[2]}`).sort());
  }
  const sets: Record<string, string[]> = {};
  for (const [set, type] of typeOfSet) sets[set] = propertiesOfType.get(type) ?? [];
  return { entitySets: [...typeOfSet.keys()].sort(), sets };
}

let server: SapServer;
let settings: SapSettings;
const instance = (extra: Partial<SapSettings> = {}) => ({ id: 'sap-test', flow: 'supplier-purchase', mapping: MAPPING, settings: { ...settings, ...extra } });

beforeAll(async () => {
  // SAP caps pages at 100 rows here while the connector asks for 120: the __next path.
  server = await startSapServer({ pageSize: 100 });
  await server.seed({ count: COUNT, releasedEvery: 2 });
  settings = {
    purchaseOrderServiceUrl: server.purchaseOrderServiceUrl,
    businessPartnerServiceUrl: server.businessPartnerServiceUrl,
    username: 'SEALFLOW_COMM',
    password: 'not-a-real-secret',
    pageSize: 120,
    changedSince: '2024-01-01T00:00:00Z',
    noteTextType: 'F01',
    noteLanguage: 'EN',
    timeoutMs: 20000,
  };
});
afterAll(() => server?.stop());

describe('the stand-in S/4HANA', () => {
  it.each(['API_PURCHASEORDER_PROCESS_SRV', 'API_BUSINESS_PARTNER'])('serves the entity sets and properties of SAP metadata for %s', async (service) => {
    const base = service === 'API_BUSINESS_PARTNER' ? server.businessPartnerServiceUrl : server.purchaseOrderServiceUrl;
    // An explicit language: cov2ap fails on fetch's default `accept-language: *` for $metadata.
    const served = shapeOf(await (await fetch(`${base}/$metadata`, { headers: { 'accept-language': 'en' } })).text());
    const fixture = shapeOf(readFileSync(join(fixtures, `${service}.edmx`), 'utf8'));
    expect(served.entitySets).toEqual(fixture.entitySets);
    const names = (list: string[]) => list.map((p) => p.split(':')[0]);
    for (const [set, properties] of Object.entries(fixture.sets)) expect(names(served.sets[set]), set).toEqual(names(properties));
    if (service === 'API_PURCHASEORDER_PROCESS_SRV') {
      // The properties the connector reads keep SAP's EDM types exactly.
      const typeIn = (shape: typeof served, set: string, property: string) => shape.sets[set].find((p) => p.startsWith(property + ':'));
      for (const [set, property] of [['A_PurchaseOrder', 'LastChangeDateTime'], ['A_PurchaseOrder', 'PurchaseOrderDate'], ['A_PurchaseOrderItem', 'NetPriceAmount'], ['A_PurchaseOrderItem', 'OrderQuantity']]) {
        expect(typeIn(served, set, property), `${set}.${property}`).toBe(typeIn(fixture, set, property));
      }
    }
  });

  it("answers in SAP's OData V2 formats", async () => {
    const response = await fetch(`${server.purchaseOrderServiceUrl}/A_PurchaseOrder('${purchaseOrderNumber(0)}')?$expand=to_PurchaseOrderItem&$format=json`);
    const { d } = (await response.json()) as { d: Record<string, unknown> & { to_PurchaseOrderItem: { results: Array<Record<string, unknown>> } } };
    expect(d.LastChangeDateTime).toMatch(/^\/Date\(\d+\+0000\)\/$/);
    expect(d.PurchaseOrderDate).toMatch(/^\/Date\(\d+\)\/$/);
    expect(typeof d.to_PurchaseOrderItem.results[0].NetPriceAmount).toBe('string');
  });
});

describe('SAP purchase orders → supplier contracts', () => {
  const book = createContractBook();
  let cursor: string | null = null;
  const released = Array.from({ length: COUNT }, (_, i) => i).filter((i) => isReleasedInSeed(i, { releasedEvery: 2 })).map((i) => purchaseOrderNumber(i));

  it('starts exactly one contract per released purchase order, across pages, and resumes after a failed start', async () => {
    // The 70th start fails (say Temporal is briefly away): the sync stops, its cursor covers only what was handled.
    book.failOnCall(70);
    const cursors: Array<string | null> = [];
    const first = await syncOnce({ connector: sapPurchaseOrders, instance: instance(), cursor, startContract: book.startContract, onChange: book.onChange, onCursor: (c) => void cursors.push(c) });
    expect(first.failure).toMatchObject({ retryable: true, sourceKey: expect.any(String) });
    expect(first.started).toBeGreaterThanOrEqual(60);
    expect(cursors.at(-1)).toBe(first.cursor);
    book.failOnCall(undefined);

    const second = await syncOnce({ connector: sapPurchaseOrders, instance: instance(), cursor: first.cursor, startContract: book.startContract, onChange: book.onChange });
    expect(second.failure).toBeUndefined();
    cursor = second.cursor;

    const keys = book.sourceKeys();
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.sort()).toEqual([...released].sort());
    expect(first.started + second.started).toBe(released.length);
    // Starts that ran in parallel with the failed one are read again; the idempotent start says "exists" and nothing is created twice.
    expect(book.changes.every((c) => c.version !== undefined)).toBe(true);

    const sample = book.contracts.get(`supplier-purchase\u0000${released[0]}`)!.request;
    expect(sample.data).toMatchObject({ poNumber: released[0], currency: 'CNY', supplier: { name: expect.stringContaining('华强电子'), email: expect.stringContaining('@') } });
    expect(typeof sample.data.amount).toBe('number');
    expect(sample.sourceVersion).toMatch(/^2024-03-01T/);
  });

  it('starts nothing on a second sync with nothing changed', async () => {
    const calls = book.calls.length;
    const result = await syncOnce({ connector: sapPurchaseOrders, instance: instance(), cursor, startContract: book.startContract, onChange: book.onChange });
    expect(result).toMatchObject({ read: 0, started: 0, changed: 0, errors: [] });
    expect(book.calls.length).toBe(calls);
    cursor = result.cursor;
  });

  it('picks up a purchase order released later, and reports a change to one already started', async () => {
    const late = purchaseOrderNumber(1);
    const started = released[3];
    await server.changePurchaseOrder(late, { PurchasingProcessingStatus: '05' });
    await server.changePurchaseOrder(started, { PaymentTerms: '0002' });
    const changesBefore = book.changes.length;
    const result: SyncResult = await syncOnce({ connector: sapPurchaseOrders, instance: instance(), cursor, startContract: book.startContract, onChange: book.onChange });
    expect(result).toMatchObject({ read: 2, started: 1, changed: 1, errors: [] });
    expect(book.sourceKeys()).toContain(late);
    const change = book.changes.slice(changesBefore)[0];
    expect(change).toMatchObject({ sourceKey: started, contractId: expect.any(String), eventKey: expect.stringContaining(started) });
    cursor = result.cursor;
  });

  it('takes SAP business events (CloudEvents) as a push trigger for the same path', async () => {
    const pushed = purchaseOrderNumber(5);
    await server.changePurchaseOrder(pushed, { PurchasingProcessingStatus: '05' });
    const event = { specversion: '1.0', id: 'evt-1', type: 'sap.s4.beh.purchaseorder.v1.PurchaseOrder.Changed.v1', source: '/default/sap.s4.beh/244SAP', time: new Date().toISOString(), datacontenttype: 'application/json', data: { PurchaseOrder: pushed } };
    const auth = { kind: 'hmac-sha256' as const, secret: 'sap-event-secret-0123456789' };
    const rawBody = JSON.stringify(event);
    const outcome = await receiveWebhook({
      connector: sapPurchaseOrders,
      instance: { ...instance(), auth },
      headers: signWebhook(rawBody, auth.secret),
      rawBody,
      startContract: book.startContract,
      onChange: book.onChange,
    });
    expect(outcome).toMatchObject({ status: 200, started: 1 });
    expect(book.sourceKeys()).toContain(pushed);
    // The next poll sees the same order again: the start is idempotent, so it is a change, not a second contract.
    const poll = await syncOnce({ connector: sapPurchaseOrders, instance: instance(), cursor, startContract: book.startContract, onChange: book.onChange });
    expect(poll).toMatchObject({ started: 0, changed: 1 });

    const wrongType = JSON.stringify({ ...event, type: 'sap.s4.beh.salesorder.v1.SalesOrder.Created.v1' });
    const rejected = await receiveWebhook({ connector: sapPurchaseOrders, instance: { ...instance(), auth }, headers: signWebhook(wrongType, auth.secret), rawBody: wrongType, startContract: book.startContract });
    expect(rejected).toMatchObject({ status: 400, started: 0 });
  });

  it('writes the outcome back as a purchase-order header note, once per idempotency key', async () => {
    const po = released[0];
    const first = await writeBack({ connector: sapPurchaseOrders, instance: instance(), sourceKey: po, contractId: 'c-1', outcome: 'completed' });
    const again = await writeBack({ connector: sapPurchaseOrders, instance: instance(), sourceKey: po, contractId: 'c-1', outcome: 'completed' });
    expect(first.written).toBe(true);
    expect(again.written).toBe(false);
    const notes = (await server.notes()).filter((n) => n.PurchaseOrder === po);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ TextObjectType: 'F01', Language: 'EN', PlainLongText: expect.stringContaining('[sealflow:c-1:completed]') });
  });
});

describe('SAP unreachable', () => {
  it('fails the sync with a retryable error and keeps the cursor', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const down = `http://127.0.0.1:${closed}/sap/opu/odata/sap`;
    const book = createContractBook();
    const result = await syncOnce({
      connector: sapPurchaseOrders,
      instance: instance({ purchaseOrderServiceUrl: `${down}/API_PURCHASEORDER_PROCESS_SRV`, businessPartnerServiceUrl: `${down}/API_BUSINESS_PARTNER`, timeoutMs: 2000 }),
      cursor: null,
      startContract: book.startContract,
    });
    expect(result.failure).toMatchObject({ code: 'source_unreachable', retryable: true });
    expect(result.cursor).toBeNull();
    expect(book.calls).toHaveLength(0);
  });
});
