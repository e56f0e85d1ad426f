// The ledger over HTTP, on both databases: what the console asks GET /api/contracts and
// GET /api/contracts/counts, as business users, approvers and admins of different units and
// tenants; every bad filter value a 400 naming its parameter. One contract is started for
// real (Temporal runs its flow and writes the projection); the rest are projections saved
// straight into the store, as the workflow's activities would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContractState, SignerState } from '../../flows/contract';
import { CONTRACT_STATUSES } from '../../flows/status';
import type { OrgUnit } from '../../store';
import { dialects } from '../support/databases';
import { approvalFlow, startTestHub, type TestHub } from '../support/hub';
import { contractState, step } from '../store/fixtures';

const signer = (name: string, order = 1): SignerState => ({
  id: `s-${order}`, party: 'company', name, order, documents: [], email: null, mobile: null, creditCode: null, idNumber: null, seal: null,
  verify: 'none', mustRead: false, prompt: null, status: 'waiting', invitedAt: null, signedAt: null, declineReason: null, reminders: 0, lastNudgeAt: null,
});

describe.each(dialects)('ledger API (%s)', (dialect) => {
  let hub: TestHub;
  let units: Record<'group' | 'east' | 'eastBuy' | 'south', OrgUnit>;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  let realId: string;
  const seeded: ContractState[] = [];

  /** GET as a user; query values are encoded here. */
  const get = (path: string, query: Record<string, string | number | boolean> = {}, who = 'admin') => {
    const search = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
    return hub.call('GET', `${path}${search ? `?${search}` : ''}`, undefined, who === 'admin' ? hub.adminToken : tokens[who]);
  };
  const listIds = async (query: Record<string, string | number | boolean>, who = 'admin') => {
    const found: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 50; pages++) {
      const { status, body } = await get('/api/contracts', { ...query, limit: 4, ...(cursor ? { cursor } : {}) }, who);
      expect(status, JSON.stringify(body)).toBe(200);
      found.push(...body.items.map((c: { id: string }) => c.id));
      if (!body.nextCursor) return found;
      cursor = body.nextCursor;
    }
    throw new Error('paging never ended');
  };

  beforeAll(async () => {
    hub = await startTestHub({ dialect });
    const store = hub.store;
    const group = await store.orgUnits.create({ tenantId: 'default', name: '星河集团', parentId: null });
    const east = await store.orgUnits.create({ tenantId: 'default', name: '华东分公司', parentId: group.id });
    const eastBuy = await store.orgUnits.create({ tenantId: 'default', name: '华东采购部', parentId: east.id });
    const south = await store.orgUnits.create({ tenantId: 'default', name: '华南分公司', parentId: group.id });
    units = { group, east, eastBuy, south };
    const other = await store.tenants.create('另一家公司');
    const user = async (key: string, roles: string[], unit: OrgUnit | null, tenantId = 'default') => {
      const { user: created, token } = await store.users.create({ tenantId, name: key, roles, orgUnit: unit?.id ?? null });
      tokens[key] = token;
      ids[key] = created.id;
    };
    await user('buyer', ['business-user'], eastBuy);
    await user('eastLead', ['business-user', 'dept-manager'], east);
    await user('southClerk', ['business-user'], south);
    await user('legal', ['legal'], eastBuy);
    await user('outsider', ['tenant-admin'], null, other.id);

    // The real one: started by the buyer through the API, its projection written by the workflow.
    await hub.publish({ ...approvalFlow(), key: 'ledger-purchase' });
    const started = await hub.call('POST', '/api/contracts', { flow: 'ledger-purchase', sourceKey: 'PO-LEDGER-1', data: { poNumber: 'PO-LEDGER-1', amount: 5000, supplier: { name: '苏州工业园区星火材料有限公司' } } }, tokens.buyer);
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    realId = started.body.id;
    // Who it waits on is known once its workflow has opened the first step (the filters below read it).
    await hub.waitFor(realId, (c) => c.steps[0]?.status === 'pending');

    const at = (n: number) => new Date(Date.UTC(2026, 2, 1 + n, 9)).toISOString();
    const add = (n: number, unit: OrgUnit | null, over: Partial<ContractState>) => {
      const state = contractState({
        id: `led-${String(n).padStart(2, '0')}`, createdAt: at(n), updatedAt: at(n), startedBy: ids.buyer, amount: 1000 * (n + 1),
        owner: { tenantId: 'default', unit: unit ? { id: unit.id, path: unit.path } : null }, ...over,
      });
      seeded.push(state);
    };
    add(1, eastBuy, { title: '钢材采购合同 100%_off', signers: [signer('深圳市华强电子有限公司'), signer('上海浦东发展银行', 2)], status: 'signing', currentStep: null, steps: [step({ status: 'approved' })] });
    add(2, east, { title: '华东 框架协议', signers: [signer('华为技术有限公司')], startedBy: ids.eastLead, steps: [step({ approvers: ['role:dept-manager'] })] });
    add(3, south, { title: '华南 租赁合同', signers: [signer('广州天河科技')], startedBy: ids.southClerk, status: 'completed', currentStep: null, steps: [step({ status: 'approved' })] });
    add(4, south, { title: '华南 采购 waiting on legal', signers: [signer('深圳华强北商行')], startedBy: ids.southClerk, steps: [step({ approvers: [`user:${ids.legal}`] })] });
    add(5, group, { title: 'Steel 供应 contract', signers: [signer('ACME Trading Ltd')], status: 'rejected', currentStep: null, steps: [step({ status: 'rejected' })], amount: 2_000_000 });
    add(6, eastBuy, { title: '劳动合同 张三', signers: [signer('张三')], status: 'expired', currentStep: null, steps: [step({ status: 'approved' })] });
    add(7, null, { title: '集团 保密协议', signers: [signer('华强集团')], startedBy: 'connector:sap', status: 'cancelled', currentStep: null, steps: [step({ status: 'cancelled' })] });
    seeded.push(contractState({ id: 'led-other', title: '华强 钢材采购合同 其他租户', signers: [signer('深圳市华强电子有限公司')], owner: { tenantId: other.id, unit: null }, createdAt: at(8) }));
    for (const state of seeded) await store.contracts.save(state);
    // The real contract is listed once its first projection is written.
    await hub.waitFor(realId, (c) => c.status === 'in_approval');
  });

  afterAll(() => hub?.close());

  it('accepts every one of the nine statuses and counts each of them, with the total', async () => {
    for (const status of CONTRACT_STATUSES) expect((await get('/api/contracts', { status })).status, status).toBe(200);
    const { status, body } = await get('/api/contracts/counts');
    expect(status).toBe(200);
    expect(Object.keys(body.counts).sort()).toEqual([...CONTRACT_STATUSES].sort());
    expect(body.total).toBe(8);
    for (const s of CONTRACT_STATUSES) expect(body.counts[s], s).toBe((await get('/api/contracts', { status: s, limit: 1 })).body.total);
    expect(body.counts).toMatchObject({ in_approval: 3, signing: 1, completed: 1, rejected: 1, expired: 1, cancelled: 1, approved: 0, failed: 0, declined: 0 });
  });

  it('searches Chinese substrings of 1, 2 and 3+ characters, mixed text, and % and _ literally', async () => {
    const cases: [string, string[]][] = [
      ['华', ['led-07', 'led-04', 'led-03', 'led-02', 'led-01']],
      ['华强', ['led-07', 'led-04', 'led-01']],
      ['华强电子', ['led-01']],
      // The started contract's title is 采购合同 PO-LEDGER-1 (the flow's title expression).
      ['采购合同', [realId, 'led-01']],
      ['购合同 po-led', [realId]],
      ['po-ledger', [realId]],
      ['steel 供应', ['led-05']],
      ['100%_off', ['led-01']],
      ['%', ['led-01']],
      ['_', realId.includes('_') ? [realId, 'led-01'] : ['led-01']],
      ['钢材采购合同', ['led-01']],
      ['鑫', []],
    ];
    for (const [q, want] of cases) expect(await listIds({ q }), q).toEqual(want);
    // A search result carries what the ledger shows: parties, unit, initiator.
    const { body } = await get('/api/contracts', { q: '浦东' });
    expect(body.items).toEqual([expect.objectContaining({ id: 'led-01', parties: ['深圳市华强电子有限公司', '上海浦东发展银行'], orgUnit: units.eastBuy.id, initiator: ids.buyer, status: 'signing' })]);
  });

  it('filters by party, flow, amount, dates, mine, team and waitingOn', async () => {
    expect(await listIds({ party: '华强' })).toEqual(['led-07', 'led-04', 'led-01']);
    expect(await listIds({ party: '钢材' })).toEqual([]);
    expect(await listIds({ flow: 'ledger-purchase' })).toEqual([realId]);
    expect((await listIds({ amountMin: 4000, amountMax: 7000 })).sort()).toEqual(['led-03', 'led-04', 'led-06', realId].sort());
    // A bare date as `to` includes that whole day.
    expect(await listIds({ from: '2026-03-03', to: '2026-03-05' })).toEqual(['led-04', 'led-03', 'led-02']);
    // An offset is honoured: 2026-03-04 09:00 UTC is 17:00 in China.
    expect(await listIds({ from: '2026-03-04T17:00:00+08:00', to: '2026-03-04T17:00:00+08:00' })).toEqual(['led-03']);
    expect(await listIds({ mine: true, status: 'in_approval' }, 'southClerk')).toEqual(['led-04']);
    expect(await listIds({ mine: true }, 'buyer')).toEqual(expect.arrayContaining([realId, 'led-06', 'led-05', 'led-01']));
    expect(await listIds({ team: true }, 'eastLead')).toEqual(expect.arrayContaining([realId, 'led-06', 'led-02', 'led-01']));
    expect((await listIds({ team: true }, 'eastLead')).length).toBe(4);
    // The east lead is the nearest dept-manager for 华东's contracts: the real one and led-02 wait on that role.
    expect((await listIds({ waitingOn: ids.eastLead })).sort()).toEqual(['led-02', realId].sort());
    expect(await listIds({ waitingOn: ids.legal })).toEqual(['led-04']);
  });

  it('shows each caller only their scope, whatever they filter or search for', async () => {
    // The buyer (华东采购部): their department and what they started (led-05 at the group's top).
    expect((await listIds({}, 'buyer')).sort()).toEqual(['led-01', 'led-05', 'led-06', realId].sort());
    expect(await listIds({ q: '华南' }, 'buyer')).toEqual([]);
    expect(await listIds({ waitingOn: ids.legal }, 'buyer')).toEqual([]);
    // A sibling branch sees none of 华东's, even asking for 华东's team.
    expect((await listIds({ q: '华' }, 'southClerk')).sort()).toEqual(['led-03', 'led-04']);
    expect((await get('/api/contracts/counts', { q: '华强' }, 'southClerk')).body.total).toBe(1);
    // Legal sees the tenant; another tenant sees only its own.
    expect((await get('/api/contracts/counts', {}, 'legal')).body.total).toBe(8);
    expect(await listIds({ q: '华强' }, 'outsider')).toEqual(['led-other']);
    expect((await get('/api/contracts/counts', {}, 'outsider')).body).toMatchObject({ total: 1, counts: { in_approval: 1 } });
    // Waiting on a user of another tenant names no one the caller knows.
    expect((await get('/api/contracts', { waitingOn: ids.buyer }, 'outsider')).status).toBe(400);
  });

  it('pages by cursor in every sort, each row once, and keeps page numbers for older callers', async () => {
    for (const sort of ['created', '-created', 'updated', '-updated', 'amount', '-amount']) {
      const seen = await listIds({ sort });
      expect(seen.length, sort).toBe(8);
      expect(new Set(seen).size).toBe(8);
    }
    // Equal amounts (the real contract and led-04: 5000) are ordered by id, the same way round.
    expect(await listIds({ sort: '-amount' })).toEqual(['led-05', 'led-07', 'led-06', ...[realId, 'led-04'].sort().reverse(), 'led-03', 'led-02', 'led-01']);
    const old = await get('/api/contracts', { page: 2, pageSize: 3 });
    expect(old.body).toMatchObject({ page: 2, pageSize: 3, total: 8 });
    expect(old.body.items.map((c: { id: string }) => c.id)).toEqual(['led-05', 'led-04', 'led-03']);
  });

  it('documents the ledger in the OpenAPI document: every filter, all nine statuses, the counts', async () => {
    const { body: doc } = await hub.call('GET', '/openapi.json', undefined, null);
    const params = doc.paths['/api/contracts'].get.parameters as { name: string; schema: { enum?: string[] } }[];
    expect(params.map((p) => p.name)).toEqual(expect.arrayContaining(['status', 'flow', 'q', 'party', 'amountMin', 'amountMax', 'from', 'to', 'mine', 'team', 'waitingOn', 'sort', 'limit', 'cursor', 'page', 'pageSize']));
    expect(params.find((p) => p.name === 'status')!.schema.enum).toEqual([...CONTRACT_STATUSES]);
    expect(Object.keys(doc.paths['/api/contracts/counts'].get.responses['200'].content['application/json'].schema.properties.counts.properties).sort()).toEqual([...CONTRACT_STATUSES].sort());
  });

  it('answers a bad filter value with 400 and the parameter in the JSON path, never 500', async () => {
    const amountCursor = (await get('/api/contracts', { sort: 'amount', limit: 2 })).body.nextCursor as string;
    const bad: [Record<string, string>, string][] = [
      [{ amountMin: 'lots' }, '/amountMin'],
      [{ amountMin: '500', amountMax: '100' }, '/amountMax'],
      [{ status: 'drafting' }, '/status'],
      [{ sort: 'title' }, '/sort'],
      [{ limit: '0' }, '/limit'],
      [{ limit: '201' }, '/limit'],
      [{ cursor: 'not a cursor!' }, '/cursor'],
      [{ cursor: 'bm90LWpzb24' }, '/cursor'],
      [{ cursor: amountCursor }, '/cursor'],
      [{ cursor: amountCursor, sort: 'amount', page: '2' }, '/page'],
      [{ from: '2026-02-31' }, '/from'],
      [{ from: 'yesterday' }, '/from'],
      [{ from: '2026-03-05', to: '2026-03-01' }, '/to'],
      [{ mine: 'maybe' }, '/mine'],
      [{ team: 'yes please' }, '/team'],
      [{ waitingOn: 'u_nobody' }, '/waitingOn'],
      [{ q: 'a\u0001b' }, '/q'],
      [{ q: 'x'.repeat(201) }, '/q'],
      [{ party: '' }, '/party'],
    ];
    for (const [query, path] of bad) {
      const { status, body } = await get('/api/contracts', query);
      expect(status, JSON.stringify(query)).toBe(400);
      expect(body.error.details.map((d: { path: string }) => d.path), JSON.stringify(query)).toContain(path);
    }
    const counts = await get('/api/contracts/counts', { amountMin: 'lots' });
    expect(counts.status).toBe(400);
    expect(counts.body.error.details[0].path).toBe('/amountMin');
    // Counts take the filters, not a status (each tab is a status).
    expect((await get('/api/contracts/counts', { status: 'signing' })).status).toBe(400);
  });
});
