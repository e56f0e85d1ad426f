// Amount-tier routing: which approval steps a contract of a given amount must pass.
import type { ApprovalStep, ApprovalTier, FlowDefinition, TimeoutAction } from './schema';
import { evaluate, ExpressionError } from './expression';

export interface PlannedStep {
  name: string;
  approvers: string[];
  rule: 'any' | 'all';
  timeout: string | null;
  onTimeout: TimeoutAction | null;
  escalateTo: string[];
  maxReminders: number;
  /** The connector instance that takes this step's approval, and how often it is polled; null for a step decided only in Sealflow. */
  delegateTo: { connector: string; pollEvery: string } | null;
}

export interface ApprovalPlan {
  amount: number;
  tier: { index: number; upTo: number | null };
  steps: PlannedStep[];
}

export const DEFAULT_MAX_REMINDERS = 3;
export const DEFAULT_DELEGATE_POLL = 'PT1M';

/** The first tier whose `upTo` is at least the amount (bounds are inclusive), or the open last tier. */
export function chooseTier(tiers: ApprovalTier[], amount: number): number | null {
  const index = tiers.findIndex((tier) => tier.upTo === undefined || amount <= tier.upTo);
  return index === -1 ? null : index;
}

function defaultStepName(step: ApprovalStep, index: number): string {
  return step.name ?? `Step ${index + 1}: ${step.approvers.join(step.rule === 'all' ? ' + ' : ' / ')}`;
}

export async function planApproval(flow: FlowDefinition, data: Record<string, unknown>): Promise<ApprovalPlan> {
  const { approval } = flow;
  const value = await evaluate(approval.amount, data, '/approval/amount');
  const amount = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof amount !== 'number' || !Number.isFinite(amount)) {
    throw new ExpressionError('/approval/amount', `${approval.amount} gave ${JSON.stringify(value) ?? 'nothing'}, not a number`);
  }
  const index = chooseTier(approval.tiers, amount);
  if (index === null) {
    const last = approval.tiers[approval.tiers.length - 1].upTo;
    throw new ExpressionError('/approval/amount', `amount ${amount} is above the highest tier (upTo ${last}); add a last tier without upTo`);
  }
  const tier = approval.tiers[index];
  return {
    amount,
    tier: { index, upTo: tier.upTo ?? null },
    steps: tier.steps.map((step, i) => {
      const onTimeout = step.onTimeout ?? approval.onTimeout ?? null;
      return {
        name: defaultStepName(step, i),
        approvers: step.approvers,
        rule: step.rule ?? 'any',
        timeout: step.timeout ?? approval.timeout ?? null,
        onTimeout,
        escalateTo: step.escalateTo ?? approval.escalateTo ?? [],
        maxReminders: step.maxReminders ?? approval.maxReminders ?? DEFAULT_MAX_REMINDERS,
        delegateTo: step.delegateTo ? { connector: step.delegateTo.connector, pollEvery: step.delegateTo.pollEvery ?? DEFAULT_DELEGATE_POLL } : null,
      };
    }),
  };
}
