// Small valid values for store tests.
import type { ApprovalStepState, ContractState } from '../../flows/contract';
import type { FlowDefinition } from '../../flows/schema';

export function flowDefinition(key: string, name = `Flow ${key}`): FlowDefinition {
  return {
    key,
    name,
    approval: { amount: '=amount', tiers: [{ steps: [{ approvers: ['role:dept-manager'] }] }] },
  };
}

export function step(overrides: Partial<ApprovalStepState> = {}): ApprovalStepState {
  return {
    index: 0,
    name: 'Manager',
    rule: 'any',
    approvers: ['role:dept-manager'],
    escalatedTo: [],
    status: 'pending',
    decisions: [],
    reminders: 0,
    startedAt: '2025-01-01T00:00:00.000Z',
    endedAt: null,
    dueAt: null,
    ...overrides,
  };
}

export function contractState(overrides: Partial<ContractState> = {}): ContractState {
  return {
    id: 'c-1',
    flowKey: 'purchase',
    flowVersion: 1,
    flowName: 'Purchase',
    sourceKey: null,
    title: 'Purchase contract',
    status: 'in_approval',
    amount: 1000,
    tier: { index: 0, upTo: null },
    data: { amount: 1000 },
    steps: [step()],
    currentStep: 0,
    documents: [],
    signers: [],
    signingDeadline: null,
    evidenceSha256: null,
    archiveFolder: null,
    timeline: [{ at: '2025-01-01T00:00:00.000Z', type: 'started', actor: 'u_1', message: 'started' }],
    startedBy: 'u_1',
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    revision: 1,
    ...overrides,
  };
}
