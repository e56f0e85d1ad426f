import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { validateFlow, type FlowDefinition } from '../../flows';
import { copyAt, insert, moveRound, moveSigner, moveSignerToRound, moveStep, pasteAt, remove, roundOrders } from './edits';
import { getAt, setAt } from './pointer';
import { openFlow, redo, TYPING_PAUSE_MS, undo, useEditor } from './store';

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

const stepNames = (flow: FlowDefinition) => flow.approval.tiers.map((t) => t.steps.map((s) => s.name));
const rounds = (flow: FlowDefinition) => roundOrders(flow).map((o) => flow.signers!.filter((s) => (s.order ?? 1) === o).map((s) => s.id));

describe('reordering', () => {
  it('moves a step within its tier, both ways, and says where it went', () => {
    const down = moveStep(example(), { tier: 2, index: 0 }, { tier: 2, index: 2 })!;
    expect(stepNames(down.flow)[2]).toEqual(['财务总监审批', '总经理与法务会签', '部门经理审批']);
    expect(down.path).toBe('/approval/tiers/2/steps/2');
    const up = moveStep(down.flow, { tier: 2, index: 2 }, { tier: 2, index: 0 })!;
    expect(up.flow).toEqual(example());
    expect(moveStep(example(), { tier: 1, index: 1 }, { tier: 1, index: 1 })).toBeNull();
  });

  it('moves a step to another tier, but never the only step of a tier', () => {
    const moved = moveStep(example(), { tier: 2, index: 2 }, { tier: 1, index: 0 })!;
    expect(stepNames(moved.flow)).toEqual([['部门经理审批'], ['总经理与法务会签', '部门经理审批', '财务总监审批'], ['部门经理审批', '财务总监审批']]);
    expect(moved.path).toBe('/approval/tiers/1/steps/0');
    expect(validateFlow(moved.flow).ok).toBe(true);
    expect(moveStep(example(), { tier: 0, index: 0 }, { tier: 1, index: 0 })).toBeNull();
  });

  it('moves signers within a round and between rounds', () => {
    const flow = insert(example(), { type: 'signer', order: 1 }).flow; // buyer, signer1 in round 1; supplier in round 2
    expect(rounds(flow)).toEqual([['buyer', 'signer1'], ['supplier']]);
    const swapped = moveSigner(flow, 2, 0)!;
    expect(rounds(swapped.flow)).toEqual([['signer1', 'buyer'], ['supplier']]);
    expect(swapped.path).toBe('/signers/0');
    const across = moveSigner(flow, 2, 1)!; // signer1 dropped on the supplier
    expect(rounds(across.flow)).toEqual([['buyer'], ['signer1', 'supplier']]);
    expect(getAt(across.flow, across.path)).toMatchObject({ id: 'signer1', order: 2 });
    const down = moveSignerToRound(flow, 0, 1)!;
    expect(rounds(down.flow)).toEqual([['signer1'], ['supplier', 'buyer']]);
    expect(getAt(down.flow, down.path)).toMatchObject({ id: 'buyer', order: 2 });
    const alone = moveSignerToRound(flow, 2, 2)!; // a new last round
    expect(rounds(alone.flow)).toEqual([['buyer'], ['supplier'], ['signer1']]);
    expect(moveSignerToRound(example(), 1, 2)).toBeNull(); // the supplier is already alone in the last round
  });

  it('moves whole rounds: their signers swap orders, the order numbers stay', () => {
    const flow = moveRound(example(), 1, 0)!;
    expect(rounds(flow)).toEqual([['supplier'], ['buyer']]);
    expect(flow.signers!.map((s) => [s.id, s.order])).toEqual([['buyer', 2], ['supplier', 1]]);
    expect(moveRound(flow, 0, 1)).toEqual(example());
    expect(moveRound(example(), 0, 2)).toBeNull();
  });
});

describe('copy and paste', () => {
  it('pastes a copied step after a focused step or at the end of a focused tier', () => {
    const clip = copyAt(example(), '/approval/tiers/2/steps/2')!;
    expect(clip.kind).toBe('step');
    const after = pasteAt(example(), '/approval/tiers/0/steps/0', clip)!;
    expect(stepNames(after.flow)[0]).toEqual(['部门经理审批', '总经理与法务会签']);
    expect(after.path).toBe('/approval/tiers/0/steps/1');
    expect(getAt(after.flow, after.path)).toEqual({ name: '总经理与法务会签', approvers: ['role:general-manager', 'role:legal'], rule: 'all' });
    expect(pasteAt(example(), '/approval/tiers/1', clip)!.path).toBe('/approval/tiers/1/steps/2');
    expect(pasteAt(example(), '/signers/0', clip)).toBeNull();
    expect(copyAt(example(), '/documents/0')).toBeNull();
  });

  it('pastes a signer after the focused one, in its round, with a fresh id, again and again', () => {
    const clip = copyAt(example(), '/signers/1')!;
    const once = pasteAt(example(), '/signers/0', clip)!;
    expect(once.flow.signers!.map((s) => [s.id, s.order])).toEqual([['buyer', 1], ['supplier2', 1], ['supplier', 2]]);
    const twice = pasteAt(once.flow, '/signers/1', clip)!;
    expect(twice.flow.signers!.map((s) => s.id)).toEqual(['buyer', 'supplier2', 'supplier3', 'supplier']);
    expect(validateFlow(twice.flow).ok).toBe(true);
    // into a flow without the NDA: the pasted signer signs only what this flow has
    const noNda = remove(example(), '/documents/1')!;
    expect(pasteAt(noNda, '/signers/1', clip)!.flow.signers![2]!.documents).toEqual(['contract']);
  });
});

describe('undo and redo', () => {
  it('walks back through every edit, moves and pastes included, and forward again', () => {
    openFlow(example());
    const states: FlowDefinition[] = [useEditor.getState().flow!];
    const apply = (next: FlowDefinition | null | undefined) => {
      useEditor.getState().setFlow(next!);
      states.push(useEditor.getState().flow!);
    };
    const now = () => useEditor.getState().flow!;
    apply(insert(now(), { type: 'step', tier: 0, index: 1 }).flow);
    useEditor.getState().setField('/approval/tiers/0/steps/1/approvers', ['role:legal']);
    states.push(now());
    apply(moveStep(now(), { tier: 0, index: 1 }, { tier: 0, index: 0 })!.flow);
    apply(pasteAt(now(), '/signers/0', copyAt(now(), '/signers/0')!)!.flow);
    apply(moveRound(now(), 1, 0));
    apply(moveSigner(now(), 0, 2)!.flow);
    apply(remove(now(), '/documents/1'));
    apply(insert(now(), { type: 'tier', index: 2 }).flow);
    useEditor.getState().setField('/name', '改名');
    states.push(now());
    apply(moveSignerToRound(now(), 0, 0)!.flow);
    expect(states).toHaveLength(11);
    for (let i = 9; i >= 0; i--) {
      undo();
      expect(now()).toEqual(states[i]);
    }
    expect(now()).toEqual(example());
    for (let i = 1; i <= 10; i++) {
      redo();
      expect(now()).toEqual(states[i]);
    }
  });
});

describe('typing and undo', () => {
  afterEach(() => vi.useRealTimers());

  it('takes a burst of typing in one field back in one step, and a pause or another field starts a new one', () => {
    vi.useFakeTimers();
    openFlow(example());
    const name = () => useEditor.getState().flow!.name;
    const type = (path: string, text: string) => {
      for (let i = 1; i <= text.length; i++) {
        useEditor.getState().setField(path, text.slice(0, i));
        vi.advanceTimersByTime(80);
      }
    };
    const before = name();
    type('/name', '供应商合同');
    vi.advanceTimersByTime(TYPING_PAUSE_MS);
    type('/name', '供应商合同 v2');
    type('/title', '=poNumber');
    undo();
    expect(useEditor.getState().flow!.title).toBe(example().title);
    expect(name()).toBe('供应商合同 v2');
    undo();
    expect(name()).toBe('供应商合同');
    undo();
    expect(name()).toBe(before);
    redo();
    expect(name()).toBe('供应商合同');
    // typing right after an undo is a new step: redo has nothing left to bring back
    type('/name', '新');
    undo();
    expect(name()).toBe('供应商合同');
  });
});

