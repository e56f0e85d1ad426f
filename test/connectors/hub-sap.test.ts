// Connectors end to end in the hub: IT configures an SAP instance over the REST API, the
// instance's sync loop runs on Temporal against the stand-in S/4HANA (OData V2), contracts
// start through the real idempotent starter, changes land on timelines, webhooks are
// authenticated, and a rejected contract is written back to SAP as a header note.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../connectors';
import { sapPurchaseOrders } from '../../connectors/sap';
import type { FlowDefinition } from '../../flows';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createDocumentRenderer } from '../../templates';
import { contractIdFor, createConnectorActivities, createContractStarter, createDocumentService, reportSourceChange, type ConnectorSyncSummary } from '../../workflows';
import { approvalFlow } from '../support/hub';
import { startConnectorHub, type ConnectorHub } from './hub-support';
import { startSapServer, type SapServer } from './sap-server';
import { isReleasedInSeed, purchaseOrderNumber } from './sap-server/seed';

const COUNT = 12;
const PASSWORD = 'sap-password-never-shown-42';
const suffix = randomBytes(4).toString('hex');
const FLOW = `sap-po-${suffix}`;
const HOOK_FLOW = `sap-push-${suffix}`;
const POLLING = `sap-poll-${suffix}`;
const PUSHED = `sap-push-${suffix}`;
const HOOK_SECRET = 'sap-event-secret-0123456789abcdef';

let sap: SapServer;
let hub: ConnectorHub;
let manager: { id: string; token: string };
const released = Array.from({ length: COUNT }, (_, i) => i).filter((i) => isReleasedInSeed(i, { releasedEvery: 2 })).map((i) => purchaseOrderNumber(i));

const flowNamed = (key: string): FlowDefinition => ({ ...approvalFlow(), key, name: `SAP 采购合同 ${key}` });
const sapSettings = () => ({
  purchaseOrderServiceUrl: sap.purchaseOrderServiceUrl,
  businessPartnerServiceUrl: sap.businessPartnerServiceUrl,
  username: 'SEALFLOW_COMM',
  password: PASSWORD,
  pageSize: 50,
  changedSince: '2024-01-01T00:00:00Z',
});
const contractsOf = async (flow: string) => (await hub.call('GET', `/api/contracts?flow=${flow}&pageSize=200`)).body as { total: number; items: Array<{ id: string; sourceKey: string }> };
const sync = (id: string) => hub.call('POST', `/api/connectors/${id}/sync`);
const cloudEvent = (purchaseOrder: string) =>
  JSON.stringify({ specversion: '1.0', id: `evt-${purchaseOrder}`, type: 'sap.s4.beh.purchaseorder.v1.PurchaseOrder.Changed.v1', source: '/default/sap.s4.beh/244SAP', time: new Date().toISOString(), data: { PurchaseOrder: purchaseOrder } });

beforeAll(async () => {
  [sap, hub] = await Promise.all([startSapServer({ pageSize: 100 }), startConnectorHub()]);
  await sap.seed({ count: COUNT, releasedEvery: 2 });
  await hub.publish(flowNamed(FLOW));
  await hub.publish(flowNamed(HOOK_FLOW));
  manager = await hub.user('王经理', ['dept-manager']);
}, 120_000);
afterAll(async () => {
  await hub?.close();
  await sap?.stop();
});

describe('configuring connector instances', () => {
  it('lists the shipped connectors with their settings schemas and secret fields', async () => {
    const { status, body } = await hub.call('GET', '/api/connectors');
    expect(status).toBe(200);
    const sapType = body.connectors.find((c: any) => c.id === 'sap_purchase_orders');
    expect(sapType).toMatchObject({ secretFields: ['password'], triggers: [{ kind: 'poll' }, { kind: 'webhook' }] });
  });

  it('refuses a bad instance with the JSON path of every problem, and answers 404 for an unknown one', async () => {
    const bad = await hub.call('POST', '/api/connectors', {
      id: `bad-${suffix}`, connector: 'sap_purchase_orders', settings: { ...sapSettings(), password: undefined, pageSize: 0 },
      trigger: { kind: 'poll', everyMinutes: 60 }, flow: 'no-such-flow', mapping: '{ "poNumber": purchaseOrder',
    });
    expect(bad.status).toBe(400);
    const paths = bad.body.error.details.map((d: any) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['/settings/password', '/settings/pageSize', '/mapping', '/flow']));
    expect(bad.body.error.details.find((d: any) => d.path === '/mapping').message).toContain('{ "poNumber": purchaseOrder');

    const unknownType = await hub.call('POST', '/api/connectors', { id: `bad-${suffix}`, connector: 'sap_sales_orders', settings: {}, trigger: { kind: 'poll', everyMinutes: 5 }, flow: FLOW, mapping: '{}' });
    expect(unknownType).toMatchObject({ status: 400, body: { error: { details: [{ path: '/connector' }] } } });
    const shape = await hub.call('POST', '/api/connectors', { id: 'X', connector: 'sap_purchase_orders', trigger: { kind: 'poll', everyMinutes: 0 } });
    expect(shape.status).toBe(400);
    const shapePaths: string[] = shape.body.error.details.map((d: any) => d.path);
    expect(shapePaths).toEqual(expect.arrayContaining(['/id', '/settings', '/flow', '/mapping']));
    expect(shapePaths.some((p) => p.startsWith('/trigger'))).toBe(true);

    expect((await hub.call('GET', '/api/connectors/nope-nope')).status).toBe(404);
    expect((await hub.call('POST', '/api/connectors/nope-nope/sync')).status).toBe(404);
    expect((await hub.call('POST', '/api/connectors/nope-nope/preview', { sample: {} })).status).toBe(404);
    expect((await hub.call('PUT', '/api/connectors/nope-nope', { enabled: false })).status).toBe(404);
  });
});

describe('an SAP instance that polls', () => {
  it('starts exactly one contract per released purchase order when it syncs', async () => {
    const created = await hub.call('POST', '/api/connectors', {
      id: POLLING, connector: 'sap_purchase_orders', name: 'SAP S/4HANA (test)', settings: sapSettings(),
      trigger: { kind: 'poll', everyMinutes: 60 }, flow: FLOW, mapping: sapPurchaseOrders.defaultMapping,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: POLLING, secretsSet: ['password'], publicSettings: { username: 'SEALFLOW_COMM', pageSize: 50, noteTextType: 'F01' } });
    expect(JSON.stringify(created.body)).not.toContain(PASSWORD);

    // The loop syncs as soon as it starts; a manual sync runs after that one and sees what is left.
    const first = await sync(POLLING);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ instance: POLLING, active: true, errors: [] });
    const contracts = await contractsOf(FLOW);
    expect(contracts.total).toBe(released.length);
    expect(contracts.items.map((c) => c.sourceKey).sort()).toEqual([...released].sort());

    const one = await hub.waitFor(contractIdFor(FLOW, released[0], hub.taskQueue), (c) => c.steps[0].status === 'pending');
    expect(one).toMatchObject({ startedBy: `connector:${POLLING}`, source: { connectorInstance: POLLING, version: expect.stringMatching(/^2024-03-01T/) }, data: { poNumber: released[0], currency: 'CNY' } });
    expect(typeof one.data.amount).toBe('number');
  });

  it('starts nothing on a second sync', async () => {
    const again = await sync(POLLING);
    expect(again.body).toMatchObject({ read: 0, started: 0, changed: 0, errors: [] });
    expect((await contractsOf(FLOW)).total).toBe(released.length);
  });

  it('picks up a purchase order released later, and puts a change to a started one on its timeline, once', async () => {
    const late = purchaseOrderNumber(1);
    const changed = released[1];
    await sap.changePurchaseOrder(late, { PurchasingProcessingStatus: '05' });
    await sap.changePurchaseOrder(changed, { PaymentTerms: '0002' });
    const result = await sync(POLLING);
    expect(result.body).toMatchObject({ read: 2, started: 1, changed: 1, errors: [] });
    expect((await contractsOf(FLOW)).items.map((c) => c.sourceKey)).toContain(late);

    const id = contractIdFor(FLOW, changed, hub.taskQueue);
    const contract = await hub.waitFor(id, (c) => c.timeline.some((e: any) => e.type === 'source_changed'));
    const event = contract.timeline.find((e: any) => e.type === 'source_changed');
    expect(event).toMatchObject({ actor: `connector:${POLLING}`, message: expect.stringContaining(changed) });
    expect(contract.data.poNumber).toBe(changed);
    expect(contract.status).toBe('in_approval');

    // The same change reported again (a retried sync) is not recorded twice; a re-read of the start version not at all.
    await reportSourceChange({ client: hub.client, store: hub.store, change: { instance: POLLING, flow: FLOW, sourceKey: changed, contractId: id, eventKey: event.key, version: 'again', data: contract.data } });
    await reportSourceChange({ client: hub.client, store: hub.store, change: { instance: POLLING, flow: FLOW, sourceKey: changed, contractId: id, eventKey: `${POLLING}:${changed}@start`, version: contract.source.version, data: contract.data } });
    const after = await hub.waitFor(id, (c) => c.revision >= contract.revision);
    expect(after.timeline.filter((e: any) => e.type === 'source_changed')).toHaveLength(1);
  });

  it('shows its health and never its password; a PUT without the password keeps it', async () => {
    const { status, body } = await hub.call('GET', `/api/connectors/${POLLING}`);
    expect(status).toBe(200);
    expect(body.health).toMatchObject({ contractsStarted: released.length + 1, changesReported: 1, errors: 0, consecutiveFailures: 0, lastSyncAt: expect.any(String) });
    expect(body.health.recordsRead).toBeGreaterThanOrEqual(released.length + 2);
    expect(body.secretsSet).toEqual(['password']);
    const listed = await hub.call('GET', '/api/connectors');
    expect(listed.body.instances.map((i: any) => i.id)).toContain(POLLING);
    for (const answer of [body, listed.body]) expect(JSON.stringify(answer)).not.toContain(PASSWORD);

    const { password: _password, ...withoutPassword } = sapSettings();
    const updated = await hub.call('PUT', `/api/connectors/${POLLING}`, { settings: { ...withoutPassword, pageSize: 20 }, trigger: { kind: 'poll', everyMinutes: 30 } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ secretsSet: ['password'], trigger: { everyMinutes: 30 }, publicSettings: { pageSize: 20 } });
    const opened = await hub.store.connectors.open(POLLING, hub.masterKey);
    expect(opened?.secrets.password).toBe(PASSWORD);
    const badPut = await hub.call('PUT', `/api/connectors/${POLLING}`, { settings: { ...withoutPassword, pageSize: 'many' } });
    expect(badPut.status).toBe(400);
    expect(badPut.body.error.details.map((d: any) => d.path)).toContain('/settings/pageSize');
  });

  it('previews a mapping: the data the flow would get, or the failing expression and where', async () => {
    const sample = { purchaseOrder: '4500009999', netAmount: '1234.50', currency: 'CNY', items: [], supplier: { name: '深圳市华强电子有限公司', email: 'sales@supplier.example.cn' } };
    const good = await hub.call('POST', `/api/connectors/${POLLING}/preview`, { sample });
    expect(good).toMatchObject({ status: 200, body: { ok: true, data: { poNumber: '4500009999', amount: 1234.5, supplier: { name: '深圳市华强电子有限公司' } }, issues: [] } });

    const noSupplier = await hub.call('POST', `/api/connectors/${POLLING}/preview`, { sample: { ...sample, supplier: { email: 'not-an-email' } } });
    expect(noSupplier.body.ok).toBe(false);
    expect(noSupplier.body.issues.map((i: any) => i.path)).toEqual(expect.arrayContaining(['/data/supplier/name', '/data/supplier/email']));

    const broken = '{ "poNumber": purchaseOrder, "amount": $number(netAmount }';
    const failed = await hub.call('POST', `/api/connectors/${POLLING}/preview`, { sample, mapping: broken });
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({ ok: false, issues: [{ path: '/mapping' }], mappingError: { expression: broken, position: expect.any(Number) } });
    expect(failed.body.issues[0].message).toContain(broken);
  });

  it("writes 'declined' back to SAP when a contract it started is rejected", async () => {
    const po = released[0];
    const id = contractIdFor(FLOW, po, hub.taskQueue);
    await hub.waitFor(id, (c) => c.steps[0].status === 'pending');
    const rejected = await hub.call('POST', `/api/contracts/${id}/approvals`, { decision: 'reject', comment: '价格过高' }, manager.token);
    expect(rejected.status).toBe(200);
    const done = await hub.waitFor(id, (c) => c.timeline.some((e: any) => e.type === 'written_back' || e.type === 'write_back_failed'));
    expect(done.timeline.at(-1)).toMatchObject({ type: 'written_back', actor: `connector:${POLLING}` });
    const notes = (await sap.notes()).filter((n) => n.PurchaseOrder === po);
    expect(notes).toHaveLength(1);
    expect(notes[0].PlainLongText).toContain(`[sealflow:${id}:declined]`);
  });
});

describe('a sync that crashed', () => {
  it('resumes from the cursor it heartbeated, not from the start', async () => {
    const id = `sap-crash-${suffix}`;
    const flow = `sap-crash-${suffix}`;
    await hub.publish(flowNamed(flow));
    // Straight into the store: no sync loop, the activity is driven by hand as Temporal would retry it.
    const settings = { ...sapSettings(), noteTextType: 'F01', noteLanguage: 'EN', timeoutMs: 20000 };
    const { password, ...plain } = settings;
    await hub.store.connectors.create({ id, connector: 'sap_purchase_orders', name: null, flow, mapping: sapPurchaseOrders.defaultMapping!, trigger: { kind: 'poll', everyMinutes: 60 }, settings: plain, secrets: { password }, webhookAuth: null, enabled: true, by: 'test' }, hub.masterKey);
    const activities = createConnectorActivities({
      store: hub.store,
      masterKey: hub.masterKey,
      contractStarter: (client) => createContractStarter({ store: hub.store, client, documents: createDocumentService({ store: hub.store, renderer: createDocumentRenderer() }), taskQueue: hub.taskQueue, idScope: hub.taskQueue }),
    });
    // The attempt that died had handled every order up to 4500000005 (changed at 08:00:01) and heartbeated that.
    const heartbeated = JSON.stringify({ v: 1, changedAt: '2024-03-01T08:00:01.000Z', handled: [purchaseOrderNumber(4)] });
    const env = new MockActivityEnvironment({ heartbeatDetails: { cursor: heartbeated }, attempt: 2 }, { client: hub.client });
    const beats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => beats.push(details));
    const summary = (await env.run(activities.syncConnector, { instanceId: id })) as ConnectorSyncSummary;
    expect(summary).toMatchObject({ active: true, errors: [] });
    const keys = (await contractsOf(flow)).items.map((c) => c.sourceKey);
    expect(keys).toContain(purchaseOrderNumber(6));
    expect(keys).not.toContain(purchaseOrderNumber(0));
    expect(keys).not.toContain(purchaseOrderNumber(4));
    expect(summary.started).toBe(keys.length);
    expect(beats.length).toBeGreaterThan(0);
    expect(await hub.store.connectors.cursor(id)).toBe((beats.at(-1) as { cursor: string }).cursor);
  });
});

describe('an SAP instance fed by webhooks (SAP business events)', () => {
  const pushed = purchaseOrderNumber(9);

  beforeAll(async () => {
    await sap.changePurchaseOrder(pushed, { PurchasingProcessingStatus: '05' });
    const created = await hub.call('POST', '/api/connectors', {
      id: PUSHED, connector: 'sap_purchase_orders', settings: sapSettings(),
      trigger: { kind: 'webhook', auth: { kind: 'hmac-sha256', secret: HOOK_SECRET } }, flow: HOOK_FLOW, mapping: sapPurchaseOrders.defaultMapping,
    });
    expect(created.status).toBe(201);
    expect(created.body.webhook).toEqual({ url: `/hooks/${PUSHED}`, auth: 'hmac-sha256' });
    expect(JSON.stringify(created.body)).not.toContain(HOOK_SECRET);
  });

  it('answers 401 to a bad signature and 400 to a malformed body, and starts nothing', async () => {
    const body = cloudEvent(pushed);
    const forged = await hub.post(`/hooks/${PUSHED}`, body, { 'content-type': 'application/json', ...signWebhook(body, 'not-the-secret-at-all') });
    expect(forged.status).toBe(401);
    const unsigned = await hub.post(`/hooks/${PUSHED}`, body, { 'content-type': 'application/json' });
    expect(unsigned.status).toBe(401);
    const garbage = '{"specversion": "1.0", "id": ';
    const malformed = await hub.post(`/hooks/${PUSHED}`, garbage, { 'content-type': 'application/json', ...signWebhook(garbage, HOOK_SECRET) });
    expect(malformed.status).toBe(400);
    const wrongType = JSON.stringify({ ...JSON.parse(body), type: 'sap.s4.beh.salesorder.v1.SalesOrder.Created.v1' });
    const unknownEvent = await hub.post(`/hooks/${PUSHED}`, wrongType, { 'content-type': 'application/json', ...signWebhook(wrongType, HOOK_SECRET) });
    expect(unknownEvent.status).toBe(400);
    expect((await contractsOf(HOOK_FLOW)).total).toBe(0);
    expect((await hub.post('/hooks/no-such-instance', body, { 'content-type': 'application/json' })).status).toBe(404);
    expect((await hub.post(`/hooks/${POLLING}`, body, { 'content-type': 'application/json' })).status).toBe(404);
  });

  it('starts the contract once for a well-signed event, even when it is delivered twice', async () => {
    const body = cloudEvent(pushed);
    const first = await hub.post(`/hooks/${PUSHED}`, body, { 'content-type': 'application/json', ...signWebhook(body, HOOK_SECRET) });
    expect(first).toMatchObject({ status: 200, body: { read: 1, started: 1, errors: [] } });
    // SAP sends the event again (a new delivery of it, signed anew).
    const second = await hub.post(`/hooks/${PUSHED}`, body, { 'content-type': 'application/json', ...signWebhook(body, HOOK_SECRET) });
    expect(second).toMatchObject({ status: 200, body: { read: 1, started: 0 } });
    const contracts = await contractsOf(HOOK_FLOW);
    expect(contracts.items.map((c) => c.sourceKey)).toEqual([pushed]);
    const contract = await hub.waitFor(contractIdFor(HOOK_FLOW, pushed, hub.taskQueue), (c) => c.revision >= 2);
    // The second delivery re-read the version the contract started from: no change to record.
    expect(contract.timeline.filter((e: any) => e.type === 'source_changed')).toHaveLength(0);
    const health = (await hub.call('GET', `/api/connectors/${PUSHED}`)).body.health;
    expect(health).toMatchObject({ contractsStarted: 1, recordsRead: 2 });
  });

  it('refuses a flood of forged deliveries from one client (401, then 429) and starts nothing', async () => {
    const body = cloudEvent(pushed);
    const answers = await Promise.all(Array.from({ length: 40 }, () => hub.post(`/hooks/${PUSHED}`, body, { 'content-type': 'application/json', ...signWebhook(body, HOOK_SECRET), 'x-sealflow-signature': 'sha256=' + '0'.repeat(64) })));
    const statuses = answers.map((a) => a.status);
    expect(statuses).toContain(429);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    expect((await contractsOf(HOOK_FLOW)).total).toBe(1);
  });

  it('takes no manual sync (it is not polled)', async () => {
    expect(await sync(PUSHED)).toMatchObject({ status: 409, body: { error: { code: 'not_polled' } } });
  });

  it('puts a write-back that SAP refuses on the contract timeline', async () => {
    // SAP answers 404 for a service that does not exist: a refusal no retry mends.
    const moved = await hub.call('PUT', `/api/connectors/${PUSHED}`, { settings: { ...sapSettings(), purchaseOrderServiceUrl: `${sap.origin}/odata/v2/sap/opu/odata/sap/NO_SUCH_SRV` } });
    expect(moved.status).toBe(200);
    const id = contractIdFor(HOOK_FLOW, pushed, hub.taskQueue);
    expect((await hub.call('POST', `/api/contracts/${id}/cancel`, { reason: '订单撤销' })).status).toBe(200);
    const done = await hub.waitFor(id, (c) => c.timeline.some((e: any) => e.type === 'written_back' || e.type === 'write_back_failed'), 30_000);
    expect(done.status).toBe('cancelled');
    expect(done.timeline.at(-1)).toMatchObject({ type: 'write_back_failed', message: expect.stringContaining('declined') });
    expect((await sap.notes()).filter((n) => n.PurchaseOrder === pushed)).toHaveLength(0);
  });
});
