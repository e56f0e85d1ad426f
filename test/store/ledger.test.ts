// The ledger (合同台账) on both databases: every filter, search for Chinese substrings of
// 1, 2 and 3+ characters, sorts with cursor paging, counts per status, and the caller's scope
// that no filter can widen. Expected results come from an oracle over the seeded states, and
// "waiting on" from the store's own nearestHolders (the rule approvals use).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContractState, SignerState } from '../../flows/contract';
import { CONTRACT_STATUSES, type ContractStatus } from '../../flows/status';
import { approverSlots, LEDGER_SORTS, openStore, waitingOn, type ContractFilter, type ContractScope, type LedgerSort, type OrgUnit, type Store, type User } from '../../store';
import { createTestDatabase, dialects, type TestDatabase } from '../support/databases';
import { contractState, step } from './fixtures';

const signer = (name: string, order = 1): SignerState => ({
  id: `s-${order}`, party: 'company', name, order, documents: [], email: null, mobile: null, creditCode: null, idNumber: null, seal: null,
  verify: 'none', mustRead: false, prompt: null, status: 'waiting', invitedAt: null, signedAt: null, declineReason: null, reminders: 0, lastNudgeAt: null,
});

const TITLES = ['上海浦东采购合同', '北京框架协议 100%_off', 'Steel 供应 contract', '华强北租赁合同', '劳动合同 张三', '技术服务协议', 'NDA 保密协议', '深圳市华强电子 销售合同', '年度框架_协议', '设备租赁 50% 预付'];
const PARTIES = ['深圳市华强电子有限公司', '上海浦东发展银行', '北京京东世纪贸易有限公司', '华为技术有限公司', '张三', 'ACME Trading Ltd', '广州天河科技', '李四'];
const FLOWS = ['purchase', 'sales', 'labour'];

interface Seeded {
  state: ContractState;
  tenantId: string;
  unitPath: string | null;
}

/** What the search text of a contract holds (the store's is lower-cased the same way for ASCII). */
const searchText = (s: ContractState) => [s.title ?? '', ...s.signers.map((x) => x.name), s.id, s.sourceKey ?? ''].join('\n').toLowerCase();

describe.each(dialects)('ledger (%s)', (dialect) => {
  let database: TestDatabase;
  let store: Store;
  let units: Record<'group' | 'b1' | 'd1' | 'b2', OrgUnit>;
  let users: Record<'alice' | 'bob' | 'carol' | 'mTop' | 'mB1' | 'dave', User>;
  const seeded: Seeded[] = [];

  const ALL: ContractScope = { tenantId: 'default', unitPath: null };

  beforeAll(async () => {
    database = await createTestDatabase(dialect, { migrated: true });
    store = await openStore(database.options);
    const group = await store.orgUnits.create({ tenantId: 'default', name: '集团', parentId: null });
    const b1 = await store.orgUnits.create({ tenantId: 'default', name: '华东分公司', parentId: group.id });
    const d1 = await store.orgUnits.create({ tenantId: 'default', name: '采购部', parentId: b1.id });
    const b2 = await store.orgUnits.create({ tenantId: 'default', name: '华南分公司', parentId: group.id });
    units = { group, b1, d1, b2 };
    const user = async (name: string, roles: string[], unit: OrgUnit | null) => (await store.users.create({ tenantId: 'default', name, roles, orgUnit: unit?.id ?? null })).user;
    users = {
      alice: await user('Alice', ['business-user'], d1),
      bob: await user('Bob', ['business-user'], b1),
      carol: await user('Carol', ['business-user'], b2),
      mTop: await user('总经理', ['dept-manager'], group),
      mB1: await user('华东经理', ['dept-manager'], b1),
      dave: await user('Dave', ['approver'], d1),
    };

    const unitChoice = [d1, b1, b2, group, null];
    const starters = [users.alice.id, users.bob.id, users.carol.id, 'connector:sap'];
    for (let i = 0; i < 64; i++) {
      const unit = unitChoice[i % unitChoice.length];
      const status: ContractStatus = CONTRACT_STATUSES[i % CONTRACT_STATUSES.length];
      // Ties on purpose: four contracts share each creation time, amounts repeat.
      const created = new Date(Date.UTC(2026, 0, 1 + Math.floor(i / 4), 8)).toISOString();
      const updated = new Date(Date.UTC(2026, 5, 1, 0, (i * 37) % 60)).toISOString();
      const waits = i % 7 === 0 ? [`user:${users.dave.id}`] : ['role:dept-manager'];
      const state = contractState({
        id: `c-${String(i).padStart(3, '0')}`,
        flowKey: FLOWS[i % FLOWS.length],
        status,
        title: TITLES[i % TITLES.length],
        sourceKey: i % 3 === 0 ? `PO-45000${String(i).padStart(5, '0')}` : null,
        amount: [1000, 50_000.5, 200_000, 1_000_000, 1000][i % 5] + (i % 2 ? 0 : i),
        signers: [signer(PARTIES[i % PARTIES.length]), signer(PARTIES[(i * 3 + 1) % PARTIES.length], 2)],
        steps: status === 'in_approval' ? [step({ approvers: waits })] : [step({ status: 'approved' })],
        currentStep: status === 'in_approval' ? 0 : null,
        startedBy: starters[i % starters.length],
        createdAt: created,
        updatedAt: updated,
        owner: { tenantId: 'default', unit: unit ? { id: unit.id, path: unit.path } : null },
      });
      seeded.push({ state, tenantId: 'default', unitPath: unit?.path ?? null });
    }
    // Another tenant's contracts, made to match every search: they must never show.
    for (let i = 0; i < 6; i++) {
      const state = contractState({
        id: `x-${i}`, title: `${TITLES[i]} 华强 其他租户`, signers: [signer(PARTIES[i])], status: 'in_approval',
        steps: [step({ approvers: ['role:dept-manager', `user:${users.dave.id}`] })], startedBy: users.alice.id,
        createdAt: new Date(Date.UTC(2026, 0, 2 + i)).toISOString(), owner: { tenantId: 'other', unit: null },
      });
      seeded.push({ state, tenantId: 'other', unitPath: null });
    }
    for (const { state } of seeded) await store.contracts.save(state);
  });

  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  /** The rule of ContractScope, stated again over the seed. */
  const inScope = (scope: ContractScope) => (c: Seeded) =>
    c.tenantId === scope.tenantId &&
    (scope.unitPath === null ||
      (c.unitPath?.startsWith(scope.unitPath) ?? false) ||
      c.state.startedBy === scope.userId ||
      waitingOn(c.state).includes(`user:${scope.userId}`));

  const listAll = async (filter: ContractFilter) => {
    const ids: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const page = await store.contracts.list({ ...filter, cursor, limit: 200 });
      ids.push(...page.items.map((c) => c.id));
      if (!page.nextCursor) return ids;
      cursor = page.nextCursor;
    }
    throw new Error('paging never ended');
  };

  const newestFirst = (a: Seeded, b: Seeded) => b.state.createdAt.localeCompare(a.state.createdAt) || b.state.id.localeCompare(a.state.id);
  const expected = (scope: ContractScope, keep: (c: Seeded) => boolean) => seeded.filter(inScope(scope)).filter(keep).sort(newestFirst).map((c) => c.state.id);

  describe('search', () => {
    const queries = [
      // 1, 2 and 3+ Chinese characters
      '华', '合', '强电', '浦东', '华强电', '有限公司', '北京京东世纪贸易',
      // mixed ASCII and Chinese, case-insensitive ASCII
      'Steel 供应', 'STEEL', 'nda 保密', 'acme trading',
      // LIKE metacharacters are literal, in short and long queries
      '%', '_', '0%', '100%_off', '_协议', '50% 预付', '%_',
      // ids and source keys
      'c-01', 'po-4500000', '00063', 'C-06',
      // nothing
      '鑫', '华为强', 'zz',
    ];

    it.each(queries)('finds exactly the contracts whose title, parties, id or source key contain %j', async (q) => {
      const want = expected(ALL, (c) => searchText(c.state).includes(q.toLowerCase()));
      const got = await listAll({ scope: ALL, q });
      expect(got).toEqual(want);
      const { total } = await store.contracts.list({ scope: ALL, q, limit: 1 });
      expect(total).toBe(want.length);
    });

    it('finds something for the queries that should (the checks above are not all empty)', async () => {
      for (const q of ['华', '强电', '华强电', 'Steel 供应', '100%_off', '%', '_协议']) {
        expect((await store.contracts.list({ scope: ALL, q })).total, q).toBeGreaterThan(0);
      }
    });

    it('follows title and parties as they change with each save', async () => {
      const base = contractState({ id: 'c-moving', title: '初稿 甲方未定', signers: [], owner: { tenantId: 'moving', unit: null }, createdAt: '2026-03-01T00:00:00.000Z' });
      const scope = { tenantId: 'moving', unitPath: null };
      await store.contracts.save(base);
      expect((await store.contracts.list({ scope, q: '甲方未定' })).items.map((c) => c.id)).toEqual(['c-moving']);
      await store.contracts.save({ ...base, revision: 2, title: '正式合同 深蓝', signers: [signer('杭州云栖科技有限公司')] });
      for (const q of ['甲方未定', '初稿', '初']) expect((await store.contracts.list({ scope, q })).total, q).toBe(0);
      for (const q of ['深蓝', '栖', '云栖科技', '正式合同 深']) expect((await store.contracts.list({ scope, q })).items.map((c) => c.id), q).toEqual(['c-moving']);
      expect((await store.contracts.list({ scope, party: '云栖' })).total).toBe(1);
      // An older revision arriving late changes neither the row nor its search text.
      await store.contracts.save({ ...base, revision: 1 });
      expect((await store.contracts.list({ scope, q: '初稿' })).total).toBe(0);
    });
  });

  describe('filters', () => {
    const cases: [string, Omit<ContractFilter, 'scope'>, (c: Seeded) => boolean][] = [
      ['status', { status: 'signing' }, (c) => c.state.status === 'signing'],
      ['flow', { flow: 'sales' }, (c) => c.state.flowKey === 'sales'],
      ['party (2 chars)', { party: '华为' }, (c) => c.state.signers.some((s) => s.name.includes('华为'))],
      ['party (3+ chars, in a title too)', { party: '华强电子' }, (c) => c.state.signers.some((s) => s.name.includes('华强电子'))],
      ['party (ASCII, any case)', { party: 'acme' }, (c) => c.state.signers.some((s) => s.name.toLowerCase().includes('acme'))],
      ['amount range', { amountMin: 50_000, amountMax: 200_010 }, (c) => c.state.amount >= 50_000 && c.state.amount <= 200_010],
      ['amount at least', { amountMin: 1_000_000 }, (c) => c.state.amount >= 1_000_000],
      ['created range', { from: '2026-01-03T00:00:00.000Z', to: '2026-01-05T08:00:00.000Z' }, (c) => c.state.createdAt >= '2026-01-03T00:00:00.000Z' && c.state.createdAt <= '2026-01-05T08:00:00.000Z'],
      ['initiator (mine)', { initiator: 'ALICE' }, (c) => c.state.startedBy === users.alice.id],
      ['unit subtree (team)', { unitPath: 'B1' }, (c) => c.unitPath?.startsWith(units.b1.path) ?? false],
      ['several at once', { status: 'in_approval', flow: 'purchase', amountMax: 60_000, q: '合同' }, (c) => c.state.status === 'in_approval' && c.state.flowKey === 'purchase' && c.state.amount <= 60_000 && searchText(c.state).includes('合同')],
    ];

    // Ids of users and paths of units are known only once seeded.
    const resolve = (filter: Omit<ContractFilter, 'scope'>): Omit<ContractFilter, 'scope'> => ({
      ...filter,
      ...(filter.initiator ? { initiator: users.alice.id } : {}),
      ...(filter.unitPath ? { unitPath: units.b1.path } : {}),
    });

    it.each(cases)('%s', async (_name, filter, keep) => {
      const want = expected(ALL, keep);
      expect(want.length).toBeGreaterThan(0);
      expect(want.length).toBeLessThan(seeded.length);
      expect(await listAll({ scope: ALL, ...resolve(filter) })).toEqual(want);
    });

    /** Whether the contract waits on this user: named, or a role of theirs of which they are the nearest holder (as approvals decide). */
    async function waitsOn(c: Seeded, user: User): Promise<boolean> {
      for (const slot of waitingOn(c.state)) {
        if (slot === `user:${user.id}`) return true;
        if (slot.startsWith('role:') && (await store.users.nearestHolders(slot.slice(5), c.tenantId, c.unitPath)).some((h) => h.id === user.id)) return true;
      }
      return false;
    }

    it.each(['mTop', 'mB1', 'dave', 'alice'] as const)('waiting on %s: their own slot, or a role where they are the nearest holder', async (who) => {
      const user = users[who];
      const want: string[] = [];
      for (const c of seeded.filter(inScope(ALL)).sort(newestFirst)) if (await waitsOn(c, user)) want.push(c.state.id);
      if (who !== 'alice') expect(want.length).toBeGreaterThan(0);
      const slots = await approverSlots(store, 'default', user.id);
      expect(await listAll({ scope: ALL, waitingOn: slots! })).toEqual(want);
    });

    it('knows no user of another tenant to wait on', async () => {
      expect(await approverSlots(store, 'other', users.dave.id)).toBeNull();
      expect(await approverSlots(store, 'default', 'u_nobody')).toBeNull();
    });
  });

  describe('scope', () => {
    const scopes = (): [string, ContractScope][] => [
      ['a business user of a department', { tenantId: 'default', unitPath: units.d1.path, userId: users.alice.id }],
      ['a business user of a branch', { tenantId: 'default', unitPath: units.b2.path, userId: users.carol.id }],
      ['an approver named on contracts elsewhere', { tenantId: 'default', unitPath: units.d1.path, userId: users.dave.id }],
      ['the other tenant', { tenantId: 'other', unitPath: null }],
    ];

    it('is never widened by a filter, a search or a cursor', async () => {
      for (const [name, scope] of scopes()) {
        const visible = new Set(expected(scope, () => true));
        expect(visible.size, name).toBeGreaterThan(0);
        const filters: Omit<ContractFilter, 'scope'>[] = [
          {}, { q: '华' }, { q: '华强' }, { q: '华强 其他租户' }, { party: '深圳' }, { unitPath: units.group.path }, { unitPath: '/' },
          { waitingOn: (await approverSlots(store, 'default', users.mTop.id))! }, { initiator: users.bob.id }, { status: 'in_approval' },
        ];
        for (const filter of filters) {
          const got = await listAll({ scope, ...filter });
          for (const id of got) expect(visible.has(id), `${name} ${JSON.stringify(filter)} ${id}`).toBe(true);
          // Counts ignore the status filter; otherwise they count what the list shows.
          const counts = await store.contracts.counts({ scope, ...filter });
          expect(counts.total).toBe(filter.status ? (await store.contracts.list({ scope, ...filter, status: undefined })).total : got.length);
        }
        expect(await listAll({ scope })).toEqual([...visible]);
      }
    });
  });

  describe('sort and cursor paging', () => {
    const keyOf: Record<string, (s: ContractState) => string | number> = { created: (s) => s.createdAt, updated: (s) => s.updatedAt, amount: (s) => s.amount };
    const order = (sort: LedgerSort) => (a: Seeded, b: Seeded) => {
      const key = keyOf[sort.replace('-', '')];
      const [x, y] = [key(a.state), key(b.state)];
      const byKey = x < y ? -1 : x > y ? 1 : 0;
      const byId = a.state.id.localeCompare(b.state.id);
      return sort.startsWith('-') ? -(byKey || byId) : byKey || byId;
    };

    it.each(LEDGER_SORTS.map((s) => [s]))('visits every row exactly once, in %s order, 7 at a time', async (sort) => {
      for (const filter of [{}, { q: '合同' }, { status: 'in_approval' as const }]) {
        const want = seeded.filter(inScope(ALL)).filter((c) => !('q' in filter) || searchText(c.state).includes('合同')).filter((c) => !('status' in filter) || c.state.status === filter.status).sort(order(sort)).map((c) => c.state.id);
        const got: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.contracts.list({ scope: ALL, ...filter, sort, limit: 7, cursor });
          expect(page.total).toBe(want.length);
          expect(page.items.length).toBeLessThanOrEqual(7);
          got.push(...page.items.map((c) => c.id));
          cursor = page.nextCursor ?? undefined;
          pages++;
        } while (cursor && pages < 50);
        expect(got).toEqual(want);
        expect(pages).toBe(Math.max(1, Math.ceil(want.length / 7)));
      }
    });

    it('is stable under inserts: new contracts ahead of the cursor do not shift the pages', async () => {
      const scope = { tenantId: 'paging', unitPath: null };
      const at = (n: number) => new Date(Date.UTC(2026, 1, 1, n)).toISOString();
      for (let n = 0; n < 20; n++) await store.contracts.save(contractState({ id: `p-${String(n).padStart(2, '0')}`, createdAt: at(n), owner: { tenantId: 'paging', unit: null } }));
      const first = await store.contracts.list({ scope, limit: 5 });
      expect(first.items.map((c) => c.id)).toEqual(['p-19', 'p-18', 'p-17', 'p-16', 'p-15']);
      // Newer contracts, and one with the same time as the last row seen but a lower id.
      for (const id of ['p-20', 'p-21']) await store.contracts.save(contractState({ id, createdAt: at(30), owner: { tenantId: 'paging', unit: null } }));
      await store.contracts.save(contractState({ id: 'p-145', createdAt: at(15), owner: { tenantId: 'paging', unit: null } }));
      const rest: string[] = [];
      let cursor = first.nextCursor ?? undefined;
      while (cursor) {
        const page = await store.contracts.list({ scope, limit: 5, cursor });
        rest.push(...page.items.map((c) => c.id));
        cursor = page.nextCursor ?? undefined;
      }
      expect(rest).toEqual(['p-145', 'p-14', 'p-13', 'p-12', 'p-11', 'p-10', 'p-09', 'p-08', 'p-07', 'p-06', 'p-05', 'p-04', 'p-03', 'p-02', 'p-01', 'p-00']);
    });

    it('still pages by number for older callers', async () => {
      const want = expected(ALL, () => true);
      const second = await store.contracts.list({ scope: ALL, page: 2, pageSize: 10 });
      expect(second).toMatchObject({ page: 2, pageSize: 10, total: want.length });
      expect(second.items.map((c) => c.id)).toEqual(want.slice(10, 20));
    });

    it('refuses a cursor of another sort', async () => {
      const { nextCursor } = await store.contracts.list({ scope: ALL, limit: 3, sort: 'amount' });
      await expect(store.contracts.list({ scope: ALL, sort: '-created', cursor: nextCursor! })).rejects.toThrow(RangeError);
    });
  });

  describe('counts', () => {
    it('has every status, and each equals the list total for that status', async () => {
      const filters: Omit<ContractFilter, 'scope'>[] = [{}, { q: '华' }, { q: '有限公司' }, { flow: 'purchase', amountMin: 10_000 }, { unitPath: units.b1.path }];
      for (const filter of filters) {
        const { counts, total } = await store.contracts.counts({ scope: ALL, ...filter });
        expect(Object.keys(counts).sort()).toEqual([...CONTRACT_STATUSES].sort());
        expect(total).toBe((await store.contracts.list({ scope: ALL, ...filter })).total);
        expect(total).toBeGreaterThan(0);
        for (const status of CONTRACT_STATUSES) {
          expect(counts[status], `${JSON.stringify(filter)} ${status}`).toBe((await store.contracts.list({ scope: ALL, ...filter, status })).total);
        }
      }
    });
  });

  describe.runIf(dialect === 'postgres')('PostgreSQL search index', () => {
    async function withClient<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
      const client = new pg.Client({ connectionString: database.options.databaseUrl });
      await client.connect();
      try {
        return await run(client);
      } finally {
        await client.end();
      }
    }

    it('indexes Chinese: the database ctype is UTF-8, so pg_trgm makes trigrams of CJK', async () => {
      await withClient(async (client) => {
        const { rows } = await client.query(`select pg_encoding_to_char(encoding) as encoding, datctype from pg_database where datname = current_database()`);
        expect(rows[0].encoding).toBe('UTF8');
        const trigrams = (await client.query(`select show_trgm('华强电子') as t`)).rows[0].t as string[];
        expect(trigrams.length).toBeGreaterThan(0);
      });
    });

    it('answers a 3-character search from the trigram index, and 1–2 characters from the grams index', async () => {
      await withClient(async (client) => {
        await client.query('set enable_seqscan = off');
        const plan = await client.query(`explain select contract_id from contract_search where body like lower($1)`, ['%华强电%']);
        expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('contract_search_trgm_idx');
        // 1–2 characters: no trigram, the index of characters and character pairs instead.
        const short = await client.query(`explain select contract_id from contract_search where ledger_grams(body) @> array[$1]::text[]`, ['华强']);
        expect(short.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('contract_search_grams_idx');
      });
    });
  });
});
