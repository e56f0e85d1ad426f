// The state of one contract as it moves through its flow. The workflow owns it; the
// store keeps a projection of it for listing and detail pages; the API returns it.
import type { ApprovalPlan } from './routing';

export type ContractStatus =
  | 'in_approval'
  | 'approved' // every approval step passed; later stages (documents, signing, archive) take over from here
  | 'rejected'
  | 'cancelled';

export const FINAL_STATUSES: readonly ContractStatus[] = ['approved', 'rejected', 'cancelled'];

export type StepStatus = 'waiting' | 'pending' | 'approved' | 'rejected' | 'cancelled';

export type Decision = 'approve' | 'reject';

export interface ApprovalDecision {
  /** The approver slot this decision filled, e.g. `role:finance-director`. */
  approver: string;
  userId: string;
  userName: string;
  decision: Decision;
  comment: string | null;
  at: string;
}

export interface ApprovalStepState {
  index: number;
  name: string;
  rule: 'any' | 'all';
  approvers: string[];
  /** Approvers added by an escalation after a timeout. */
  escalatedTo: string[];
  status: StepStatus;
  decisions: ApprovalDecision[];
  reminders: number;
  startedAt: string | null;
  endedAt: string | null;
  /** When the current timeout fires, if the step has one. */
  dueAt: string | null;
}

export type TimelineEventType =
  | 'started'
  | 'step_started'
  | 'decided'
  | 'step_approved'
  | 'step_rejected'
  | 'reminded'
  | 'escalated'
  | 'timed_out'
  | 'approved'
  | 'rejected'
  | 'cancelled';

export interface TimelineEvent {
  at: string;
  type: TimelineEventType;
  /** Who caused it: a user id, or `system` for timers. */
  actor: string;
  message: string;
  step?: number;
}

export interface ChosenTier {
  index: number;
  upTo: number | null;
}

export interface ContractState {
  id: string;
  flowKey: string;
  flowVersion: number;
  flowName: string;
  sourceKey: string | null;
  title: string | null;
  status: ContractStatus;
  amount: number;
  tier: ChosenTier;
  data: Record<string, unknown>;
  steps: ApprovalStepState[];
  currentStep: number | null;
  timeline: TimelineEvent[];
  startedBy: string;
  createdAt: string;
  updatedAt: string;
  /** Grows with every change, so a late write of an older state never overwrites a newer one. */
  revision: number;
}

export interface ContractStart {
  id: string;
  flow: { key: string; version: number; name: string };
  sourceKey: string | null;
  title: string | null;
  data: Record<string, unknown>;
  startedBy: string;
  createdAt: string;
}

/** A contract as it stands the moment it starts: every step of its tier waiting, nothing decided. */
export function initialContractState(start: ContractStart, plan: ApprovalPlan): ContractState {
  return {
    id: start.id,
    flowKey: start.flow.key,
    flowVersion: start.flow.version,
    flowName: start.flow.name,
    sourceKey: start.sourceKey,
    title: start.title,
    status: 'in_approval',
    amount: plan.amount,
    tier: plan.tier,
    data: start.data,
    steps: plan.steps.map((step, index) => ({
      index,
      name: step.name,
      rule: step.rule,
      approvers: step.approvers,
      escalatedTo: [],
      status: 'waiting',
      decisions: [],
      reminders: 0,
      startedAt: null,
      endedAt: null,
      dueAt: null,
    })),
    currentStep: null,
    timeline: [],
    startedBy: start.startedBy,
    createdAt: start.createdAt,
    updatedAt: start.createdAt,
    revision: 0,
  };
}
