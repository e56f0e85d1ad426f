// The shipped purchase contract cut down to its plain path: one approval step, the contract
// document only, two company signers in order who need no seal or verification, and no expiry
// reminder (its workflow ends at completion). For tests and benchmarks that drive a contract to
// its archive with updates and measure what happens there.
import type { FlowDefinition } from '../../flows';

/** `base` is the shipped supplier-purchase flow (examples/supplier-purchase.flow.json). */
export function companySignersFlow(base: FlowDefinition, key: string): FlowDefinition {
  return {
    ...base,
    key,
    approval: { amount: base.approval.amount, tiers: [{ steps: [{ name: '部门经理审批', approvers: ['role:dept-manager'] }] }] },
    documents: [base.documents![0]],
    signers: [
      { id: 'buyer', party: 'company', name: '=buyer.name', order: 1, documents: ['contract'] },
      { id: 'supplier', party: 'company', name: '=supplier.name', order: 2, documents: ['contract'] },
    ],
    archive: { folder: base.archive!.folder, retention: base.archive!.retention },
  };
}
