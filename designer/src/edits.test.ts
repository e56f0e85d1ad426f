import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateFlow, type FlowDefinition } from '../../flows';
import { insert, remove, roundOrders } from './edits';
import { getAt, setAt } from './pointer';

const example = (): FlowDefinition => JSON.parse(readFileSync(new URL('../../examples/supplier-purchase.flow.json', import.meta.url), 'utf8'));

describe('insertions', () => {
  it('puts a new tier before the default one, with a bound between its neighbours, and the flow stays valid once its step has approvers', () => {
    const { flow, path } = insert(example(), { type: 'tier', index: 2 });
    expect(path).toBe('/approval/tiers/2');
    expect(flow.approval.tiers.map((t) => t.upTo)).toEqual([100000, 1000000, 10000000, undefined]);
    expect(validateFlow(flow).ok).toBe(false); // the new step has no approvers yet
    expect(validateFlow(setAt(flow, '/approval/tiers/2/steps/0/approvers', ['role:ceo'])).ok).toBe(true);
  });

  it('inserts a round between two: later signers move one order down', () => {
    const { flow, path } = insert(example(), { type: 'round', index: 1 });
    expect(path).toBe('/signers/2');
    expect(flow.signers!.map((s) => [s.id, s.order])).toEqual([['buyer', 1], ['supplier', 3], ['signer1', 2]]);
    expect(roundOrders(flow)).toEqual([1, 2, 3]);
    expect(flow.signers![2]!.documents).toEqual(['contract', 'nda']);
  });

  it('adds a parallel signer to a round and a round at the end', () => {
    expect(insert(example(), { type: 'signer', order: 2 }).flow.signers!.map((s) => s.order)).toEqual([1, 2, 2]);
    expect(insert(example(), { type: 'round', index: 2 }).flow.signers!.map((s) => s.order)).toEqual([1, 2, 3]);
  });

  it('leaves the original flow untouched (undo keeps the old value)', () => {
    const before = example();
    const copy = structuredClone(before);
    insert(before, { type: 'step', tier: 1, index: 1 });
    insert(before, { type: 'document' });
    remove(before, '/approval/tiers/0');
    expect(before).toEqual(copy);
  });
});

describe('removals', () => {
  it('keeps the last tier the default one: removing it leaves the new last tier without a bound', () => {
    const flow = remove(example(), '/approval/tiers/2')!;
    expect(flow.approval.tiers.map((t) => t.upTo)).toEqual([100000, undefined]);
    expect(validateFlow(flow).ok).toBe(true);
  });

  it('refuses to remove the only step of a tier or the only tier', () => {
    expect(remove(example(), '/approval/tiers/0/steps/0')).toBeNull();
    expect(remove(remove(remove(example(), '/approval/tiers/0')!, '/approval/tiers/0')!, '/approval/tiers/0')).toBeNull();
  });

  it('drops a removed document from the signers that signed it', () => {
    const flow = remove(example(), '/documents/1')!;
    expect(flow.signers!.map((s) => s.documents)).toEqual([['contract'], ['contract']]);
    expect(validateFlow(flow).ok).toBe(true);
  });
});

describe('JSON pointers', () => {
  it('reads and writes by path, removing emptied objects', () => {
    const flow = example();
    expect(getAt(flow, '/signers/1/contact/email')).toBe('=supplier.email');
    const without = setAt(setAt(flow, '/signers/1/contact/email', undefined), '/signers/1/contact/mobile', undefined);
    expect(getAt(without, '/signers/1/contact')).toBeUndefined();
    expect(setAt(flow, '/archive/expiry/remindBefore', 'P10D').archive!.expiry).toEqual({ date: '=endDate', remindBefore: 'P10D' });
    expect(Object.keys(setAt(flow, '/name', 'x'))).toEqual(Object.keys(flow)); // the key keeps its place
  });
});
