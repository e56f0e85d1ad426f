import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FlowDefinition } from '../../../flows';
import { align, diffFlows } from './diff';

const example = (): FlowDefinition => JSON.parse(readFileSync(new URL('../../../examples/supplier-purchase.flow.json', import.meta.url), 'utf8'));

describe('align', () => {
  it('pairs equal items, shows an insertion as one added item and a replacement as changed', () => {
    expect(align(['a', 'b', 'c'], ['a', 'x', 'b', 'c'], (s) => s)).toEqual([[0, 0], [null, 1], [1, 2], [2, 3]]);
    expect(align(['a', 'b', 'c'], ['a', 'B', 'c'], (s) => s)).toEqual([[0, 0], [1, 1], [2, 2]]);
    expect(align(['a', 'b'], [], (s) => s)).toEqual([[0, null], [1, null]]);
  });
});

describe('diffFlows', () => {
  it('finds nothing between a flow and itself', () => {
    expect(diffFlows(example(), example())).toEqual([]);
  });

  it('names a step added first in a tier as one added step, not three changed ones', () => {
    const after = example();
    after.approval.tiers[2]!.steps.unshift({ name: '采购总监审批', approvers: ['role:procurement-director'] });
    expect(diffFlows(example(), after)).toEqual([{ change: 'added', where: { card: 'step', tier: 2, upTo: null, step: 0, name: '采购总监审批' }, fields: [] }]);
  });

  it('shows a step whose approvers changed with their values before and after', () => {
    const after = example();
    after.approval.tiers[0]!.steps[0]!.approvers = ['role:finance-director'];
    expect(diffFlows(example(), after)).toEqual([
      { change: 'changed', where: { card: 'step', tier: 0, upTo: 100000, step: 0, name: '部门经理审批' }, fields: [{ field: 'approvers', from: ['role:dept-manager'], to: ['role:finance-director'] }] },
    ]);
  });

  it('shows a tier added, a signer removed, a document `when` changed and a reminder setting changed', () => {
    const after = example();
    after.approval.tiers.splice(1, 0, { upTo: 500000, steps: [{ approvers: ['role:dept-manager'] }] });
    after.signers = after.signers!.filter((s) => s.id !== 'supplier');
    after.documents![1]!.when = '=supplier.isNew';
    after.signing!.reminders!.max = 5;
    after.name = '采购合同（新）';
    const changes = diffFlows(example(), after);
    expect(changes).toEqual([
      { change: 'changed', where: { card: 'flow' }, fields: [{ field: 'name', from: '供应商采购合同', to: '采购合同（新）' }] },
      { change: 'added', where: { card: 'tier', tier: 1, upTo: 500000 }, fields: [] },
      { change: 'changed', where: { card: 'document', id: 'nda' }, fields: [{ field: 'when', from: '=supplier.isNew = true', to: '=supplier.isNew' }] },
      { change: 'removed', where: { card: 'signer', id: 'supplier' }, fields: [] },
      { change: 'changed', where: { card: 'signing' }, fields: [{ field: 'reminders/max', from: 3, to: 5 }] },
    ]);
  });
});
