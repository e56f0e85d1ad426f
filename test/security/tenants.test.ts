// Tenants through the REST API of a running hub: two companies configure flows, templates,
// connectors and seals under the very same names, start contracts, and neither can read,
// change or even detect what the other has (404, never 403 or 409). The hub's admin opens
// tenants; a tenant's admin builds its org tree.
import { randomBytes } from 'node:crypto';
import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../connectors';
import { sapPurchaseOrders } from '../../connectors/sap';
import type { FlowDefinition } from '../../flows';
import { openStore } from '../../store';
import { openDatabase } from '../../store/database';
import { migrations } from '../../store/migrations';
import { createTestDatabase, dialects } from '../support/databases';
import { approvalFlow, startTestHub, type TestHub } from '../support/hub';
import { startSapServer, type SapServer } from '../connectors/sap-server';
import { isReleasedInSeed, purchaseOrderNumber } from '../connectors/sap-server/seed';

const suffix = randomBytes(4).toString('hex');
const order = (poNumber: string, amount = 5000, supplier = '深圳市华强电子有限公司') => ({ poNumber, amount, supplier: { name: supplier } });
const paths = (body: any) => (body.error?.details ?? []).map((d: any) => d.path);

/** A one-document flow on an uploaded template `notice` (whichever tenant's it finds). */
const noticeFlow = (key: string): FlowDefinition =>
  ({
    key,
    name: '制度告知',
    approval: { amount: '=0', tiers: [{ steps: [{ approvers: ['role:dept-manager'] }] }] },
    documents: [{ id: 'notice', template: 'notice' }],
    signers: [{ id: 'employee', party: 'person', name: '=employee.name', documents: ['notice'] }],
  }) as unknown as FlowDefinition;
const noticeSchema = { type: 'object', required: ['employee'], properties: { employee: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } };
const noticeSource = (company: string) => [`# ${company}制度告知书`, '', `员工 {{employee.name}} 已阅读${company}的制度。`, '', '::: signature employee 员工签字'].join('\n');

interface TenantHandle {
  id: string;
  name: string;
  /** The tenant-admin's personal API key. */
  token: string;
  adminId: string;
  login: string;
  password: string;
}

describe.each(dialects)('tenants on %s', (dialect) => {
  let hub: TestHub;
  let a: TenantHandle;
  let b: TenantHandle;
  const as = (tenant: TenantHandle) => (method: string, path: string, body?: unknown) => hub.call(method, path, body, tenant.token);

  async function openTenant(name: string): Promise<TenantHandle> {
    const login = `admin-${name}-${suffix}-${dialect}`;
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const created = await hub.call('POST', '/api/tenants', { name, admin: { name: `${name}管理员`, login, password } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return { id: created.body.tenant.id, name, token: created.body.admin.token, adminId: created.body.admin.id, login, password };
  }

  beforeAll(async () => {
    hub = await startTestHub({ dialect });
    a = await openTenant('甲公司');
    b = await openTenant('乙公司');
    // Each tenant publishes the example's flow under the same key (supplier-purchase), named its own way.
    for (const tenant of [a, b]) {
      const created = await as(tenant)('POST', '/api/flows', { ...approvalFlow(), name: `${tenant.name}采购` });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect((await as(tenant)('POST', `/api/flows/${approvalFlow().key}/publish`)).status).toBe(200);
    }
  }, 120_000);
  afterAll(() => hub?.close());

  describe('opening tenants', () => {
    it('gives each tenant a tenant-admin who signs in with the password and belongs to that tenant only', async () => {
      const me = await as(a)('GET', '/api/me');
      expect(me.body).toMatchObject({ id: a.adminId, tenantId: a.id, roles: ['tenant-admin'], unit: null });
      const session = await hub.call('POST', '/api/session', { login: a.login, password: a.password }, null);
      expect(session.status).toBe(200);
      expect(session.body.user).toMatchObject({ id: a.adminId, tenantId: a.id });
      // A's admin sees A's users only: not B's admin, not the default tenant's.
      const users = (await as(a)('GET', '/api/users')).body.items.map((u: any) => u.id);
      expect(users).toEqual([a.adminId]);
    });

    it('lets only the hub admin open and list tenants', async () => {
      const listed = (await hub.call('GET', '/api/tenants')).body.items.map((t: any) => t.id);
      expect(listed).toEqual(expect.arrayContaining(['default', a.id, b.id]));
      expect((await as(a)('GET', '/api/tenants')).status).toBe(403);
      expect((await as(a)('POST', '/api/tenants', { name: '丙', admin: { name: 'x', login: `x-${suffix}`, password: 'long-enough-1' } })).status).toBe(403);
    });

    it('refuses a taken login and a bad body with their paths, leaving no tenant behind', async () => {
      const before = (await hub.call('GET', '/api/tenants')).body.items.length;
      const taken = await hub.call('POST', '/api/tenants', { name: '丙公司', admin: { name: '丙', login: a.login.toUpperCase(), password: 'long-enough-1' } });
      expect(taken.status).toBe(409);
      expect(paths(taken.body)).toEqual(['/admin/login']);
      const short = await hub.call('POST', '/api/tenants', { name: '丙公司', admin: { name: '丙', login: `c-${suffix}`, password: 'short' } });
      expect(short.status).toBe(400);
      expect(paths(short.body)).toContain('/admin/password');
      expect((await hub.call('GET', '/api/tenants')).body.items).toHaveLength(before);
    });
  });

  describe('org units', () => {
    it("builds a tenant's tree and refuses a parent of another tenant as no unit at all", async () => {
      const group = await as(a)('POST', '/api/units', { name: '甲集团' });
      expect(group.status).toBe(201);
      const branch = await as(a)('POST', '/api/units', { name: '华东分公司', parentId: group.body.id });
      expect(branch.status).toBe(201);
      expect(branch.body).toMatchObject({ tenantId: a.id, parentId: group.body.id, path: `/${group.body.id}/${branch.body.id}/` });
      expect((await as(a)('GET', '/api/units')).body.items.map((u: any) => u.name)).toEqual(['甲集团', '华东分公司']);

      const foreign = await as(b)('POST', '/api/units', { name: '偷梁换柱', parentId: group.body.id });
      expect(foreign.status).toBe(400);
      expect(paths(foreign.body)).toEqual(['/parentId']);
      const unknown = await as(b)('POST', '/api/units', { name: '无', parentId: 'ou_nothing' });
      expect(unknown.body.error).toEqual({ ...foreign.body.error, message: foreign.body.error.message.replace(group.body.id, 'ou_nothing') });
      expect((await as(b)('GET', '/api/units')).body.items).toEqual([]);
      // A business user has no users.manage.
      const clerk = await as(a)('POST', '/api/users', { name: '甲业务员', roles: ['business-user'] });
      expect((await hub.call('GET', '/api/units', undefined, clerk.body.token)).status).toBe(403);
    });
  });

  describe('flows', () => {
    const shared = approvalFlow();
    const aOnly = `a-only-${suffix}`;

    beforeAll(async () => {
      expect((await as(a)('POST', '/api/flows', { ...shared, key: aOnly })).status).toBe(201);
    });

    it('lets two tenants hold a flow of the same key, each seeing its own', async () => {
      expect((await as(a)('GET', `/api/flows/${shared.key}`)).body).toMatchObject({ key: shared.key, name: '甲公司采购', version: 1, status: 'published' });
      expect((await as(b)('GET', `/api/flows/${shared.key}`)).body).toMatchObject({ key: shared.key, name: '乙公司采购', version: 1, status: 'published' });
      expect((await as(a)('GET', '/api/flows')).body.items.map((f: any) => f.key)).toEqual([aOnly, shared.key]);
      expect((await as(b)('GET', '/api/flows')).body.items.map((f: any) => [f.key, f.name])).toEqual([[shared.key, '乙公司采购']]);
    });

    it("answers 404 to every call on another tenant's flow, exactly as for a flow that does not exist", async () => {
      const calls: Array<[string, string, unknown?]> = [
        ['GET', `/api/flows/${aOnly}`],
        ['PUT', `/api/flows/${aOnly}`, { ...shared, key: aOnly }],
        ['POST', `/api/flows/${aOnly}/publish`],
        ['POST', `/api/flows/${aOnly}/simulate`, { data: order('PO-SIM') }],
      ];
      for (const [method, path, body] of calls) {
        const theirs = await as(b)(method, path, body);
        const none = await as(b)(method, path.replace(aOnly, `never-${suffix}`), body === undefined ? undefined : { ...(body as object), ...((body as any).key ? { key: `never-${suffix}` } : {}) });
        expect(theirs.status, `${method} ${path}`).toBe(404);
        expect(none.status).toBe(404);
      }
      const start = await as(b)('POST', '/api/contracts', { flow: aOnly, data: order('PO-X') });
      expect(start.status).toBe(404);
      expect(paths(start.body)).toEqual(['/flow']);
      // A's draft is untouched by B's attempts.
      expect((await as(a)('GET', `/api/flows/${aOnly}`)).body).toMatchObject({ version: 1, status: 'draft' });
    });

    it("lets B create a key A already has: a conflict would tell B that A's exists", async () => {
      const mine = await as(b)('POST', '/api/flows', { ...shared, key: aOnly, name: '乙的同名流程' });
      expect(mine.status).toBe(201);
      expect((await as(a)('GET', `/api/flows/${aOnly}`)).body.name).toBe(shared.name);
      // Within one tenant the key is still unique.
      expect((await as(b)('POST', '/api/flows', { ...shared, key: aOnly })).status).toBe(409);
    });

    it('starts contracts in each tenant from its own flow; the same flow and source key are two contracts', async () => {
      const sourceKey = `PO-SAME-${suffix}`;
      const inA = await as(a)('POST', '/api/contracts', { flow: shared.key, sourceKey, data: order(sourceKey, 1000) });
      const inB = await as(b)('POST', '/api/contracts', { flow: shared.key, sourceKey, data: order(sourceKey, 2000) });
      expect(inA.status).toBe(201);
      expect(inB.status).toBe(201);
      expect(inA.body.id).not.toBe(inB.body.id);
      // Again in A: the same contract (idempotent within the tenant).
      const again = await as(a)('POST', '/api/contracts', { flow: shared.key, sourceKey, data: order(sourceKey, 1000) });
      expect(again).toMatchObject({ status: 200, body: { id: inA.body.id } });

      expect((await as(a)('GET', `/api/contracts/${inA.body.id}`)).body).toMatchObject({ data: { amount: 1000 }, flowKey: shared.key });
      expect((await as(b)('GET', `/api/contracts/${inB.body.id}`)).body).toMatchObject({ data: { amount: 2000 }, flowKey: shared.key });
      expect((await as(a)('GET', `/api/contracts/${inB.body.id}`)).status).toBe(404);
      expect((await as(b)('GET', `/api/contracts/${inA.body.id}`)).status).toBe(404);
      expect((await as(b)('GET', `/api/contracts?flow=${shared.key}&pageSize=200`)).body.items.map((c: any) => c.id)).toEqual([inB.body.id]);
    });

    it("keeps the default tenant's flows as they were: the admin token sees none of the tenants' flows", async () => {
      const keys = (await hub.call('GET', '/api/flows')).body.items.map((f: any) => f.key);
      expect(keys).not.toContain(aOnly);
      expect((await hub.call('GET', `/api/flows/${shared.key}`)).status).toBe(404);
      expect((await hub.call('POST', '/api/flows', shared)).status).toBe(201);
    });
  });

  describe('templates', () => {
    it("renders each tenant's contracts with its own template of a shared id; another tenant's template does not exist", async () => {
      for (const tenant of [a, b]) {
        const saved = await as(tenant)('PUT', '/api/templates/notice', { title: `${tenant.name}制度告知书`, source: noticeSource(tenant.name), schema: noticeSchema });
        expect(saved.status, JSON.stringify(saved.body)).toBe(200);
      }
      const aOnly = `a-tpl-${suffix}`;
      expect((await as(a)('PUT', `/api/templates/${aOnly}`, { title: '甲专用', source: noticeSource('甲'), schema: noticeSchema })).status).toBe(200);

      const listed = (t: TenantHandle) => as(t)('GET', '/api/templates').then((r) => r.body.items);
      const bList = await listed(b);
      expect(bList.filter((t: any) => t.origin === 'uploaded').map((t: any) => [t.id, t.title])).toEqual([['notice', '乙公司制度告知书']]);
      // The shipped templates are every tenant's.
      expect(bList.map((t: any) => t.id)).toEqual(expect.arrayContaining(['purchase-contract', 'nda']));
      expect((await as(b)('POST', `/api/templates/${aOnly}/preview`, {})).status).toBe(404);
      const refused = await as(b)('POST', '/api/flows', { ...noticeFlow(`uses-a-${suffix}`), documents: [{ id: 'notice', template: aOnly }] });
      expect(refused.status).toBe(400);
      expect(paths(refused.body)).toEqual(['/documents/0/template']);
      // A shipped id stays the shipped template for everyone.
      expect((await as(b)('PUT', '/api/templates/nda', { title: 'x', source: noticeSource('乙'), schema: noticeSchema })).status).toBe(409);

      // B's contract: approved by B's manager, its document is B's template.
      const manager = await as(b)('POST', '/api/users', { name: '乙经理', roles: ['dept-manager'] });
      const flowKey = `notice-${suffix}`;
      expect((await as(b)('POST', '/api/flows', noticeFlow(flowKey))).status).toBe(201);
      expect((await as(b)('POST', `/api/flows/${flowKey}/publish`)).status).toBe(200);
      const started = await as(b)('POST', '/api/contracts', { flow: flowKey, data: { employee: { name: '王五' } } });
      expect(started.status, JSON.stringify(started.body)).toBe(201);
      const waitAsB = async (until: (c: any) => boolean) => {
        for (let i = 0; i < 200; i++) {
          const contract = (await as(b)('GET', `/api/contracts/${started.body.id}`)).body;
          if (until(contract)) return contract;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error('contract did not get there');
      };
      await waitAsB((c) => c.steps?.[0]?.status === 'pending');
      // The preview before approval is B's template too.
      const preview = await fetch(`${hub.url}/api/contracts/${started.body.id}/documents/notice.pdf`, { headers: { authorization: `Bearer ${b.token}` } });
      expect(preview.status).toBe(200);
      expect(preview.headers.get('x-sealflow-document')).toBe('preview');
      const decided = await hub.call('POST', `/api/contracts/${started.body.id}/approvals`, { decision: 'approve' }, manager.body.token);
      expect(decided.status, JSON.stringify(decided.body)).toBe(200);
      const signing = await waitAsB((c) => c.status === 'signing' || c.status === 'failed');
      expect(signing.status).toBe('signing');
      // The document has no title of its own: it carries its template's, which is B's.
      expect(signing.documents.map((d: any) => [d.template, d.title])).toEqual([['notice', '乙公司制度告知书']]);
    });
  });

  describe('connectors', () => {
    const KEY = 'bpm-hook';
    const SECRET = 'bpm-webhook-secret-0123456789abcdef';
    const instance = (extra: object = {}) => ({
      id: KEY, connector: 'bpm_webhook', settings: { timeoutMs: 5000 },
      trigger: { kind: 'webhook', auth: { kind: 'hmac-sha256', secret: SECRET } }, flow: 'supplier-purchase', mapping: 'variables', ...extra,
    });
    const deliver = (url: string, businessKey: string, variables: unknown) => {
      const body = JSON.stringify({ processInstanceId: `p-${businessKey}`, businessKey, variables });
      return hub.post(url, body, { 'content-type': 'application/json', ...signWebhook(body, SECRET) });
    };
    let unitOfB: { id: string; path: string };
    let hookOfA: string;
    let hookOfB: string;

    beforeAll(async () => {
      const unit = await as(b)('POST', '/api/units', { name: '乙采购部' });
      unitOfB = { id: unit.body.id, path: unit.body.path };
    });

    it('lets two tenants name an instance alike, with webhook URLs of their own, and refuses a unit of another tenant', async () => {
      const foreignUnit = await as(a)('POST', '/api/connectors', instance({ orgUnit: unitOfB.id }));
      expect(foreignUnit.status).toBe(400);
      expect(paths(foreignUnit.body)).toEqual(['/orgUnit']);

      const inA = await as(a)('POST', '/api/connectors', instance());
      const inB = await as(b)('POST', '/api/connectors', instance({ orgUnit: unitOfB.id }));
      expect(inA.status, JSON.stringify(inA.body)).toBe(201);
      expect(inB.status, JSON.stringify(inB.body)).toBe(201);
      expect(inA.body).toMatchObject({ id: KEY, orgUnit: null });
      expect(inB.body).toMatchObject({ id: KEY, orgUnit: unitOfB.id });
      hookOfA = inA.body.webhook.url;
      hookOfB = inB.body.webhook.url;
      expect(hookOfA).not.toBe(hookOfB);
      expect(JSON.stringify(inB.body)).not.toContain(SECRET);

      expect((await as(a)('GET', '/api/connectors')).body.instances).toHaveLength(1);
      expect((await as(b)('GET', '/api/connectors')).body.instances.map((i: any) => i.orgUnit)).toEqual([unitOfB.id]);
      expect((await as(a)('POST', '/api/connectors', instance())).status).toBe(409);
    });

    it("answers 404 to every call on another tenant's instance", async () => {
      const bOnly = `b-only-${suffix}`;
      expect((await as(b)('POST', '/api/connectors', instance({ id: bOnly }))).status).toBe(201);
      for (const [method, path, body] of [
        ['GET', `/api/connectors/${bOnly}`],
        ['PUT', `/api/connectors/${bOnly}`, { enabled: false }],
        ['POST', `/api/connectors/${bOnly}/preview`, { sample: {} }],
        ['POST', `/api/connectors/${bOnly}/check`],
        ['POST', `/api/connectors/${bOnly}/sync`],
      ] as Array<[string, string, unknown?]>) {
        expect((await as(a)(method, path, body)).status, `${method} ${path}`).toBe(404);
      }
      expect((await as(b)('GET', `/api/connectors/${bOnly}`)).body.enabled).toBe(true);
    });

    it("starts contracts owned by the instance's tenant and unit, from that tenant's flow", async () => {
      const key = `WF-${suffix}`;
      const toB = await deliver(hookOfB, key, order(key, 7000));
      expect(toB).toMatchObject({ status: 200, body: { read: 1, started: 1 } });
      const toA = await deliver(hookOfA, key, order(key, 3000));
      expect(toA).toMatchObject({ status: 200, body: { read: 1, started: 1 } });

      const mine = (tenant: TenantHandle) => as(tenant)('GET', `/api/contracts?q=${key}&pageSize=50`).then((r) => r.body.items);
      const [ofA] = await mine(a);
      const [ofB] = await mine(b);
      expect(ofA.id).not.toBe(ofB.id);
      const contractB = (await as(b)('GET', `/api/contracts/${ofB.id}`)).body;
      expect(contractB).toMatchObject({ data: { amount: 7000 }, owner: { tenantId: b.id, unit: unitOfB } });
      expect(ofB.orgUnit).toBe(unitOfB.id);
      expect((await as(a)('GET', `/api/contracts/${ofA.id}`)).body).toMatchObject({ data: { amount: 3000 }, owner: { tenantId: a.id, unit: null } });
      expect((await as(a)('GET', `/api/contracts/${ofB.id}`)).status).toBe(404);
      // The default tenant (admin token) sees neither.
      expect((await hub.call('GET', `/api/contracts/${ofB.id}`)).status).toBe(404);
    });
  });

  describe('a connector whose org unit comes from each record', () => {
    it('puts each contract in the unit its expression gives, fails a record whose unit is not the tenant\'s, and refuses a broken expression', async () => {
      const big = (await as(b)('POST', '/api/units', { name: '乙大宗采购' })).body;
      const small = (await as(b)('POST', '/api/units', { name: '乙零星采购' })).body;
      const foreign = (await as(a)('POST', '/api/units', { name: '甲某部' })).body;
      const SECRET = 'routed-webhook-secret-0123456789ab';
      const base = { connector: 'bpm_webhook', settings: { timeoutMs: 5000 }, trigger: { kind: 'webhook', auth: { kind: 'hmac-sha256', secret: SECRET } }, flow: 'supplier-purchase', mapping: 'variables' };

      const broken = await as(b)('POST', '/api/connectors', { ...base, id: 'routed-bad', orgUnit: '=amount > ? "x"' });
      expect(broken.status).toBe(400);
      expect(paths(broken.body)).toEqual(['/orgUnit']);

      const routing = `=amount > 10000 ? "${big.id}" : (supplier.name = "外部公司" ? "${foreign.id}" : "${small.id}")`;
      const created = await as(b)('POST', '/api/connectors', { ...base, id: 'routed', orgUnit: routing });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const deliver = (businessKey: string, variables: unknown) => {
        const body = JSON.stringify({ processInstanceId: `p-${businessKey}`, businessKey, variables });
        return hub.post(created.body.webhook.url, body, { 'content-type': 'application/json', ...signWebhook(body, SECRET) });
      };

      const keys = [`RT-BIG-${suffix}`, `RT-SMALL-${suffix}`, `RT-FOREIGN-${suffix}`];
      expect((await deliver(keys[0], order(keys[0], 50000))).body).toMatchObject({ started: 1 });
      expect((await deliver(keys[1], order(keys[1], 800))).body).toMatchObject({ started: 1 });
      // A's unit is no unit of B: that record fails, and no contract starts.
      const refused = await deliver(keys[2], order(keys[2], 800, '外部公司'));
      expect(refused.body).toMatchObject({ started: 0, errors: [{ sourceKey: keys[2], message: expect.stringContaining('no org unit of this tenant') }] });

      const unitOf = async (key: string) => (await as(b)('GET', `/api/contracts?q=${key}&pageSize=5`)).body.items.map((c: any) => c.orgUnit);
      expect(await unitOf(keys[0])).toEqual([big.id]);
      expect(await unitOf(keys[1])).toEqual([small.id]);
      expect(await unitOf(keys[2])).toEqual([]);
    });
  });

  describe('a polling connector', () => {
    let sap: SapServer;
    beforeAll(async () => {
      sap = await startSapServer({ pageSize: 100 });
      await sap.seed({ count: 4, releasedEvery: 2 });
    });
    afterAll(() => sap?.stop());

    it("syncs into its tenant: the contracts are its tenant's, in its unit, started from its tenant's flow", async () => {
      const unit = (await as(b)('POST', '/api/units', { name: '乙华南采购' })).body;
      const flowKey = `sap-po-${suffix}`;
      // A has a flow of the same key too, which must not be the one used.
      for (const tenant of [a, b]) {
        expect((await as(tenant)('POST', '/api/flows', { ...approvalFlow(), key: flowKey, name: `${tenant.name} SAP` })).status).toBe(201);
        expect((await as(tenant)('POST', `/api/flows/${flowKey}/publish`)).status).toBe(200);
      }
      const created = await as(b)('POST', '/api/connectors', {
        id: 'sap-poll', connector: 'sap_purchase_orders', orgUnit: unit.id, trigger: { kind: 'poll', everyMinutes: 60 }, flow: flowKey, mapping: sapPurchaseOrders.defaultMapping,
        settings: { purchaseOrderServiceUrl: sap.purchaseOrderServiceUrl, businessPartnerServiceUrl: sap.businessPartnerServiceUrl, username: 'SEALFLOW_COMM', password: 'sap-password-0123', pageSize: 50, changedSince: '2024-01-01T00:00:00Z' },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const synced = await as(b)('POST', '/api/connectors/sap-poll/sync');
      expect(synced.status, JSON.stringify(synced.body)).toBe(200);
      // The loop syncs as soon as it starts; the manual sync runs after that one.
      expect(synced.body).toMatchObject({ instance: 'sap-poll', active: true, errors: [] });
      const released = Array.from({ length: 4 }, (_, i) => i).filter((i) => isReleasedInSeed(i, { releasedEvery: 2 })).map((i) => purchaseOrderNumber(i));
      expect(released.length).toBeGreaterThan(0);

      const listed = (await as(b)('GET', `/api/contracts?flow=${flowKey}&pageSize=200`)).body.items;
      expect(listed.map((c: any) => c.sourceKey).sort()).toEqual([...released].sort());
      expect(listed.every((c: any) => c.orgUnit === unit.id)).toBe(true);
      const one = (await as(b)('GET', `/api/contracts/${listed[0].id}`)).body;
      expect(one).toMatchObject({ flowName: `${b.name} SAP`, owner: { tenantId: b.id, unit: { id: unit.id, path: unit.path } } });
      expect((await as(a)('GET', `/api/contracts?flow=${flowKey}&pageSize=200`)).body.items).toEqual([]);
      expect((await as(a)('POST', '/api/connectors/sap-poll/sync')).status).toBe(404);
    });
  });

  describe('seals', () => {
    it("takes only the tenant's own users, and keeps seals of the same name apart", async () => {
      const foreign = await as(b)('PUT', '/api/seals/contract-seal', { company: '乙公司', users: [b.adminId, a.adminId] });
      expect(foreign.status).toBe(400);
      expect(paths(foreign.body)).toEqual(['/users/1']);
      expect((await as(b)('PUT', '/api/seals/contract-seal', { company: '乙公司', users: [b.adminId] })).status).toBe(201);
      expect((await as(a)('PUT', '/api/seals/contract-seal', { company: '甲公司', users: [a.adminId] })).status).toBe(201);
      expect((await as(a)('GET', '/api/seals/contract-seal')).body).toMatchObject({ company: '甲公司', users: [a.adminId] });
      expect((await as(b)('GET', '/api/seals')).body.items.map((s: any) => s.company)).toEqual(['乙公司']);
      expect((await hub.call('GET', '/api/seals/contract-seal')).status).toBe(404);
    });
  });
});

describe.each(dialects)('a database from before tenant keys, on %s', (dialect) => {
  it("keeps its flows, templates, seals and connector instances in the default tenant, under the same names", async () => {
    const database = await createTestDatabase(dialect);
    try {
      // The schema as the release with migration 0010 left it, with a row in each table.
      const old = openDatabase(database.options);
      const before = Object.fromEntries(Object.entries(migrations(dialect)).filter(([name]) => name <= '0010_access'));
      const migrated = await new Migrator({ db: old.db, provider: { getMigrations: async () => before } }).migrateToLatest();
      expect(migrated.error).toBeUndefined();
      const at = '2026-01-01T00:00:00.000Z';
      const definition = JSON.stringify({ ...approvalFlow(), key: 'legacy-flow', name: '旧流程' });
      await sql`insert into flows (key, name, latest_version, published_version, created_at, updated_at) values ('legacy-flow', '旧流程', 2, 1, ${at}, ${at})`.execute(old.db);
      await sql`insert into flow_versions (flow_key, version, status, name, definition, created_at, created_by, published_at, published_by)
                values ('legacy-flow', 1, 'published', '旧流程', ${definition}, ${at}, 'u_old', ${at}, 'u_old'), ('legacy-flow', 2, 'draft', '旧流程', ${definition}, ${at}, 'u_old', null, null)`.execute(old.db);
      await sql`insert into templates (id, title, source, schema, sample, updated_at, updated_by) values ('legacy-notice', '旧告知书', '# 旧', '{"type":"object"}', null, ${at}, 'u_old')`.execute(old.db);
      await sql`insert into seals (name, company, users, created_at, updated_at, updated_by) values ('contract-seal', '旧公司', '["u_old"]', ${at}, ${at}, 'u_old')`.execute(old.db);
      await sql`insert into connectors (id, connector, name, flow, mapping, trigger, settings, secrets, webhook_auth, enabled, created_at, updated_at, updated_by)
                values ('legacy-sap', 'sap_purchase_orders', '旧 SAP', 'legacy-flow', '$', '{"kind":"poll","everyMinutes":60}', '{}', '{}', null, 1, ${at}, ${at}, 'u_old')`.execute(old.db);
      await old.release();

      const store = await openStore(database.options);
      try {
        expect((await store.flows.list('default')).map((f) => [f.key, f.latestVersion, f.publishedVersion])).toEqual([['legacy-flow', 2, 1]]);
        expect(await store.flows.published('default', 'legacy-flow')).toMatchObject({ version: 1, name: '旧流程', createdBy: 'u_old' });
        expect((await store.flows.versions('default', 'legacy-flow')).map((v) => v.status)).toEqual(['published', 'draft']);
        expect(await store.templates.get('default', 'legacy-notice')).toMatchObject({ title: '旧告知书' });
        expect(await store.seals.get('default', 'contract-seal')).toMatchObject({ company: '旧公司', users: ['u_old'] });
        expect(await store.connectors.get('default', 'legacy-sap')).toMatchObject({ id: 'legacy-sap', key: 'legacy-sap', tenantId: 'default', orgUnit: null, flow: 'legacy-flow' });
        // The new keys are per tenant: another tenant takes the same names.
        const other = await store.tenants.create('新租户');
        await store.flows.create(other.id, { ...approvalFlow(), key: 'legacy-flow' }, 'u_new');
        await store.seals.put(other.id, { name: 'contract-seal', company: '新公司', users: [], updatedBy: 'u_new' });
        expect((await store.flows.get('default', 'legacy-flow'))?.version).toBe(2);
        expect((await store.seals.get('default', 'contract-seal'))?.company).toBe('旧公司');
        // And the old version row still belongs to its flow: saving a draft edits version 2.
        await store.flows.saveDraft('default', 'legacy-flow', { ...approvalFlow(), key: 'legacy-flow', name: '旧流程 v2' }, 'u_old');
        expect((await store.flows.versions('default', 'legacy-flow')).map((v) => v.name)).toEqual(['旧流程', '旧流程 v2']);
      } finally {
        await store.close();
      }
    } finally {
      await database.drop();
    }
  }, 60_000);
});
