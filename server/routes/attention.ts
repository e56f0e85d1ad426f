// 待关注 (needs attention): what in the caller's scope is late or about to be, or went wrong.
// Approval steps past their due time, signers past half their signing time, completed contracts
// whose end date is inside the flow's reminder window, and contracts that failed (no one else
// is told). Read from the projection in batches.
import { contractOwner, durationToMs, evaluate, type ContractState, type FlowDefinition } from '../../flows';
import type { Store } from '../../store';
import { contractScope } from '../access';
import { defineRoute } from '../route';

/** Each list holds at most this many (the most urgent first); `truncated` says when there were more. */
export const MAX_ATTENTION_ITEMS = 200;

export interface AttentionSummary {
  id: string;
  title: string | null;
  flowKey: string;
  status: string;
  amount: number;
  orgUnit: string | null;
  createdAt: string;
  updatedAt: string;
}

const summaryOf = (c: ContractState): AttentionSummary => ({ id: c.id, title: c.title, flowKey: c.flowKey, status: c.status, amount: c.amount, orgUnit: contractOwner(c).unit?.id ?? null, createdAt: c.createdAt, updatedAt: c.updatedAt });

interface Item {
  contract: AttentionSummary;
  why: Record<string, unknown> & { message: string };
  /** Sorts the list: the earlier, the more urgent. */
  urgency: number;
}

/** The approval step that is waiting past its due time, if any. */
function overdueStep(contract: ContractState, now: number): Item | null {
  const step = contract.steps.find((s) => s.index === contract.currentStep && s.status === 'pending');
  if (!step?.dueAt || Date.parse(step.dueAt) >= now) return null;
  const decided = new Set(step.decisions.map((d) => d.approver));
  const waitingOn = [...new Set([...step.approvers, ...step.escalatedTo])].filter((a) => !decided.has(a));
  return { contract: summaryOf(contract), why: { message: `Approval step "${step.name}" was due ${step.dueAt}`, step: step.index, stepName: step.name, dueAt: step.dueAt, waitingOn }, urgency: Date.parse(step.dueAt) };
}

/** Signers whose turn came and who have used more than half the time until the signing deadline. */
function slowSigners(contract: ContractState, now: number): Item[] {
  if (contract.status !== 'signing' || !contract.signingDeadline) return [];
  const deadline = Date.parse(contract.signingDeadline);
  return contract.signers
    .filter((s) => (s.status === 'invited' || s.status === 'signing') && s.invitedAt)
    .flatMap((s) => {
      const invited = Date.parse(s.invitedAt!);
      const half = invited + (deadline - invited) / 2;
      if (now < half) return [];
      return [{ contract: summaryOf(contract), why: { message: `${s.name} has not signed; half the signing time passed ${new Date(half).toISOString()}`, signer: s.id, signerName: s.name, invitedAt: s.invitedAt, halfAt: new Date(half).toISOString(), deadline: contract.signingDeadline }, urgency: deadline }];
    });
}

/** A failed contract with the reason its timeline gives (the last `failed` event), the latest first. */
function failure(contract: ContractState): Item {
  const event = [...contract.timeline].reverse().find((e) => e.type === 'failed');
  return { contract: summaryOf(contract), why: { message: event?.message ?? 'Failed', failedAt: event?.at ?? contract.updatedAt }, urgency: -Date.parse(event?.at ?? contract.updatedAt) };
}

function capped(items: Item[]) {
  const sorted = items.sort((a, b) => a.urgency - b.urgency);
  return { items: sorted.slice(0, MAX_ATTENTION_ITEMS).map(({ contract, why }) => ({ ...contract, why })), total: sorted.length, truncated: sorted.length > MAX_ATTENTION_ITEMS };
}

export function attentionRoutes(store: Store) {
  /** The end date of a completed contract as its flow computes it (archive.expiry.date), with the flow's reminder window. */
  async function expiryOf(contract: ContractState, flows: Map<string, FlowDefinition | null>): Promise<{ endsAt: number; remindFrom: number } | null> {
    const key = `${contract.flowKey}@${contract.flowVersion}`;
    if (!flows.has(key)) flows.set(key, (await store.flows.get(contractOwner(contract).tenantId, contract.flowKey, contract.flowVersion))?.definition ?? null);
    const expiry = flows.get(key)?.archive?.expiry;
    if (!expiry) return null;
    // A flow designer's expression on this contract's data; one that fails just leaves the contract off the list.
    const value = await evaluate(expiry.date, contract.data, '/archive/expiry/date').catch(() => null);
    const endsAt = value === null || value === undefined || value === '' ? NaN : Date.parse(String(value));
    if (!Number.isFinite(endsAt)) return null;
    return { endsAt, remindFrom: endsAt - (expiry.remindBefore ? durationToMs(expiry.remindBefore) : 0) };
  }

  return [
    defineRoute({
      method: 'get', path: '/api/attention', tag: 'contracts', access: 'contracts.read',
      summary: '待关注: approvals past their due time, signers past half their signing time, completed contracts whose end date is within the flow’s reminder window, failed contracts (latest first); each with why',
      responses: { 200: { description: '{approvalsOverdue, signersPastHalf, expiringSoon, failed}: each {items: [contract summary + why], total, truncated}' } },
      handler: async ({ actor }) => {
        const scope = contractScope(actor!);
        const now = Date.now();
        const overdue: Item[] = [];
        const slow: Item[] = [];
        for await (const batch of store.stats.states({ scope, statuses: ['in_approval', 'signing'] })) {
          for (const contract of batch) {
            const step = overdueStep(contract, now);
            if (step) overdue.push(step);
            slow.push(...slowSigners(contract, now));
          }
        }
        // Only flows that set an end date can expire: the scan is limited to their contracts.
        const expiring: Item[] = [];
        const flows = new Map<string, FlowDefinition | null>();
        const expiringFlows = await flowsWithExpiry(store, actor!.tenantId);
        if (expiringFlows.length) {
          for await (const batch of store.stats.states({ scope, statuses: ['completed'], flowKeys: expiringFlows })) {
            for (const contract of batch) {
              const expiry = await expiryOf(contract, flows);
              if (!expiry || now < expiry.remindFrom || now > expiry.endsAt) continue;
              const endsOn = new Date(expiry.endsAt).toISOString();
              expiring.push({ contract: summaryOf(contract), why: { message: `Ends ${endsOn}`, endsAt: endsOn, remindFrom: new Date(expiry.remindFrom).toISOString() }, urgency: expiry.endsAt });
            }
          }
        }
        const failed: Item[] = [];
        for await (const batch of store.stats.states({ scope, statuses: ['failed'] })) failed.push(...batch.map(failure));
        return { body: { approvalsOverdue: capped(overdue), signersPastHalf: capped(slow), expiringSoon: capped(expiring), failed: capped(failed) } };
      },
    }),
  ];
}

/** Keys of the tenant's flows any version of which sets archive.expiry. */
async function flowsWithExpiry(store: Store, tenantId: string): Promise<string[]> {
  const keys: string[] = [];
  for (const flow of await store.flows.list(tenantId)) {
    for (let version = 1; version <= flow.latestVersion; version++) {
      const found = await store.flows.get(tenantId, flow.key, version);
      if (found?.definition.archive?.expiry) {
        keys.push(flow.key);
        break;
      }
    }
  }
  return keys;
}
