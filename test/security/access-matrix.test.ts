// Who sees and does what, through the REST API of a running hub: every route against every
// role (the table below is the design, written out; a route missing from it fails the test),
// and contracts read and written across tenants and across sibling units of the org tree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrgUnit } from '../../store';
import { approvalFlow, startTestHub, type TestHub } from '../support/hub';

type Role = 'tenant-admin' | 'flow-designer' | 'integration-admin' | 'business-user' | 'approver' | 'legal' | 'viewer';
const ROLES: Role[] = ['tenant-admin', 'flow-designer', 'integration-admin', 'business-user', 'approver', 'legal', 'viewer'];

/** Everyone who follows contracts (integration admins configure connectors and see no contracts). */
const READERS: Role[] = ['tenant-admin', 'flow-designer', 'business-user', 'approver', 'legal', 'viewer'];

/**
 * The design: which roles may call each route ('public': anyone, no sign-in; 'user': anyone
 * signed in; 'session': a browser session, not a bearer key — covered by test/security/auth.test.ts). The bootstrap admin may call everything and is checked separately.
 */
const MATRIX: Record<string, 'public' | 'user' | 'session' | Role[]> = {
  'get /healthz': 'public',
  'get /openapi.json': 'public',
  'get /api/schemas/flow.json': 'public',
  'get /api/me': 'user',
  // the console's font of rarer hanzi from data (server/designer.ts)
  'get /api/console/font.woff2': 'user',
  // flows and templates: designers write, everyone who works with contracts reads
  'post /api/flows': ['tenant-admin', 'flow-designer'],
  'get /api/flows': ['tenant-admin', 'flow-designer', 'integration-admin', 'business-user', 'approver', 'legal', 'viewer'],
  'get /api/flows/:key': ['tenant-admin', 'flow-designer', 'integration-admin', 'business-user', 'approver', 'legal', 'viewer'],
  'put /api/flows/:key': ['tenant-admin', 'flow-designer'],
  'post /api/flows/:key/publish': ['tenant-admin', 'flow-designer'],
  'post /api/flows/:key/simulate': ['tenant-admin', 'flow-designer', 'integration-admin', 'business-user', 'approver', 'legal', 'viewer'],
  'get /api/templates': ['tenant-admin', 'flow-designer', 'integration-admin', 'business-user', 'approver', 'legal', 'viewer'],
  'get /api/templates/:id': ['tenant-admin', 'flow-designer', 'integration-admin', 'business-user', 'approver', 'legal', 'viewer'],
  'put /api/templates/:id': ['tenant-admin', 'flow-designer'],
  'post /api/templates/:id/try': ['tenant-admin', 'flow-designer'],
  'post /api/templates/:id/preview': ['tenant-admin', 'flow-designer', 'integration-admin', 'business-user', 'approver', 'legal', 'viewer'],
  // contracts
  'post /api/contracts': ['tenant-admin', 'business-user'],
  'get /api/contracts': READERS,
  'get /api/contracts/:id': READERS,
  'get /api/contracts/:id/documents/:doc.pdf': READERS,
  'get /api/contracts/:id/evidence.pdf': READERS,
  'post /api/contracts/:id/approvals': ['tenant-admin', 'approver', 'legal'],
  'post /api/contracts/:id/nudge': ['tenant-admin', 'business-user'],
  'post /api/contracts/:id/cancel': ['tenant-admin', 'business-user'],
  'get /api/contracts/counts': READERS,
  'get /api/contracts/export.csv': READERS,
  'get /api/contracts/export.xlsx': READERS,
  'post /api/contracts/bulk/nudge': ['tenant-admin', 'business-user'],
  'post /api/contracts/bulk/signed.zip': READERS,
  // 证据包: identity records and the whole history, for admins and legal (right contracts.evidence)
  'get /api/contracts/:id/evidence.zip': ['tenant-admin', 'legal'],
  'post /api/contracts/bulk/evidence.zip': ['tenant-admin', 'legal'],
  'get /api/attention': READERS,
  'get /api/stats': READERS,
  'get /api/events': READERS,
  // 操作留痕: admins and legal
  'get /api/audit': ['tenant-admin', 'legal'],
  'get /api/audit/export.csv': ['tenant-admin', 'legal'],
  // signing in, and one's own keys
  'post /api/session': 'public',
  'get /api/session': 'session',
  'delete /api/session': 'user',
  'post /api/session/password': 'user',
  'post /api/keys': 'user',
  'get /api/keys': 'user',
  'post /api/keys/:id/revoke': 'user',
  'post /api/keys/:id/rotate': 'user',
  // tenants are the hub operator's; units and users the tenant admin's
  'post /api/tenants': [],
  'get /api/tenants': [],
  'get /api/units': ['tenant-admin'],
  'post /api/units': ['tenant-admin'],
  'get /api/users/:id': ['tenant-admin'],
  'put /api/users/:id': ['tenant-admin'],
  'post /api/users/:id/disable': ['tenant-admin'],
  'post /api/users/:id/enable': ['tenant-admin'],
  // people and seals
  'post /api/users': ['tenant-admin'],
  'get /api/users': ['tenant-admin'],
  'get /api/seals': ['tenant-admin'],
  'get /api/seals/:name': ['tenant-admin'],
  'put /api/seals/:name': ['tenant-admin'],
  'get /api/outbox': [],
  // Prometheus: counts across tenants, the admin's (a key scoped to metrics.read alone), see server/routes/metrics.ts
  'get /metrics': [],
  // the CA's revocations: the hub admin's (hub.manage), see server/routes/pki.ts
  'get /api/pki/revocations': [],
  // identity providers' calls and costs across tenants: the hub admin's (identity.costs), see server/routes/identity.ts
  'get /api/identity/costs': [],
  'post /api/pki/revocations': [],
  // connectors
  'get /api/connectors': ['tenant-admin', 'integration-admin'],
  'post /api/connectors': ['tenant-admin', 'integration-admin'],
  'get /api/connectors/:id': ['tenant-admin', 'integration-admin'],
  'put /api/connectors/:id': ['tenant-admin', 'integration-admin'],
  'post /api/connectors/:id/preview': ['tenant-admin', 'integration-admin'],
  'post /api/connectors/:id/check': ['tenant-admin', 'integration-admin'],
  'post /api/connectors/:id/sync': ['tenant-admin', 'integration-admin'],
  'post /api/connectors/:id/sample': ['tenant-admin', 'integration-admin'],
  // the public doors: the link, the HMAC or nothing is the credential
  'post /hooks/:connectorId': 'public',
  'post /api/verify': 'public',
  'get /api/pki/root.pem': 'public',
  'post /tsa': 'public',
  'get /pki/ca.crl': 'public',
  'get /pki/root.crl': 'public',
  'post /api/sign/batch/otp': 'public',
  'post /api/sign/batch': 'public',
  'get /api/sign/:token': 'public',
  'get /api/sign/:token/documents/:doc.pdf': 'public',
  'post /api/sign/:token/read': 'public',
  'post /api/sign/:token/otp': 'public',
  'post /api/sign/:token': 'public',
  'post /api/sign/:token/decline': 'public',
  'post /api/sign/:token/identity/person': 'public',
  'post /api/sign/:token/identity/company': 'public',
  'post /api/sign/:token/identity/flows': 'public',
  'post /api/sign/:token/identity/flows/:id/sms-code': 'public',
  'post /api/sign/:token/identity/flows/:id/transfer-amount': 'public',
  'post /api/sign/:token/identity/flows/:id/poll': 'public',
  'get /api/copies/:token': 'public',
  'get /api/copies/:token/:doc.pdf': 'public',
};

const order = (poNumber: string, amount = 5000) => ({ poNumber, amount, supplier: { name: '深圳市华强电子有限公司' } });

let hub: TestHub;
/** 集团 → 华东分公司 → 采购部 / 销售部 */
let units: { group: OrgUnit; branch: OrgUnit; purchasing: OrgUnit; sales: OrgUnit };
const token: Partial<Record<Role | 'siblingUser' | 'siblingManager' | 'groupManager' | 'otherTenantAdmin', string>> = {};
/** A contract of 采购部, started by its business user, waiting on its manager. */
let contractId: string;

async function user(name: string, roles: string[], unit: OrgUnit | null, tenantId = 'default'): Promise<string> {
  return (await hub.store.users.create({ name, roles, orgUnit: unit?.id ?? null, tenantId })).token;
}

beforeAll(async () => {
  hub = await startTestHub();
  await hub.publish(approvalFlow());
  const group = await hub.store.orgUnits.create({ tenantId: 'default', name: '集团', parentId: null });
  const branch = await hub.store.orgUnits.create({ tenantId: 'default', name: '华东分公司', parentId: group.id });
  const purchasing = await hub.store.orgUnits.create({ tenantId: 'default', name: '采购部', parentId: branch.id });
  const sales = await hub.store.orgUnits.create({ tenantId: 'default', name: '销售部', parentId: branch.id });
  units = { group, branch, purchasing, sales };

  token['tenant-admin'] = await user('租户管理员', ['tenant-admin'], null);
  token['flow-designer'] = await user('流程设计', ['flow-designer'], group);
  token['integration-admin'] = await user('集成管理员', ['integration-admin'], group);
  token['business-user'] = await user('采购员小李', ['business-user'], purchasing);
  token.approver = await user('王经理', ['approver', 'dept-manager'], purchasing);
  token.legal = await user('法务', ['legal'], group);
  token.viewer = await user('审计查看', ['viewer'], purchasing);
  token.siblingUser = await user('销售员', ['business-user'], sales);
  token.siblingManager = await user('销售经理', ['approver', 'dept-manager'], sales);
  token.groupManager = await user('集团经理', ['approver', 'dept-manager'], group);
  const other = await hub.store.tenants.create('另一家公司');
  token.otherTenantAdmin = await user('他人管理员', ['tenant-admin'], null, other.id);

  const started = await hub.call('POST', '/api/contracts', { flow: 'supplier-purchase', data: order('PO-ACL-1') }, token['business-user']);
  expect(started.status).toBe(201);
  contractId = started.body.id;
  await hub.waitFor(contractId, (c) => c.steps[0]?.status === 'pending');
}, 120_000);
afterAll(() => hub?.close());

/** A call that exercises the route's access check without changing anything: placeholders that name nothing, bodies that fail validation. */
function probe(route: string): { method: string; path: string; body?: unknown } {
  const [method, template] = route.split(' ');
  const path = template
    .replace(':id/documents/:doc.pdf', `${contractId}/documents/contract.pdf`)
    .replace(/\/api\/contracts\/:id/, `/api/contracts/${contractId}`)
    .replace(/:[a-zA-Z]+(\.pdf)?/g, (_m, pdf) => `no-such-thing${pdf ?? ''}`);
  return { method: method.toUpperCase(), path, body: method === 'get' ? undefined : {} };
}

describe('the access matrix', () => {
  it('names every route the hub publishes', async () => {
    const openapi = (await hub.call('GET', '/openapi.json', undefined, null)).body;
    const published = Object.entries(openapi.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect(published.filter((route) => !(route in MATRIX))).toEqual([]);
    expect(Object.keys(MATRIX).filter((route) => !published.includes(route))).toEqual([]);
  });

  it('lets each role call exactly the routes the design gives it', async () => {
    const wrong: string[] = [];
    for (const [route, allowed] of Object.entries(MATRIX)) {
      if (allowed === 'public' || allowed === 'session') continue;
      const { method, path, body } = probe(route);
      const anonymous = await hub.call(method, path, body, null);
      if (anonymous.status !== 401) wrong.push(`${route} without sign-in: ${anonymous.status}`);
      for (const role of ROLES) {
        const { status } = await hub.call(method, path, body, token[role]!);
        const mayCall = allowed === 'user' || allowed.includes(role);
        if (mayCall ? status === 401 || status === 403 : status !== 403) wrong.push(`${route} as ${role}: ${status} (${mayCall ? 'allowed' : 'refused'} by design)`);
      }
      const admin = await hub.call(method, path, body);
      if (admin.status === 401 || admin.status === 403) wrong.push(`${route} as the bootstrap admin: ${admin.status}`);
    }
    expect(wrong).toEqual([]);
  }, 120_000);
});

describe('contracts across units and tenants', () => {
  const reads = () => [`/api/contracts/${contractId}`, `/api/contracts/${contractId}/documents/contract.pdf`, `/api/contracts/${contractId}/evidence.pdf`];
  const writes = () => [
    [`/api/contracts/${contractId}/approvals`, { decision: 'approve' }, 'approve'],
    [`/api/contracts/${contractId}/nudge`, {}, 'act'],
    [`/api/contracts/${contractId}/cancel`, { reason: '越权' }, 'act'],
  ] as const;

  it('a sibling unit and another tenant get 404 for every read and write, and never see it listed', async () => {
    for (const who of ['siblingUser', 'siblingManager', 'otherTenantAdmin'] as const) {
      for (const path of reads()) expect([who, path, (await hub.call('GET', path, undefined, token[who]!)).status]).toEqual([who, path, 404]);
      // A write the caller's role never allows is 403 whatever the id (that leaks nothing); every other is 404.
      for (const [path, body, right] of writes()) {
        const expected = right === 'approve' ? (who === 'siblingUser' ? 403 : 404) : who === 'siblingManager' ? 403 : 404;
        expect([who, path, (await hub.call('POST', path, body, token[who]!)).status]).toEqual([who, path, expected]);
      }
      const listed = await hub.call('GET', '/api/contracts?pageSize=200', undefined, token[who]!);
      expect(listed.status).toBe(200);
      expect(listed.body.items.map((c: { id: string }) => c.id)).not.toContain(contractId);
    }
    // …while the contract is still there for its own unit and for the units above it.
    for (const who of ['business-user', 'viewer', 'approver', 'legal', 'tenant-admin'] as const) {
      expect([who, (await hub.call('GET', `/api/contracts/${contractId}`, undefined, token[who]!)).status]).toEqual([who, 200]);
      const listed = await hub.call('GET', '/api/contracts?pageSize=200', undefined, token[who]!);
      expect(listed.body.items.map((c: { id: string }) => c.id)).toContain(contractId);
    }
    expect((await hub.call('GET', `/api/contracts/${contractId}`)).body.owner).toMatchObject({ tenantId: 'default', unit: { id: units.purchasing.id } });
  });

  it('an approver role resolves to the nearest holder up the tree: the group manager may not take the department manager’s decision, and is not asked', async () => {
    const started = await hub.call('POST', '/api/contracts', { flow: 'supplier-purchase', data: order('PO-ACL-NEAREST') }, token['business-user']);
    const id = started.body.id;
    await hub.waitFor(id, (c) => c.steps[0]?.status === 'pending');
    // The contract page offers the decision only to whom the hub will take it from.
    expect((await hub.call('GET', `/api/contracts/${id}`, undefined, token.groupManager!)).body.caller.approverRoles).not.toContain('dept-manager');
    expect((await hub.call('GET', `/api/contracts/${id}`, undefined, token.approver!)).body.caller.approverRoles).toContain('dept-manager');
    const far = await hub.call('POST', `/api/contracts/${id}/approvals`, { decision: 'approve' }, token.groupManager!);
    expect(far.status).toBe(403);
    const near = await hub.call('POST', `/api/contracts/${id}/approvals`, { decision: 'approve' }, token.approver!);
    expect(near.status).toBe(200);
    expect(near.body.steps[0].decisions).toMatchObject([{ userName: '王经理' }]);

    const inbox = (await hub.call('GET', `/api/outbox?contractId=${id}`)).body.items.filter((m: { channel: string }) => m.channel === 'inbox');
    const told = await Promise.all(inbox.map(async (m: { to: string }) => (await hub.store.users.get(m.to))?.name));
    expect(told).toContain('王经理');
    expect(told).not.toContain('集团经理');
    expect(told).not.toContain('销售经理');
  });

  it('a contract may be started for a unit below the caller’s, never for a sibling’s', async () => {
    const groupStarter = await user('集团采购', ['business-user'], units.group);
    const below = await hub.call('POST', '/api/contracts', { flow: 'supplier-purchase', data: order('PO-ACL-BELOW'), orgUnit: units.sales.id }, groupStarter);
    expect(below.status).toBe(201);
    expect(below.body.owner.unit.id).toBe(units.sales.id);
    const sideways = await hub.call('POST', '/api/contracts', { flow: 'supplier-purchase', data: order('PO-ACL-SIDEWAYS'), orgUnit: units.purchasing.id }, token.siblingUser!);
    expect(sideways.status).toBe(400);
    expect(sideways.body.error.details).toEqual([{ path: '/orgUnit', message: expect.any(String) }]);
  });

  it('shows signers’ mobiles and ID numbers masked except to legal and admins', async () => {
    const started = await hub.call('POST', '/api/contracts', { flow: 'supplier-purchase', data: { ...order('PO-ACL-PII'), supplier: { name: '深圳市华强电子有限公司', email: 'a@example.com' }, contactMobile: '13800138000' } }, token['business-user']);
    // approvalFlow's data schema allows extra fields: a mobile typed into the data is personal data wherever it sits.
    expect(started.status).toBe(201);
    const asViewer = await hub.call('GET', `/api/contracts/${started.body.id}`, undefined, token.viewer!);
    expect(asViewer.body.data.contactMobile).toBe('138****8000');
    const asLegal = await hub.call('GET', `/api/contracts/${started.body.id}`, undefined, token.legal!);
    expect(asLegal.body.data.contactMobile).toBe('13800138000');
  });
});
