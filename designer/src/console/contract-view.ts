// What the contract page reads off a contract: the step waiting for this user, each signer's
// furthest state, and people's names. Pure functions of the contract and the caller.
import { approverMatches, type ApprovalStepState } from '../../../flows';
import type { ContractDetail, Named, SessionUser } from './api';

type Signer = ContractDetail['signers'][number];

/** The step that waits for this user's decision, if any. */
export function pendingStepFor(contract: ContractDetail, user: SessionUser): ApprovalStepState | null {
  if (contract.status !== 'in_approval' || contract.currentStep === null) return null;
  const step = contract.steps.find((s) => s.index === contract.currentStep) ?? contract.steps[contract.currentStep];
  if (!step || step.status !== 'pending') return null;
  if (step.decisions.some((d) => d.userId === user.id)) return null;
  // The hub says with which roles the caller fills this contract's slots (the nearest holders up the org tree).
  const approver = { id: user.id, roles: contract.caller?.approverRoles ?? user.roles };
  return [...step.approvers, ...step.escalatedTo].some((slot) => {
    try {
      return approverMatches(slot, approver);
    } catch {
      return false;
    }
  })
    ? step
    : null;
}

/** People's names by user id, from what the contract itself tells (decisions, its initiator) and the caller. */
export function namesIn(contract: ContractDetail, user: SessionUser): Map<string, string> {
  const names = new Map<string, string>([[user.id, user.name]]);
  const initiator = (contract as { initiator?: Named }).initiator;
  if (initiator && typeof initiator === 'object' && initiator.name) names.set(initiator.id, initiator.name);
  for (const step of contract.steps) for (const decision of step.decisions) names.set(decision.userId, decision.userName);
  return names;
}

/** A signer's furthest state: invited → opened → read → signed (or declined). */
export function signerState(signer: Signer): 'waiting' | 'invited' | 'opened' | 'read' | 'signing' | 'signed' | 'declined' {
  if (signer.status === 'signed' || signer.status === 'declined' || signer.status === 'signing' || signer.status === 'waiting') return signer.status;
  if (signer.readAt) return 'read';
  if (signer.openedAt) return 'opened';
  return 'invited';
}

