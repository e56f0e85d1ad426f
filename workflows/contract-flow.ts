// contractFlow carries one contract through the flow definition it started with.
// Deterministic workflow code: it imports only flows/ and activity types.
import { ActivityFailure, ApplicationFailure, condition, proxyActivities, setHandler, allHandlersFinished } from '@temporalio/workflow';
import {
  approverMatches,
  contractTitle,
  durationToMs,
  initialContractState,
  planApproval,
  type ApprovalPlan,
  type ApprovalStepState,
  type ContractState,
  type TimelineEvent,
} from '../flows';
import type { ContractActivities } from './activities';
import { cancel, contractState, ContractErrors, decide, type Actor, type ContractInput, type DecisionInput } from './contract-flow.defs';
import { sourceChanged, type SourceChangedInput } from './contract-flow.defs';
import { writeBackToSourceStage } from './connector-write-back';
import { createSigningStage } from './signing-stage';

const { saveContract, notifyApprovers } = proxyActivities<ContractActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const { generateDocuments: renderDocuments } = proxyActivities<ContractActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

const now = () => new Date().toISOString();

function rejectUpdate(type: string, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

async function planOrFail(input: ContractInput): Promise<{ plan: ApprovalPlan; title: string | null }> {
  try {
    return { plan: await planApproval(input.flow.definition, input.data), title: await contractTitle(input.flow.definition, input.data) };
  } catch (error) {
    // The server checks the same plan before starting, so this only happens when data and flow disagree in a way
    // no retry can mend.
    throw ApplicationFailure.create({ type: ContractErrors.invalidData, message: (error as Error).message, nonRetryable: true });
  }
}

export async function contractFlow(input: ContractInput): Promise<ContractState> {
  const { plan, title } = await planOrFail(input);
  const state: ContractState = initialContractState(
    { id: input.contractId, flow: input.flow, sourceKey: input.sourceKey, title, data: input.data, startedBy: input.startedBy, createdAt: input.createdAt, source: input.source },
    plan,
  );

  const record = (event: Omit<TimelineEvent, 'at'>) => {
    const at = now();
    state.timeline.push({ at, ...event });
    state.updatedAt = at;
  };
  const persist = async (): Promise<ContractState> => {
    state.revision += 1;
    // A copy, so the activity and the update caller see this revision even as the state moves on.
    const snapshot: ContractState = JSON.parse(JSON.stringify(state));
    await saveContract(snapshot);
    return snapshot;
  };
  const current = (): ApprovalStepState | null => (state.currentStep === null ? null : state.steps[state.currentStep]);
  const openSlots = (step: ApprovalStepState) =>
    [...step.approvers, ...step.escalatedTo].filter((slot) => !step.decisions.some((d) => d.approver === slot));
  const endStep = (step: ApprovalStepState, status: ApprovalStepState['status']) => {
    step.status = status;
    step.endedAt = now();
    step.dueAt = null;
  };
  const notice = (step: ApprovalStepState, kind: 'approval_requested' | 'reminder' | 'escalation', approvers: string[], n: number) =>
    notifyApprovers({ contractId: state.id, title: state.title, step: step.index, stepName: step.name, approvers, kind, idempotencyKey: `${state.id}:${step.index}:${kind}:${n}` });

  setHandler(contractState, () => state);
  const signingStage = createSigningStage({ input, state, record, persist });

  // Connectors: a change of the source record goes on the timeline once per event key; the data stays as it started.
  setHandler(sourceChanged, async ({ eventKey, version, summary }: SourceChangedInput) => {
    const reread = version !== undefined && version === input.source?.version;
    if (reread || state.timeline.some((event) => event.key === eventKey)) return;
    record({ type: 'source_changed', actor: input.source ? `connector:${input.source.connectorInstance}` : 'system', message: summary, key: eventKey });
    await persist();
  });

  setHandler(
    decide,
    async ({ actor, decision, comment, origin }: DecisionInput) => {
      const step = current()!;
      const slot = openSlots(step).find((s) => approverMatches(s, actor))!;
      step.decisions.push({ approver: slot, userId: actor.id, userName: actor.name, decision, comment, at: now() });
      record({
        type: 'decided',
        actor: actor.id,
        step: step.index,
        message: `${actor.name} ${decision === 'approve' ? 'approved' : 'rejected'} "${step.name}"${comment ? `: ${comment}` : ''}`,
        ip: origin?.ip ?? null,
        userAgent: origin?.userAgent ?? null,
        intent: `bearer token of ${actor.name} (${actor.id})`,
      });
      if (decision === 'reject') {
        endStep(step, 'rejected');
        state.status = 'rejected';
        state.currentStep = null;
        record({ type: 'rejected', actor: actor.id, step: step.index, message: `Rejected at "${step.name}" by ${actor.name}${comment ? `: ${comment}` : ''}` });
      } else if (step.rule === 'any' || step.escalatedTo.includes(slot) || openSlots(step).length === step.escalatedTo.length) {
        // An escalation approver stands in for the whole step; otherwise `all` waits for every original slot.
        endStep(step, 'approved');
        record({ type: 'step_approved', actor: actor.id, step: step.index, message: `"${step.name}" approved` });
      }
      return persist();
    },
    {
      validator: ({ actor, decision }: DecisionInput) => {
        const step = current();
        if (state.status !== 'in_approval' || !step || step.status !== 'pending') rejectUpdate(ContractErrors.notPending, `contract ${state.id} is ${state.status}, not waiting for an approval`);
        if (decision !== 'approve' && decision !== 'reject') rejectUpdate('invalid_decision', 'decision must be approve or reject');
        if (step.decisions.some((d) => d.userId === actor.id)) rejectUpdate(ContractErrors.alreadyDecided, `${actor.name} has already decided "${step.name}"`);
        if (!openSlots(step).some((slot) => approverMatches(slot, actor))) {
          rejectUpdate(ContractErrors.forbidden, `"${step.name}" waits for ${openSlots(step).join(', ')}; ${actor.name} holds none of these`);
        }
      },
    },
  );

  setHandler(
    cancel,
    async ({ actor, reason }) => {
      const step = current();
      if (step) endStep(step, 'cancelled');
      state.status = 'cancelled';
      state.currentStep = null;
      record({ type: 'cancelled', actor: actor.id, message: `Cancelled by ${actor.name}: ${reason}` });
      return persist();
    },
    {
      validator: ({ actor }: { actor: Actor }) => {
        if (state.status !== 'in_approval' && state.status !== 'signing') rejectUpdate(ContractErrors.notPending, `contract ${state.id} is already ${state.status}`);
        if (actor.id !== state.startedBy && !actor.roles.includes('admin')) rejectUpdate(ContractErrors.forbidden, 'only the initiator or an admin can cancel a contract');
      },
    },
  );

  record({ type: 'started', actor: input.startedBy, message: `Started on ${input.flow.name} v${input.flow.version}; amount ${plan.amount} → tier ${plan.tier.index + 1}` });
  await persist();

  for (const step of state.steps) {
    if (state.status !== 'in_approval') break;
    const planned = plan.steps[step.index];
    const timeoutMs = planned.timeout ? durationToMs(planned.timeout) : null;
    state.currentStep = step.index;
    step.status = 'pending';
    step.startedAt = now();
    step.dueAt = timeoutMs === null ? null : new Date(Date.now() + timeoutMs).toISOString();
    record({ type: 'step_started', actor: 'system', step: step.index, message: `"${step.name}" waits for ${step.approvers.join(step.rule === 'all' ? ' and ' : ' or ')}` });
    await persist();
    await notice(step, 'approval_requested', step.approvers, 0);

    while (step.status === 'pending') {
      const decided = step.dueAt === null ? await condition(() => step.status !== 'pending').then(() => true) : await condition(() => step.status !== 'pending', Date.parse(step.dueAt) - Date.now());
      if (decided) break;
      await onTimeout(step, planned.onTimeout ?? 'remind', planned.escalateTo, planned.maxReminders, planned.timeout!, timeoutMs!);
    }
  }

  if (state.status === 'in_approval') {
    state.currentStep = null;
    if (input.flow.definition.documents?.length) await generateDocuments();
  }
  if (state.status === 'in_approval') {
    state.status = 'approved';
    record({ type: 'approved', actor: 'system', message: 'Every approval step passed' });
    await persist();
  }
  if (state.status === 'approved') await signingStage.run();

  await writeBackToSourceStage({ input, status: state.status, record, persist });
  await condition(allHandlersFinished);
  return state;

  async function generateDocuments() {
    try {
      state.documents = await renderDocuments({ flow: input.flow.definition, data: input.data, at: now() });
      record({ type: 'documents_generated', actor: 'system', message: `Generated ${state.documents.map((d) => `${d.title ?? d.id} (${d.pages} pages)`).join(', ') || 'no documents'}` });
    } catch (error) {
      // Only a final failure lands here (a template refusing the data); transient ones are retried by Temporal.
      const cause = error instanceof ActivityFailure && error.cause instanceof ApplicationFailure ? error.cause : null;
      state.status = 'failed';
      record({ type: 'failed', actor: 'system', message: `Documents could not be generated: ${cause?.message ?? (error as Error).message}` });
    }
    await persist();
  }

  async function onTimeout(step: ApprovalStepState, action: 'escalate' | 'remind' | 'reject', escalateTo: string[], maxReminders: number, timeout: string, timeoutMs: number) {
    const pending = openSlots(step);
    if (action === 'reject') {
      endStep(step, 'rejected');
      state.status = 'rejected';
      state.currentStep = null;
      record({ type: 'timed_out', actor: 'system', step: step.index, message: `No decision on "${step.name}" within ${timeout}; rejected` });
      await persist();
      return;
    }
    const newcomers = escalateTo.filter((slot) => !step.approvers.includes(slot) && !step.escalatedTo.includes(slot));
    if (action === 'escalate' && newcomers.length) {
      step.escalatedTo.push(...newcomers);
      step.dueAt = new Date(Date.now() + timeoutMs).toISOString();
      record({ type: 'escalated', actor: 'system', step: step.index, message: `No decision on "${step.name}" within ${timeout}; escalated to ${newcomers.join(', ')}` });
      await persist();
      await notice(step, 'escalation', newcomers, 0);
      return;
    }
    // remind, or escalate once the escalation has already happened
    if (step.reminders < maxReminders) {
      step.reminders += 1;
      step.dueAt = step.reminders < maxReminders ? new Date(Date.now() + timeoutMs).toISOString() : null;
      record({ type: 'reminded', actor: 'system', step: step.index, message: `Reminder ${step.reminders}/${maxReminders} sent to ${pending.join(', ')}` });
      await persist();
      await notice(step, 'reminder', pending, step.reminders);
    } else {
      step.dueAt = null;
    }
  }
}
