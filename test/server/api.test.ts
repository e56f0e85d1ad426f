// The REST API's promises to callers: clear 4xx errors with JSON paths, nothing stored
// from a refused request, an OpenAPI document that matches the routes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalFlow, exampleFlow, exampleOrder, startTestHub, type TestHub } from '../support/hub';

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub?.close());

describe('flow definitions', () => {
  it('refuses a definition that breaks the schema with 400 and the path of every problem, storing nothing', async () => {
    const flow: any = exampleFlow();
    flow.approval.tiers[1].upTo = 'a lot';
    flow.signers[1].order = 0;
    delete flow.name;
    const { status, body } = await hub.call('POST', '/api/flows', flow);
    expect(status).toBe(400);
    expect(body.error.code).toBe('invalid_flow');
    expect(body.error.details).toEqual(
      expect.arrayContaining([
        { path: '/approval/tiers/1/upTo', message: 'must be number' },
        { path: '/signers/1/order', message: 'must be >= 1' },
        { path: '/name', message: 'is required' },
      ]),
    );
    expect((await hub.call('GET', '/api/flows/supplier-purchase')).status).toBe(404);
    expect((await hub.call('GET', '/api/flows')).body.items).toEqual([]);
  });

  it('versions a flow: draft, publish, a new draft on the next save', async () => {
    const flow = { ...approvalFlow(), key: 'versions-demo' };
    expect((await hub.call('POST', '/api/flows', flow)).body).toMatchObject({ version: 1, status: 'draft' });
    expect((await hub.call('POST', '/api/flows', flow)).status).toBe(409);
    const started = await hub.call('POST', '/api/contracts', { flow: 'versions-demo', data: { poNumber: '1', amount: 1, supplier: { name: 's' } } });
    expect(started.status).toBe(409);
    expect(started.body.error.code).toBe('flow_not_published');

    expect((await hub.call('POST', '/api/flows/versions-demo/publish')).body).toMatchObject({ version: 1, status: 'published' });
    expect((await hub.call('POST', '/api/flows/versions-demo/publish')).status).toBe(409);
    const draft = await hub.call('PUT', '/api/flows/versions-demo', { ...flow, name: '采购合同 v2' });
    expect(draft.body).toMatchObject({ version: 2, status: 'draft', name: '采购合同 v2' });
    const latest = await hub.call('GET', '/api/flows/versions-demo');
    expect(latest.body.versions).toEqual([
      { version: 1, status: 'published', publishedAt: expect.any(String) },
      { version: 2, status: 'draft', publishedAt: null },
    ]);
    expect((await hub.call('GET', '/api/flows/versions-demo?version=1')).body.name).toBe('供应商采购合同');

    const wrongKey = await hub.call('PUT', '/api/flows/versions-demo', { ...flow, key: 'other' });
    expect(wrongKey.status).toBe(400);
    expect(wrongKey.body.error.details).toEqual([{ path: '/key', message: 'must be "versions-demo"' }]);
    const broken = await hub.call('PUT', '/api/flows/versions-demo', { ...flow, approval: { ...flow.approval, tiers: [] } });
    expect(broken.status).toBe(400);
    expect(broken.body.error.details).toEqual([{ path: '/approval/tiers', message: 'must NOT have fewer than 1 items' }]);
    expect((await hub.call('GET', '/api/flows/versions-demo')).body.name).toBe('采购合同 v2');
  });

  it('lets only admins and flow designers change flows', async () => {
    const viewer = await hub.user('viewer', ['buyer']);
    const designer = await hub.user('designer', ['flow-designer']);
    const flow = { ...approvalFlow(), key: 'by-designer' };
    expect((await hub.call('POST', '/api/flows', flow, viewer.token)).status).toBe(403);
    expect((await hub.call('POST', '/api/flows', flow, designer.token)).status).toBe(201);
    expect((await hub.call('GET', '/api/flows/by-designer', undefined, viewer.token)).body.createdBy).toBe(designer.id);
  });

  it('simulates which tier, approvers, documents and signers an order gets', async () => {
    await hub.publish({ ...exampleFlow(), key: 'simulated' });
    const { data } = exampleOrder();
    const { status, body } = await hub.call('POST', '/api/flows/simulated/simulate', { data });
    expect(status).toBe(200);
    expect(body).toMatchObject({ flow: { key: 'simulated', version: 1 }, amount: 118460, tier: { index: 1, upTo: 1_000_000 }, title: '采购合同 4500000001' });
    expect(body.steps.map((s: any) => s.approvers)).toEqual([['role:dept-manager'], ['role:finance-director']]);
    expect(body.documents.filter((d: any) => d.included).map((d: any) => d.id)).toEqual(['contract', 'nda']);
    expect(body.signers.map((s: any) => [s.id, s.name, s.order])).toEqual([['buyer', '上海启明智能制造有限公司', 1], ['supplier', '深圳市华强电子有限公司', 2]]);
    const known = await hub.call('POST', '/api/flows/simulated/simulate', { data: { ...data, supplier: { ...data.supplier, isNew: false } } });
    expect(known.body.documents.filter((d: any) => d.included).map((d: any) => d.id)).toEqual(['contract']);
    expect((await hub.call('GET', '/api/contracts')).body.total).toBe(0);

    const wrong = await hub.call('POST', '/api/flows/simulated/simulate', { data: { ...data, items: 'none' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details).toEqual([{ path: '/data/items', message: 'must be array' }]);
  });
});

describe('starting contracts', () => {
  it('refuses data that does not fit the flow with the JSON path, and starts nothing', async () => {
    await hub.publish({ ...approvalFlow(), key: 'strict' });
    const { status, body } = await hub.call('POST', '/api/contracts', { flow: 'strict', sourceKey: 'X-1', data: { poNumber: 'X-1', supplier: { email: 'not-an-email' } } });
    expect(status).toBe(400);
    expect(body.error.details).toEqual(
      expect.arrayContaining([
        { path: '/data/amount', message: 'is required' },
        { path: '/data/supplier/name', message: 'is required' },
        { path: '/data/supplier/email', message: 'must match format "email"' },
      ]),
    );
    expect((await hub.call('GET', '/api/contracts?flow=strict')).body.total).toBe(0);
  });

  it('answers 404 for an unknown flow and 400 for a malformed body', async () => {
    const unknown = await hub.call('POST', '/api/contracts', { flow: 'nope', data: {} });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.details).toEqual([{ path: '/flow', message: 'names no flow' }]);
    const missing = await hub.call('POST', '/api/contracts', { data: {}, colour: 'red' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toEqual(expect.arrayContaining([{ path: '/flow', message: 'is required' }, { path: '/colour', message: 'is not allowed here' }]));
    const notJson = await hub.call('POST', '/api/contracts', '{"flow": ');
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe('invalid_json');
  });

  it('refuses an amount above a closed last tier with 400 naming the amount expression', async () => {
    const flow = approvalFlow();
    await hub.publish({ ...flow, key: 'capped', approval: { ...flow.approval, tiers: flow.approval.tiers.slice(0, 2) } });
    const { status, body } = await hub.call('POST', '/api/contracts', { flow: 'capped', data: { poNumber: 'big', amount: 5_000_000, supplier: { name: 's' } } });
    expect(status).toBe(400);
    expect(body.error.code).toBe('unroutable');
    expect(body.error.details[0].path).toBe('/approval/amount');
  });

  it('lists contracts by status, flow, text and page', async () => {
    await hub.publish({ ...approvalFlow(), key: 'listed' });
    for (const n of [1, 2, 3]) {
      const started = await hub.call('POST', '/api/contracts', { flow: 'listed', sourceKey: `L-${n}`, data: { poNumber: `L-${n}`, amount: n, supplier: { name: 's' } } });
      expect(started.status).toBe(201);
    }
    const page = await hub.call('GET', '/api/contracts?flow=listed&pageSize=2&page=2');
    expect(page.body).toMatchObject({ total: 3, page: 2, pageSize: 2 });
    expect(page.body.items).toHaveLength(1);
    expect((await hub.call('GET', '/api/contracts?flow=listed&q=l-2')).body.items.map((c: any) => c.sourceKey)).toEqual(['L-2']);
    expect((await hub.call('GET', '/api/contracts?flow=listed&status=approved')).body.total).toBe(0);
    const bad = await hub.call('GET', '/api/contracts?status=lost&page=0');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: any) => d.path).sort()).toEqual(['/page', '/status']);
    expect((await hub.call('GET', '/api/contracts/ct_missing')).status).toBe(404);
  });
});

describe('users and tokens', () => {
  it('creates users only for admins; a user token identifies its holder', async () => {
    const alice = await hub.user('Alice', ['finance-director']);
    const me = await hub.call('GET', '/api/me', undefined, alice.token);
    expect(me.body).toMatchObject({ id: alice.id, name: 'Alice', roles: ['finance-director'], tenantId: 'default', unit: null, via: 'api-key' });
    expect((await hub.call('POST', '/api/users', { name: 'Mallory', roles: ['admin'] }, alice.token)).status).toBe(403);
    expect((await hub.call('GET', '/api/me', undefined, 'sf_not-a-token')).status).toBe(401);
    const invalid = await hub.call('POST', '/api/users', { name: '', roles: ['has space'] });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details.map((d: any) => d.path).sort()).toEqual(['/name', '/roles/0']);
  });
});

describe('health and the API description', () => {
  it('reports Temporal and the database as up', async () => {
    expect(await hub.call('GET', '/healthz', undefined, null)).toEqual({ status: 200, body: { ok: true, temporal: 'up', database: 'up' } });
  });

  it('answers unknown routes with a JSON 404', async () => {
    const { status, body } = await hub.call('GET', '/api/nothing-here');
    expect(status).toBe(404);
    expect(body.error.code).toBe('not_found');
  });

  it('publishes an OpenAPI document whose paths are exactly the routes the server answers', async () => {
    const { body: doc } = await hub.call('GET', '/openapi.json', undefined, null);
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods as object).map((m) => `${m.toUpperCase()} ${path}`));
    expect(documented).toEqual(expect.arrayContaining(['POST /api/flows', 'POST /api/flows/{key}/simulate', 'POST /api/contracts', 'GET /api/contracts/{id}', 'POST /api/contracts/{id}/approvals', 'POST /api/users', 'GET /healthz']));
    // every documented operation exists: none answers "No route"
    for (const op of documented) {
      const [method, path] = op.split(' ');
      const { status, body } = await hub.call(method, path.replace(/\{[^}]+\}/g, 'x'), method === 'GET' ? undefined : {});
      expect(status === 404 && body?.error?.message?.startsWith('No route'), `${op} is documented but not served`).toBe(false);
    }
    expect(doc.paths['/api/contracts'].post.requestBody.content['application/json'].schema.required).toEqual(['flow', 'data']);
  });
});
