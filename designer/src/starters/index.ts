// Flows a designer can start from. The supplier purchase starter is the shipped example
// itself (examples/), so the two never drift apart.
import type { FlowDefinition } from '../../../flows';
import supplierPurchase from '../../../examples/supplier-purchase.flow.json';
import employeeOnboarding from './employee-onboarding.flow.json';
import frameworkAgreement from './framework-agreement.flow.json';

export interface Starter {
  id: string;
  flow: FlowDefinition;
}

export const STARTERS: Starter[] = [
  { id: 'supplier-purchase', flow: supplierPurchase as FlowDefinition },
  { id: 'employee-onboarding', flow: employeeOnboarding as FlowDefinition },
  { id: 'framework-agreement', flow: frameworkAgreement as FlowDefinition },
];

/** An empty flow that validates: one default tier with one step, nothing to sign yet. */
export function emptyFlow(key: string, name: string): FlowDefinition {
  return { key, name, approval: { amount: '=amount', tiers: [{ steps: [{ name: '审批', approvers: ['role:dept-manager'] }] }] }, documents: [], signers: [] };
}
