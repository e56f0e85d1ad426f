import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FlowDefinition } from '../../../flows';
import { insert } from '../edits';
import { getAt } from '../pointer';
import { dropOn, gripOf, keyMove } from './moves';

const example = (): FlowDefinition => JSON.parse(readFileSync(new URL('../../../examples/supplier-purchase.flow.json', import.meta.url), 'utf8'));
const names = (flow: FlowDefinition, t: number) => flow.approval.tiers[t]!.steps.map((s) => s.name);

describe('drag and drop', () => {
  it('drops a step on a step (its place) or on a tier label (first in that tier); nothing else takes it', () => {
    const grip = gripOf('/approval/tiers/2/steps/2')!;
    const onStep = dropOn(example(), grip, { kind: 'card', path: '/approval/tiers/2/steps/0' })!;
    expect(names(onStep.flow, 2)).toEqual(['总经理与法务会签', '部门经理审批', '财务总监审批']);
    expect(onStep.focus).toEqual({ kind: 'card', path: '/approval/tiers/2/steps/0' });
    const onTier = dropOn(example(), grip, { kind: 'card', path: '/approval/tiers/0' })!;
    expect(names(onTier.flow, 0)).toEqual(['总经理与法务会签', '部门经理审批']);
    expect(dropOn(example(), grip, { kind: 'card', path: '/signers/0' })).toBeNull();
    expect(dropOn(example(), grip, { kind: 'card', path: '/documents/0' })).toBeNull();
    expect(dropOn(example(), grip, { kind: 'round', index: 0 })).toBeNull();
  });

  it('drops a signer on a signer or on a round label, and a round label on another', () => {
    const onRound = dropOn(example(), gripOf('/signers/1')!, { kind: 'round', index: 0 })!;
    expect(onRound.flow.signers!.map((s) => [s.id, s.order])).toEqual([['buyer', 1], ['supplier', 1]]);
    expect(getAt(onRound.flow, (onRound.focus as { path: string }).path)).toMatchObject({ id: 'supplier' });
    const rounds = dropOn(example(), { kind: 'round', index: 1 }, { kind: 'round', index: 0 })!;
    expect(rounds.flow.signers!.map((s) => [s.id, s.order])).toEqual([['buyer', 2], ['supplier', 1]]);
    expect(rounds.focus).toEqual({ kind: 'round', index: 0 });
    expect(dropOn(example(), { kind: 'round', index: 1 }, { kind: 'card', path: '/signers/0' })).toBeNull();
  });
});

describe('dropping on a "+"', () => {
  it('puts a step where the "+" would insert one, in its tier or another', () => {
    const grip = gripOf('/approval/tiers/2/steps/0')!;
    const last = dropOn(example(), grip, { kind: 'gap', action: { type: 'step', tier: 2, index: 3 } })!;
    expect(names(last.flow, 2)).toEqual(['财务总监审批', '总经理与法务会签', '部门经理审批']);
    expect(last.focus).toEqual({ kind: 'card', path: '/approval/tiers/2/steps/2' });
    const between = dropOn(example(), gripOf('/approval/tiers/2/steps/2')!, { kind: 'gap', action: { type: 'step', tier: 1, index: 1 } })!;
    expect(names(between.flow, 1)).toEqual(['部门经理审批', '总经理与法务会签', '财务总监审批']);
    expect(dropOn(example(), grip, { kind: 'gap', action: { type: 'step', tier: 2, index: 1 } })).toBeNull(); // where it already is
    expect(dropOn(example(), grip, { kind: 'gap', action: { type: 'document' } })).toBeNull();
  });

  it('puts a signer last in the round whose "+" it is dropped on', () => {
    const moved = dropOn(example(), gripOf('/signers/0')!, { kind: 'gap', action: { type: 'signer', order: 2 } })!;
    expect(moved.flow.signers!.map((s) => [s.id, s.order])).toEqual([['supplier', 2], ['buyer', 2]]);
  });
});

describe('Alt+arrows', () => {
  it('moves a step up and down its tier and sideways to the next tier', () => {
    const up = keyMove(example(), gripOf('/approval/tiers/2/steps/2')!, 'ArrowUp')!;
    expect(names(up.flow, 2)).toEqual(['部门经理审批', '总经理与法务会签', '财务总监审批']);
    expect(keyMove(example(), gripOf('/approval/tiers/2/steps/0')!, 'ArrowUp')).toBeNull();
    const left = keyMove(example(), gripOf('/approval/tiers/2/steps/2')!, 'ArrowLeft')!;
    expect(names(left.flow, 1)).toEqual(['部门经理审批', '财务总监审批', '总经理与法务会签']);
    expect(keyMove(example(), gripOf('/approval/tiers/0/steps/0')!, 'ArrowRight')).toBeNull(); // the only step of its tier
  });

  it('moves a signer sideways within its round, up and down between rounds, and rounds up and down', () => {
    const flow = insert(example(), { type: 'signer', order: 1 }).flow; // buyer, supplier (2), signer1 (1)
    const right = keyMove(flow, gripOf('/signers/0')!, 'ArrowRight')!;
    expect(right.flow.signers!.map((s) => s.id)).toEqual(['supplier', 'signer1', 'buyer']);
    expect(keyMove(flow, gripOf('/signers/2')!, 'ArrowRight')).toBeNull();
    const down = keyMove(flow, gripOf('/signers/2')!, 'ArrowDown')!;
    expect(down.flow.signers!.map((s) => [s.id, s.order])).toEqual([['buyer', 1], ['supplier', 2], ['signer1', 2]]);
    const newRound = keyMove(down.flow, gripOf('/signers/2')!, 'ArrowDown')!;
    expect(newRound.flow.signers!.map((s) => s.order)).toEqual([1, 2, 3]);
    expect(keyMove(flow, { kind: 'round', index: 0 }, 'ArrowDown')!.flow.signers!.map((s) => s.order)).toEqual([2, 1, 2]);
    expect(keyMove(flow, { kind: 'round', index: 0 }, 'ArrowUp')).toBeNull();
  });
});
