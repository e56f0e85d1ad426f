import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContractState } from '../../flows/contract';
import { waitingOn, type Store } from '../../store';
import { dialects, openTestStore } from '../support/databases';
import { contractState, step } from './fixtures';

/** Every contract of the default tenant, as its administrators see them. */
const ALL = { tenantId: 'default', unitPath: null };

const decision = (approver: string) => ({ approver, userId: 'u_x', userName: 'X', decision: 'approve' as const, comment: null, at: '2025-01-02T00:00:00.000Z' });

describe('waitingOn', () => {
  it('lists the undecided approvers and escalations of the pending current step', () => {
    const state = contractState({
      currentStep: 1,
      steps: [
        step({ index: 0, status: 'approved', approvers: ['role:dept-manager'] }),
        step({
          index: 1,
          status: 'pending',
          rule: 'all',
          approvers: ['role:general-manager', 'role:legal'],
          escalatedTo: ['user:u_ceo', 'role:legal'],
          decisions: [decision('role:general-manager')],
        }),
      ],
    });
    expect(waitingOn(state)).toEqual(['role:legal', 'user:u_ceo']);
  });

  it('is empty when there is no current step or it is not pending', () => {
    expect(waitingOn(contractState({ currentStep: null, status: 'approved' }))).toEqual([]);
    expect(waitingOn(contractState({ steps: [step({ status: 'waiting' })] }))).toEqual([]);
    expect(waitingOn(contractState({ steps: [step({ status: 'rejected' })] }))).toEqual([]);
  });
});

describe.each(dialects)('contracts (%s)', (dialect) => {
  let store: Store;
  beforeEach(async () => {
    store = await openTestStore(dialect);
  });
  afterEach(async () => {
    await store.close();
  });

  it('inserts a contract once and reports the second insert as absent-no-more', async () => {
    const state = contractState({ id: 'c-1', title: 'first' });
    expect(await store.contracts.insertIfAbsent(state)).toBe(true);
    expect(await store.contracts.insertIfAbsent({ ...state, title: 'second', revision: 5 })).toBe(false);
    expect(await store.contracts.get('c-1')).toEqual(state);
  });

  it('returns the full state as saved, and null for an unknown id', async () => {
    const state = contractState({
      id: 'c-full',
      amount: 1234567.89,
      data: { supplier: { name: '华为', isNew: true }, lines: [1, 2.5, null] },
      sourceKey: 'PO-4500001234',
    });
    await store.contracts.save(state);
    expect(await store.contracts.get('c-full')).toEqual(state);
    expect(await store.contracts.get('c-none')).toBeNull();
  });

  it('overwrites the stored state with a newer revision', async () => {
    await store.contracts.save(contractState({ revision: 1 }));
    const approved = contractState({ revision: 2, status: 'approved', currentStep: null, steps: [step({ status: 'approved' })], updatedAt: '2025-01-03T00:00:00.000Z' });
    await store.contracts.save(approved);
    expect(await store.contracts.get('c-1')).toEqual(approved);
    const [summary] = (await store.contracts.list({ scope: ALL })).items;
    expect(summary).toMatchObject({ status: 'approved', currentStep: null, waitingOn: [], updatedAt: '2025-01-03T00:00:00.000Z' });
  });

  it('ignores a projection older than the stored one', async () => {
    const newer = contractState({ revision: 5, status: 'rejected', currentStep: null });
    await store.contracts.save(newer);
    await store.contracts.save(contractState({ revision: 4, status: 'in_approval' }));
    expect(await store.contracts.get('c-1')).toEqual(newer);
    expect((await store.contracts.list({ scope: ALL })).items[0]).toMatchObject({ status: 'rejected', waitingOn: [] });
  });

  it('ignores a second write of the same revision', async () => {
    const first = contractState({ revision: 3, title: 'first' });
    await store.contracts.save(first);
    await store.contracts.save(contractState({ revision: 3, title: 'second' }));
    expect((await store.contracts.get('c-1'))?.title).toBe('first');
  });

  it('keeps the highest revision when writes race in any order', async () => {
    const revisions = [3, 7, 1, 6, 2, 5, 4];
    await Promise.all(revisions.map((revision) => store.contracts.save(contractState({ revision, title: `rev ${revision}` }))));
    const stored = await store.contracts.get('c-1');
    expect(stored?.revision).toBe(7);
    expect(stored?.title).toBe('rev 7');
  });

  it('stores who the contract is waiting on for the list', async () => {
    await store.contracts.save(
      contractState({ steps: [step({ approvers: ['role:legal', 'role:dept-manager'], escalatedTo: ['user:u_boss'], decisions: [decision('role:legal')] })] }),
    );
    expect((await store.contracts.list({ scope: ALL })).items[0].waitingOn).toEqual(['role:dept-manager', 'user:u_boss']);
  });

  describe('list', () => {
    const day = (n: number) => `2025-03-${String(n).padStart(2, '0')}T08:00:00.000Z`;
    // c-01 … c-12: one a day, alternating flows, every third rejected.
    const states: ContractState[] = Array.from({ length: 12 }, (_, i) => {
      const n = i + 1;
      return contractState({
        id: `c-${String(n).padStart(2, '0')}`,
        flowKey: n % 2 ? 'purchase' : 'sales',
        status: n % 3 === 0 ? 'rejected' : 'in_approval',
        title: n === 5 ? 'Steel Supply 100%_off' : `Contract ${n}`,
        sourceKey: n === 7 ? 'PO-ABC-777' : null,
        amount: n * 1000.5,
        createdAt: day(n),
        updatedAt: day(n),
      });
    });

    beforeEach(async () => {
      for (const state of states) await store.contracts.insertIfAbsent(state);
    });

    const ids = async (filter: Omit<Parameters<Store['contracts']['list']>[0], 'scope'>) => (await store.contracts.list({ scope: ALL, ...filter })).items.map((c) => c.id);

    it('lists newest first with summaries and the total', async () => {
      const page = await store.contracts.list({ scope: ALL });
      expect(page).toMatchObject({ total: 12, page: 1, pageSize: 50 });
      expect(page.items.map((c) => c.id)).toEqual(states.map((s) => s.id).reverse());
      expect(page.items.at(-1)).toEqual({
        id: 'c-01',
        flowKey: 'purchase',
        flowVersion: 1,
        title: 'Contract 1',
        status: 'in_approval',
        amount: 1000.5,
        sourceKey: null,
        currentStep: 0,
        waitingOn: ['role:dept-manager'],
        createdAt: day(1),
        updatedAt: day(1),
        parties: [],
        orgUnit: null,
        initiator: 'u_1',
      });
    });

    it('breaks ties on the creation time by id, descending', async () => {
      await store.contracts.insertIfAbsent(contractState({ id: 'c-13a', createdAt: day(20) }));
      await store.contracts.insertIfAbsent(contractState({ id: 'c-13b', createdAt: day(20) }));
      expect((await ids({})).slice(0, 3)).toEqual(['c-13b', 'c-13a', 'c-12']);
    });

    it('filters by status and by flow', async () => {
      expect(await ids({ status: 'rejected' })).toEqual(['c-12', 'c-09', 'c-06', 'c-03']);
      expect(await ids({ flow: 'sales', status: 'rejected' })).toEqual(['c-12', 'c-06']);
      expect((await store.contracts.list({ scope: ALL, flow: 'purchase' })).total).toBe(6);
      expect(await ids({ status: 'cancelled' })).toEqual([]);
    });

    it('searches title, id and source key case-insensitively', async () => {
      expect(await ids({ q: 'steel' })).toEqual(['c-05']);
      expect(await ids({ q: 'abc-7' })).toEqual(['c-07']);
      expect(await ids({ q: 'C-1' })).toEqual(['c-12', 'c-11', 'c-10']);
      expect(await ids({ q: 'contract 1' })).toEqual(['c-12', 'c-11', 'c-10', 'c-01']);
    });

    it('treats % and _ in the search text literally', async () => {
      expect(await ids({ q: '100%_off' })).toEqual(['c-05']);
      expect(await ids({ q: '%' })).toEqual(['c-05']);
      expect(await ids({ q: 'c_1' })).toEqual([]);
    });

    it('filters by creation time, both ends inclusive', async () => {
      expect(await ids({ from: day(3), to: day(5) })).toEqual(['c-05', 'c-04', 'c-03']);
      expect(await ids({ from: day(11) })).toEqual(['c-12', 'c-11']);
      expect(await ids({ to: day(1) })).toEqual(['c-01']);
    });

    it('pages through the results and counts all matches', async () => {
      const first = await store.contracts.list({ scope: ALL, pageSize: 5 });
      const third = await store.contracts.list({ scope: ALL, pageSize: 5, page: 3 });
      expect(first).toMatchObject({ total: 12, page: 1, pageSize: 5 });
      expect(first.items.map((c) => c.id)).toEqual(['c-12', 'c-11', 'c-10', 'c-09', 'c-08']);
      expect(third).toMatchObject({ total: 12, page: 3 });
      expect(third.items.map((c) => c.id)).toEqual(['c-02', 'c-01']);
      expect((await store.contracts.list({ scope: ALL, pageSize: 5, page: 4 })).items).toEqual([]);
      const filtered = await store.contracts.list({ scope: ALL, flow: 'sales', pageSize: 2, page: 2 });
      expect(filtered).toMatchObject({ total: 6, page: 2, pageSize: 2 });
      expect(filtered.items.map((c) => c.id)).toEqual(['c-08', 'c-06']);
    });

    it('caps the page size at 200 and starts at page 1', async () => {
      expect(await store.contracts.list({ scope: ALL, pageSize: 10_000, page: 0 })).toMatchObject({ pageSize: 200, page: 1, total: 12 });
    });
  });
});
