import { describe, expect, it } from 'vitest';
import type { ApprovalStepState } from '../../../flows';
import { ledgerQuery, type ContractDetail, type SessionUser } from './api';
import { pendingStepFor, signerState } from './contract-view';
import { pathOf, routeFromPath } from './routes';

const manager: SessionUser = { id: 'u_wang', name: '王经理', roles: ['dept-manager'], tenantId: 'default', unit: null };
const step = (over: Partial<ApprovalStepState> = {}): ApprovalStepState => ({
  index: 0, name: '部门经理审批', rule: 'any', approvers: ['role:dept-manager'], escalatedTo: [], status: 'pending', decisions: [], reminders: 0, startedAt: '2026-11-28T08:00:00Z', endedAt: null, dueAt: null, ...over,
});
const contract = (over: Partial<ContractDetail> = {}) => ({ status: 'in_approval', currentStep: 0, steps: [step()], signers: [], ...over }) as ContractDetail;

describe('the approval panel', () => {
  it('shows for a holder of the role the current step waits for', () => {
    expect(pendingStepFor(contract(), manager)?.name).toBe('部门经理审批');
  });
  it('shows for the user a slot names, and for one the step was escalated to', () => {
    expect(pendingStepFor(contract({ steps: [step({ approvers: ['user:u_wang'] })] }), { ...manager, roles: [] })).not.toBeNull();
    expect(pendingStepFor(contract({ steps: [step({ approvers: ['role:cfo'], escalatedTo: ['role:dept-manager'] })] }), manager)).not.toBeNull();
  });
  it('hides once the user decided, for other roles, and when the contract waits for no decision', () => {
    const decided = step({ decisions: [{ approver: 'role:dept-manager', userId: 'u_wang', userName: '王经理', decision: 'approve', comment: null, at: '2026-11-28T09:00:00Z' }] });
    expect(pendingStepFor(contract({ steps: [decided] }), manager)).toBeNull();
    expect(pendingStepFor(contract(), { ...manager, roles: ['finance-director'] })).toBeNull();
    expect(pendingStepFor(contract({ status: 'signing', currentStep: null }), manager)).toBeNull();
    // A holder of the role who is not its nearest holder for this contract's unit: the hub says so.
    expect(pendingStepFor(contract({ caller: { approverRoles: [] } }), manager)).toBeNull();
    expect(pendingStepFor(contract({ caller: { approverRoles: ['dept-manager'] } }), manager)).not.toBeNull();
    expect(pendingStepFor(contract({ steps: [step({ status: 'waiting' })] }), manager)).toBeNull();
  });
});

describe("a signer's state", () => {
  const signer = (over: object) => ({ status: 'invited', openedAt: null, readAt: null, ...over }) as unknown as ContractDetail['signers'][number];
  it('goes invited → opened → read as the hub reports them, and keeps signed and declined', () => {
    expect(signerState(signer({}))).toBe('invited');
    expect(signerState(signer({ openedAt: '2026-11-28T10:00:00Z' }))).toBe('opened');
    expect(signerState(signer({ openedAt: '2026-11-28T10:00:00Z', readAt: '2026-11-28T10:05:00Z' }))).toBe('read');
    expect(signerState(signer({ status: 'signed', readAt: '2026-11-28T10:05:00Z' }))).toBe('signed');
    expect(signerState(signer({ status: 'declined' }))).toBe('declined');
  });
});

describe('console addresses', () => {
  it('round-trips every screen, contract ids with odd characters included', () => {
    for (const route of [{ screen: 'ledger' }, { screen: 'contract', id: 'ct_1/二' }, { screen: 'attention' }, { screen: 'stats' }, { screen: 'password' }] as const) {
      expect(routeFromPath(pathOf(route))).toEqual(route);
    }
    expect(routeFromPath('/console/nowhere')).toEqual({ screen: 'ledger' });
  });
  it('sends only the filters that are set, Chinese encoded', () => {
    expect(ledgerQuery({ q: '华强', mine: true, team: false, party: '', amountMin: '1000' }, { cursor: undefined, limit: '50' })).toBe('?q=%E5%8D%8E%E5%BC%BA&mine=true&amountMin=1000&limit=50');
    expect(ledgerQuery({})).toBe('');
  });
});
