// Opening tenants and acting in them as the hub's admin, on both databases.
// Attack 1: requests racing to open tenants with the same first-admin login must not leave tenants
// without an admin behind (the login check passes for all of them before any writes).
// Attack 2: the admin token acts in the default tenant unless it names another in x-sealflow-tenant;
// nobody else can name a tenant, and a tenant that does not exist is a 400 naming the header.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TENANT_HEADER } from '../../server/auth';
import { dialects } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';

const suffix = randomBytes(4).toString('hex');

describe.each(dialects)('opening tenants and naming one on %s', (dialect) => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ dialect });
  }, 120_000);
  afterAll(() => hub?.close());

  /** A call with extra headers (hub.call sends none). */
  async function send(method: string, path: string, token: string, headers: Record<string, string>, body?: unknown) {
    const response = await fetch(`${hub.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json().catch(() => null)) as any };
  }

  it('three requests racing with one admin login open one tenant; the others answer 409 and leave nothing behind', async () => {
    const login = `race-admin-${suffix}-${dialect}`;
    const names = [1, 2, 3].map((n) => `竞速公司${n}-${suffix}`);
    const answers = await Promise.all(names.map((name) => hub.call('POST', '/api/tenants', { name, admin: { name: '管理员', login, password: `pw-${randomBytes(8).toString('hex')}` } })));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409]);
    for (const refused of answers.filter((a) => a.status === 409)) expect(refused.body.error.details).toEqual([{ path: '/admin/login', message: 'is taken' }]);
    const opened = answers.find((a) => a.status === 201)!.body;

    const tenants = (await hub.call('GET', '/api/tenants')).body.items.filter((t: any) => names.includes(t.name));
    expect(tenants).toEqual([expect.objectContaining({ id: opened.tenant.id })]);
    // The one opened works: its admin signs in to it.
    expect((await hub.call('GET', '/api/me', undefined, opened.admin.token)).body).toMatchObject({ tenantId: opened.tenant.id, roles: ['tenant-admin'] });
  });

  it('a login taken in another case is a 409, and no tenant of that name appears', async () => {
    const login = `taken-${suffix}-${dialect}`;
    expect((await hub.call('POST', '/api/tenants', { name: `先到公司-${suffix}`, admin: { name: '甲', login, password: 'pw-0123456789abcdef' } })).status).toBe(201);
    const late = await hub.call('POST', '/api/tenants', { name: `后到公司-${suffix}`, admin: { name: '乙', login: login.toUpperCase(), password: 'pw-0123456789abcdef' } });
    expect(late.status).toBe(409);
    expect((await hub.call('GET', '/api/tenants')).body.items.some((t: any) => t.name === `后到公司-${suffix}`)).toBe(false);
  });

  describe(`the admin token and ${TENANT_HEADER}`, () => {
    let tenant: { id: string; adminToken: string };
    beforeAll(async () => {
      const created = await hub.call('POST', '/api/tenants', { name: `丙公司-${suffix}`, admin: { name: '丙管理员', login: `c-admin-${suffix}-${dialect}`, password: 'pw-0123456789abcdef' } });
      expect(created.status).toBe(201);
      tenant = { id: created.body.tenant.id, adminToken: created.body.admin.token };
    });

    it('without the header acts in the default tenant, with it in the named tenant', async () => {
      expect((await hub.call('GET', '/api/me')).body).toMatchObject({ tenantId: 'default' });
      expect((await send('GET', '/api/me', hub.adminToken, { [TENANT_HEADER]: tenant.id })).body).toMatchObject({ tenantId: tenant.id });

      // A user made that way belongs to the named tenant: its tenant-admin sees them, the default tenant does not.
      const made = await send('POST', '/api/users', hub.adminToken, { [TENANT_HEADER]: tenant.id }, { name: `丙的法务-${suffix}`, roles: ['legal'] });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      const theirs = (await hub.call('GET', '/api/users', undefined, tenant.adminToken)).body.items.map((u: any) => u.id);
      expect(theirs).toContain(made.body.id);
      expect((await hub.call('GET', '/api/users')).body.items.map((u: any) => u.id)).not.toContain(made.body.id);
    });

    it('a tenant that does not exist is a 400 naming the header', async () => {
      const answer = await send('GET', '/api/users', hub.adminToken, { [TENANT_HEADER]: 't_nosuchtenant' });
      expect(answer.status).toBe(400);
      expect(answer.body.error.details).toEqual([{ path: `/headers/${TENANT_HEADER}`, message: 'is no tenant of this hub' }]);
    });

    it("a tenant's admin cannot name another tenant: 403, and nothing of the other tenant is read", async () => {
      const answer = await send('GET', '/api/users', tenant.adminToken, { [TENANT_HEADER]: 'default' });
      expect(answer.status).toBe(403);
      expect(answer.body.error.message).toMatch(/hub\.manage/);
      expect(JSON.stringify(answer.body)).not.toContain('"items"');
      // Naming its own tenant changes nothing.
      expect((await send('GET', '/api/me', tenant.adminToken, { [TENANT_HEADER]: tenant.id })).body).toMatchObject({ tenantId: tenant.id });
    });
  });
});
