// A running contract's writes after the first carry only what changed (flows/contract-changes.ts):
// the store applies them on the revision they were computed from, on both databases, and the
// ledger (list, search, counts) sees the result as if the whole state had been written.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { baselineOf, changesSince, type ContractState } from '../../flows';
import type { Store } from '../../store';
import { dialects, openTestStore } from '../support/databases';
import { contractState } from './fixtures';

const ALL = { tenantId: 'default', unitPath: null };

describe.each(dialects)('contract changes (%s)', (dialect) => {
  let store: Store;
  beforeEach(async () => {
    store = await openTestStore(dialect);
  });
  afterEach(() => store.close());

  const advance = (state: ContractState, change: (s: ContractState) => void) => {
    const next: ContractState = structuredClone(state);
    change(next);
    next.revision = state.revision + 1;
    return changesSince(baselineOf(state), next);
  };

  it('applies changes on their base revision; the ledger finds the new title and status; a retry changes nothing', async () => {
    const first = contractState({ id: 'c-1', revision: 1, title: '采购合同 PO-1', timeline: [{ at: '2026-01-01T00:00:00.000Z', type: 'started', actor: 'u', message: 'Started' }] });
    await store.contracts.save(first);
    const { changes } = advance(first, (s) => {
      s.status = 'signing';
      s.title = '技术服务协议 PO-1';
      s.timeline.push({ at: '2026-01-01T00:01:00.000Z', type: 'signing_started', actor: 'system', message: 'Signing' });
    });
    expect(changes.set).not.toHaveProperty('data');
    const applied = await store.contracts.applyChanges(changes);
    expect(applied).toMatchObject({ outcome: 'applied', previous: { revision: 1, status: first.status }, state: { revision: 2, status: 'signing' } });
    const stored = (await store.contracts.get('c-1'))!;
    expect(stored.timeline.map((e) => e.type)).toEqual(['started', 'signing_started']);
    expect(stored.data).toEqual(first.data);
    expect((await store.contracts.list({ scope: ALL, q: '技术服务' })).items.map((c) => c.id)).toEqual(['c-1']);
    expect((await store.contracts.list({ scope: ALL, q: '采购合同' })).items).toEqual([]);
    expect((await store.contracts.counts({ scope: ALL })).counts.signing).toBe(1);
    expect(await store.contracts.applyChanges(changes)).toEqual({ outcome: 'already-applied' });
    expect((await store.contracts.get('c-1'))!.timeline).toHaveLength(2);
  });

  it('refuses changes computed from another revision than the stored one, and for a contract it does not hold', async () => {
    const first = contractState({ id: 'c-2', revision: 3 });
    await store.contracts.save(first);
    // Changes on revision 4 (to 5) while 3 is stored: the write before them is missing.
    const { changes } = advance({ ...first, revision: 4 }, (s) => void (s.status = 'approved'));
    expect(await store.contracts.applyChanges(changes)).toEqual({ outcome: 'out-of-order', stored: 3 });
    expect(await store.contracts.applyChanges({ ...changes, id: 'nope' })).toEqual({ outcome: 'out-of-order', stored: null });
    expect((await store.contracts.get('c-2'))!.status).toBe(first.status);
  });
});
