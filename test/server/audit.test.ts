// The audit trail (操作留痕) through a running hub: a nudge, a cancel, a contract start and a
// user change each leave a row saying who did what to which object and from where, without
// passwords or contract data; refused calls leave none; the trail is searched, paged and
// exported per tenant, by those with audit.read only.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalFlow, startTestHub, type TestHub } from '../support/hub';
import { prepareQuickSigning, quickContract } from './ops-fixtures';

let hub: TestHub;
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};

async function trail(query = '', token = hub.adminToken) {
  const { status, body } = await hub.call('GET', `/api/audit${query}`, undefined, token);
  expect(status, JSON.stringify(body)).toBe(200);
  return body;
}

beforeAll(async () => {
  hub = await startTestHub();
  const purchasing = await hub.store.orgUnits.create({ tenantId: 'default', name: '采购部', parentId: null });
  const user = async (key: string, name: string, roles: string[], orgUnit: string | null = null, tenantId = 'default') => {
    const { user: created, token } = await hub.store.users.create({ tenantId, name, roles, orgUnit });
    tokens[key] = token;
    ids[key] = created.id;
  };
  await user('buyer', '采购员小李', ['business-user'], purchasing.id);
  await user('manager', '王经理', ['dept-manager']);
  await user('finance', '赵总监', ['finance-director']);
  await user('sealKeeper', '钱印章', []);
  await user('legal', '法务小周', ['legal']);
  const other = await hub.store.tenants.create('另一家公司');
  await user('otherAdmin', '他人管理员', ['tenant-admin'], null, other.id);
  await prepareQuickSigning(hub, ids.sealKeeper);
  await hub.publish({ ...approvalFlow(), key: 'approval-only' });
}, 120_000);
afterAll(() => hub?.close());

describe('audit trail', () => {
  it('records a nudge and a cancel with actor, target, safe details and origin; a refused call leaves no row', { timeout: 180_000 }, async () => {
    const contract = await quickContract(hub, { starter: tokens.buyer, manager: tokens.manager, finance: tokens.finance, sealKeeper: tokens.sealKeeper }, 'PO-AUDIT-1', { sign: false });
    const nudged = await fetch(`${hub.url}/api/contracts/${contract.id}/nudge`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.buyer}`, 'content-type': 'application/json', 'user-agent': 'audit-test/1.0' },
      body: JSON.stringify({ signer: 'buyer' }),
    });
    expect(nudged.status).toBe(200);
    expect((await hub.call('POST', `/api/contracts/${contract.id}/cancel`, { reason: '供应商变更' }, tokens.buyer)).status).toBe(200);
    // refused: the contract is cancelled now
    expect((await hub.call('POST', `/api/contracts/${contract.id}/nudge`, {}, tokens.buyer)).status).toBe(409);

    const { items } = await trail(`?target=${contract.id}`);
    expect(items.map((e: any) => e.action)).toEqual(['post /api/contracts/:id/cancel', 'post /api/contracts/:id/nudge', 'post /api/contracts/:id/approvals', 'post /api/contracts/:id/approvals']);
    const [cancel, nudge] = items;
    expect(nudge).toMatchObject({ actor: { id: ids.buyer, name: '采购员小李' }, target: { type: 'contract', id: contract.id }, details: { signer: 'buyer' }, userAgent: 'audit-test/1.0', tenantId: 'default' });
    expect(nudge.ip).toBeTruthy();
    expect(cancel).toMatchObject({ actor: { id: ids.buyer }, details: { reason: '供应商变更' } });

    const started = (await trail(`?action=${encodeURIComponent('post /api/contracts')}&actor=${ids.buyer}`)).items;
    expect(started).toHaveLength(1);
    expect(started[0].details).toEqual({ flow: 'quick-sign', sourceKey: 'PO-AUDIT-1' });
    // the contract's data (names, mobiles, bank accounts) is not copied into the trail
    expect(JSON.stringify(started)).not.toContain('bankAccount');
  });

  it('records that a password was set, never the password', async () => {
    const created = await hub.call('POST', '/api/users', { name: '新同事', roles: ['viewer'], login: 'new.colleague', password: 'correct horse battery' });
    expect(created.status).toBe(201);
    expect((await hub.call('PUT', `/api/users/${created.body.id}`, { password: 'another horse battery' })).status).toBe(200);
    const { items } = await trail(`?target=${created.body.id}`);
    expect(items.map((e: any) => [e.action, e.details])).toEqual([['put /api/users/:id', { passwordSet: true }]]);
    const creation = (await trail(`?action=${encodeURIComponent('post /api/users')}`)).items[0];
    expect(creation.details).toEqual({ name: '新同事', roles: ['viewer'], login: 'new.colleague', passwordSet: true });
    const everything = JSON.stringify((await trail('?limit=500')).items);
    expect(everything).not.toContain('horse battery');
  });

  it('pages newest first with a cursor, filters by action prefix and time, and refuses a forged cursor with 400', async () => {
    const all = (await trail('?limit=500')).items;
    expect(all.length).toBeGreaterThanOrEqual(6);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await trail(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((e: any) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((e: any) => e.id));
    expect([...all].map((e: any) => e.at)).toEqual([...all].map((e: any) => e.at).sort().reverse());

    const contractActions = (await trail(`?action=${encodeURIComponent('post /api/contracts*')}`)).items;
    expect(contractActions.length).toBeGreaterThan(0);
    expect(contractActions.every((e: any) => e.action.startsWith('post /api/contracts'))).toBe(true);
    expect((await trail('?to=2000-01-01')).items).toEqual([]);

    const forged = await hub.call('GET', '/api/audit?cursor=bm90LWEtY3Vyc29y');
    expect(forged.status).toBe(400);
    expect(forged.body.error.details).toEqual([{ path: '/cursor', message: 'is not a cursor this list gave out' }]);
  });

  it('is read by those with audit.read (legal, tenant admins), each in their own tenant, and exported as CSV', async () => {
    expect((await hub.call('GET', '/api/audit', undefined, tokens.buyer)).status).toBe(403);
    expect((await trail('', tokens.legal)).items.length).toBeGreaterThan(0);
    expect((await trail('?limit=500', tokens.otherAdmin)).items.filter((e: any) => e.tenantId !== 'default' || e.actor.id === ids.buyer)).toEqual([]);
    expect((await trail('?limit=500', tokens.otherAdmin)).items.every((e: any) => e.tenantId !== 'default')).toBe(true);

    const response = await fetch(`${hub.url}/api/audit/export.csv?action=${encodeURIComponent('post /api/contracts/:id/cancel')}`, { headers: { authorization: `Bearer ${tokens.legal}` } });
    expect(response.status).toBe(200);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows: string[][] = parse(bytes, { bom: true });
    expect(rows[0]).toEqual(['at', 'actorId', 'actorName', 'action', 'targetType', 'targetId', 'details', 'ip', 'userAgent']);
    expect(rows.slice(1).map((r) => [r[2], r[3], JSON.parse(r[6]).reason])).toEqual([['采购员小李', 'post /api/contracts/:id/cancel', '供应商变更']]);
    expect((await fetch(`${hub.url}/api/audit/export.csv`, { headers: { authorization: `Bearer ${tokens.buyer}` } })).status).toBe(403);
  });
});
