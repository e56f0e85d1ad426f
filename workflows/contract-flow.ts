// contractFlow carries one contract through the flow definition it started with.
// Deterministic workflow code: it imports only flows/ and activity types.
import { ActivityFailure, ApplicationFailure, condition, patched, proxyActivities, setHandler, allHandlersFinished } from '@temporalio/workflow';
import {
  approverMatches,
  contractOwner,
  contractTitle,
  durationToMs,
  ExpressionError,
  initialContractState,
  isExpressionFailureType,
  planApproval,
  type ApprovalPlan,
  type ApprovalStepState,
  type ContractState,
  type PlannedStep,
  type TimelineEvent,
} from '../flows';
import type { ContractActivities } from './activities';
import type { ConnectorActivities } from './activities/connectors';
import { cancel, contractState, ContractErrors, decide, type CancelInput, type ContractInput, type DecisionInput } from './contract-flow.defs';
import { archiveRenewed, sourceChanged, type ArchiveRenewedInput, type SourceChangedInput } from './contract-flow.defs';
import { writeBackToSourceStage } from './connector-write-back';
import { createSigningStage } from './signing-stage';
import { createPersist, FEWER_PERSISTS } from './contract-persist';

const { notifyApprovers, planContract } = proxyActivities<ContractActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const { generateDocuments: renderDocuments } = proxyActivities<ContractActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

// Delegated approvals: creating the request is retried for about half an hour; a poll for a few
// attempts only, since the next poll comes anyway.
const { delegateApprovalToSource } = proxyActivities<ConnectorActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 10 },
});
const { pollDelegatedApproval } = proxyActivities<ConnectorActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 3 },
});

const now = () => new Date().toISOString();

const failureReason = (error: unknown) => (error instanceof ActivityFailure ? (error.cause?.message ?? error.message) : (error as Error).message);

function rejectUpdate(type: string, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

async function planOrFail(input: ContractInput): Promise<{ plan: ApprovalPlan; title: string | null; parties?: string[] }> {
  try {
    // The flow's expressions run in an activity (see planContract); contracts started before that evaluated them here.
    if (patched(EXPRESSIONS_IN_ACTIVITIES)) return await planContract({ flow: input.flow.definition, data: input.data, sourceKey: input.sourceKey });
    return { plan: await planApproval(input.flow.definition, input.data), title: await contractTitle(input.flow.definition, input.data, input.sourceKey) };
  } catch (error) {
    // The server checks the same plan before starting, so this only happens when data and flow disagree in a way
    // no retry can mend.
    const failure = ApplicationFailure.create({ type: ContractErrors.invalidData, message: failureReason(error), nonRetryable: true });
    // The server stored the contract as in_approval when it started it: without this write it stays so for ever.
    if (patched(PLAN_FAILURE_PERSISTS)) await persistPlanFailure(input, failure.message);
    throw failure;
  }
}

/**
 * Stores a contract whose plan failed as failed, with the reason on its timeline (no steps: there is no plan), and
 * the title and amount the server computed at start (no expression is evaluated again). No patch for those: they
 * change only the persist activity's argument, not which commands the workflow makes.
 */
async function persistPlanFailure(input: ContractInput, reason: string): Promise<void> {
  const state = initialContractState(
    { id: input.contractId, flow: input.flow, sourceKey: input.sourceKey, title: input.started?.title ?? null, data: input.data, startedBy: input.startedBy, createdAt: input.createdAt, source: input.source, owner: input.owner },
    { amount: input.started?.amount ?? 0, tier: { index: 0, upTo: null }, steps: [] },
  );
  const at = now();
  state.status = 'failed';
  state.updatedAt = at;
  state.timeline.push({ at, type: 'failed', actor: 'system', message: `The approval plan could not be made: ${reason}` });
  await createPersist(state)();
}

/** Patch id: a contract whose plan fails is stored as failed (before, the workflow failed and the contract stayed in_approval). */
const PLAN_FAILURE_PERSISTS = 'plan-failure-persists';

/** Patch id: cancelling a contract in signing tells the invited signers. */
const CANCEL_NOTIFIES_SIGNERS = 'cancel-notifies-signers';

/** Patch id: the flow's expressions are evaluated in activities, not in workflow code. */
const EXPRESSIONS_IN_ACTIVITIES = 'expressions-in-activities';

/** The failure of a flow expression on this contract's data, evaluated here or in an activity; null for any other error. */
function expressionFailure(error: unknown): { message: string } | null {
  if (error instanceof ExpressionError) return { message: error.message };
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && isExpressionFailureType(error.cause.type)) return { message: error.cause.message };
  return null;
}

export async function contractFlow(input: ContractInput): Promise<ContractState> {
  // Decisions are taken from the first moment: the handler is set before the plan is made (an
  // activity), and a decision that comes before the first step opens waits for it in the handler.
  // Set later, Temporal refused an update that came first ("no registered handler") and the server
  // had to send it again. No patch: an update is in the history only once accepted, and every one
  // accepted by the earlier code found its step open, so it runs here exactly as it did there.
  let phase: 'planning' | 'planned' | 'plan_failed' = 'planning';
  const ready = () => phase === 'plan_failed' || (phase === 'planned' && !(state.status === 'in_approval' && state.steps.every((step) => step.status === 'waiting')));
  setHandler(
    decide,
    async (decision: DecisionInput) => {
      if (phase !== 'planned' || !ready()) {
        await condition(ready);
        // Checked now that there is a step: a refusal fails this update (nothing applied), as the validator's would have.
        checkDecision(decision);
      }
      const { actor, comment, origin } = decision;
      const step = current()!;
      const slot = openSlots(step).find((s) => approverMatches(s, actor))!;
      applyDecision(step, slot, actor, decision.decision, comment, { ip: origin?.ip ?? null, userAgent: origin?.userAgent ?? null, intent: `bearer token of ${actor.name} (${actor.id})` });
      return persist();
    },
    { validator: (decision: DecisionInput) => (ready() ? checkDecision(decision) : undefined) },
  );

  // A cancel, too, is taken from the first moment: one sent while the plan is made waits for it (see decide above).
  setHandler(
    cancel,
    async ({ actor, reason }: CancelInput) => {
      if (phase !== 'planned') {
        await condition(() => phase !== 'planning');
        checkCancel();
      }
      const wasSigning = state.status === 'signing';
      const step = current();
      if (step) endStep(step, 'cancelled');
      state.status = 'cancelled';
      state.currentStep = null;
      record({ type: 'cancelled', actor: actor.id, message: `Cancelled by ${actor.name}: ${reason}` });
      const snapshot = await persist();
      // Signers who were sent a link hear that it no longer works (contracts cancelled before this told nobody).
      if (wasSigning && patched(CANCEL_NOTIFIES_SIGNERS)) await signingStage.cancelled(snapshot, actor.name, reason);
      return snapshot;
    },
    { validator: (_request: CancelInput) => (phase === 'planning' ? undefined : checkCancel()) },
  );

  const planned = await planOrFail(input).catch((error) => {
    phase = 'plan_failed';
    throw error;
  });
  const { plan, title, parties } = planned;
  const state: ContractState = initialContractState(
    { id: input.contractId, flow: input.flow, sourceKey: input.sourceKey, title, data: input.data, startedBy: input.startedBy, createdAt: input.createdAt, source: input.source, owner: input.owner, parties },
    plan,
  );

  const record = (event: Omit<TimelineEvent, 'at'>) => {
    const at = now();
    state.timeline.push({ at, ...event });
    state.updatedAt = at;
  };
  const persist = createPersist(state);
  const current = (): ApprovalStepState | null => (state.currentStep === null ? null : state.steps[state.currentStep]);
  const openSlots = (step: ApprovalStepState) =>
    [...step.approvers, ...step.escalatedTo].filter((slot) => !step.decisions.some((d) => d.approver === slot));
  const endStep = (step: ApprovalStepState, status: ApprovalStepState['status']) => {
    step.status = status;
    step.endedAt = now();
    step.dueAt = null;
  };
  const notice = (step: ApprovalStepState, kind: 'approval_requested' | 'reminder' | 'escalation', approvers: string[], n: number) =>
    notifyApprovers({ contractId: state.id, owner: state.owner, title: state.title, step: step.index, stepName: step.name, approvers, kind, idempotencyKey: `${state.id}:${step.index}:${kind}:${n}` });

  setHandler(contractState, () => state);
  const signingStage = createSigningStage({ input, state, record, persist });

  // Connectors: a change of the source record goes on the timeline once per event key; the data stays as it started.
  setHandler(sourceChanged, async ({ eventKey, version, summary }: SourceChangedInput) => {
    const reread = version !== undefined && version === input.source?.version;
    if (reread || state.timeline.some((event) => event.key === eventKey)) return;
    record({ type: 'source_changed', actor: input.source ? `connector:${input.source.connectorInstance}` : 'system', message: summary, key: eventKey });
    await persist();
  });

  // An archive renewal while this workflow runs: its projection would otherwise name the archive step's files until the
  // workflow ends (and a write of the whole state would undo a renewal written to the store). No patch: only new
  // signals make commands here, and every contract's history had none of these before.
  setHandler(archiveRenewed, async ({ documents, evidenceSha256 }: ArchiveRenewedInput) => {
    for (const version of documents) {
      const doc = state.documents.find((d) => d.id === version.id);
      if (doc) Object.assign(doc, { sha256: version.sha256, size: version.size });
    }
    state.evidenceSha256 = evidenceSha256;
    state.updatedAt = now();
    await persist();
  });

  /** A decision on a step, by a person in Sealflow or by the system a step was delegated to; the caller persists. */
  const applyDecision = (
    step: ApprovalStepState,
    slot: string,
    who: { id: string; name: string },
    decision: DecisionInput['decision'],
    comment: string | null,
    evidence: { ip: string | null; userAgent: string | null; intent: string },
  ) => {
    step.decisions.push({ approver: slot, userId: who.id, userName: who.name, decision, comment, at: now() });
    record({
      type: 'decided',
      actor: who.id,
      step: step.index,
      message: `${who.name} ${decision === 'approve' ? 'approved' : 'rejected'} "${step.name}"${comment ? `: ${comment}` : ''}`,
      ...evidence,
    });
    if (decision === 'reject') {
      endStep(step, 'rejected');
      state.status = 'rejected';
      state.currentStep = null;
      record({ type: 'rejected', actor: who.id, step: step.index, message: `Rejected at "${step.name}" by ${who.name}${comment ? `: ${comment}` : ''}` });
    } else if (step.rule === 'any' || step.escalatedTo.includes(slot) || openSlots(step).length === step.escalatedTo.length) {
      // An escalation approver stands in for the whole step; otherwise `all` waits for every original slot.
      endStep(step, 'approved');
      record({ type: 'step_approved', actor: who.id, step: step.index, message: `"${step.name}" approved` });
    }
  };

  /** Whether this decision may be applied now; a refusal throws (in the validator, or in the handler after a wait). */
  function checkDecision({ actor, decision }: DecisionInput): void {
    if (phase === 'plan_failed') rejectUpdate(ContractErrors.notPending, `contract ${input.contractId} failed: its approval plan could not be made`);
    const step = current();
    if (state.status !== 'in_approval' || !step || step.status !== 'pending') rejectUpdate(ContractErrors.notPending, `contract ${state.id} is ${state.status}, not waiting for an approval`);
    if (decision !== 'approve' && decision !== 'reject') rejectUpdate('invalid_decision', 'decision must be approve or reject');
    // Maker-checker: whoever started the contract does not approve it, unless the flow says so.
    if (actor.id === state.startedBy && input.flow.definition.approval.allowInitiator !== true) {
      rejectUpdate(ContractErrors.forbidden, `${actor.name} started this contract and cannot approve it; another approver must decide (the flow does not set approval.allowInitiator)`);
    }
    if (step.decisions.some((d) => d.userId === actor.id)) rejectUpdate(ContractErrors.alreadyDecided, `${actor.name} has already decided "${step.name}"`);
    if (!openSlots(step).some((slot) => approverMatches(slot, actor))) {
      rejectUpdate(ContractErrors.forbidden, `"${step.name}" waits for ${openSlots(step).join(', ')}; ${actor.name} holds none of these`);
    }
  }

  /** Whether the contract may be cancelled now; a refusal throws (in the validator, or in the handler after the plan). */
  function checkCancel(): void {
    if (phase === 'plan_failed') rejectUpdate(ContractErrors.notPending, `contract ${input.contractId} failed: its approval plan could not be made`);
    if (state.status !== 'in_approval' && state.status !== 'signing') rejectUpdate(ContractErrors.notPending, `contract ${state.id} is already ${state.status}`);
    // Who may cancel (the initiator, their team, admins) is the server's rule: server/access.ts.
  }

  phase = 'planned';
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
    const delegation = planned.delegateTo ? await delegate(step, planned.delegateTo) : null;
    await notice(step, 'approval_requested', step.approvers, 0);

    // A delegated step is polled every pollEvery until someone decides (there or here: the first decision wins).
    let nextPollAt = delegation ? Date.now() + delegation.pollMs : null;
    while (step.status === 'pending') {
      const waits = [step.dueAt === null ? null : Date.parse(step.dueAt) - Date.now(), nextPollAt === null ? null : nextPollAt - Date.now()].filter((ms): ms is number => ms !== null);
      const decided = waits.length === 0 ? await condition(() => step.status !== 'pending').then(() => true) : await condition(() => step.status !== 'pending', Math.max(1, Math.min(...waits)));
      if (decided) break;
      if (delegation && nextPollAt !== null && Date.now() >= nextPollAt) {
        const keepPolling = await pollDelegation(step, delegation);
        nextPollAt = keepPolling ? Date.now() + delegation.pollMs : null;
        continue;
      }
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
  if (state.status === 'approved') await signingStage.run().catch(failOnExpression);

  await writeBackToSourceStage({ input, status: state.status, record, persist });
  await condition(allHandlersFinished);
  return state;

  /**
   * A flow expression the workflow evaluates itself that fails on this contract's data, or runs
   * out of its budget, fails the contract with the reason on its timeline: thrown on, it would
   * fail the workflow task, which Temporal retries for ever with the same result.
   */
  async function failOnExpression(error: unknown): Promise<void> {
    const failure = expressionFailure(error);
    if (!failure) throw error;
    state.status = 'failed';
    state.currentStep = null;
    record({ type: 'failed', actor: 'system', message: `A flow expression could not be evaluated: ${failure.message}` });
    await persist();
  }

  async function generateDocuments() {
    try {
      state.documents = await renderDocuments({ flow: input.flow.definition, data: input.data, at: now(), tenantId: contractOwner(state).tenantId });
      record({ type: 'documents_generated', actor: 'system', message: `Generated ${state.documents.map((d) => `${d.title ?? d.id} (${d.pages} pages)`).join(', ') || 'no documents'}` });
    } catch (error) {
      // Only a final failure lands here (a template refusing the data); transient ones are retried by Temporal.
      const cause = error instanceof ActivityFailure && error.cause instanceof ApplicationFailure ? error.cause : null;
      state.status = 'failed';
      record({ type: 'failed', actor: 'system', message: `Documents could not be generated: ${cause?.message ?? (error as Error).message}` });
    }
    // Generated documents go out with the approval that follows at once: one write, not two.
    if (state.status !== 'in_approval' || !patched(FEWER_PERSISTS)) await persist();
  }

  /** Creates the request in the system the step is delegated to; null (the step stays with people in Sealflow) when that fails for good. */
  async function delegate(step: ApprovalStepState, delegateTo: NonNullable<PlannedStep['delegateTo']>) {
    const instance = delegateTo.connector;
    try {
      const { requestId } = await delegateApprovalToSource({
        connectorInstance: instance,
        contractId: state.id,
        step: step.index,
        title: `${state.title ?? state.id}: ${step.name}`,
        amount: plan.amount,
        idempotencyKey: `sealflow:${state.id}:step-${step.index}`,
      });
      record({ type: 'delegated', actor: `connector:${instance}`, step: step.index, key: `${instance}:${requestId}`, message: `"${step.name}" delegated to ${instance}: request ${requestId}` });
      await persist();
      // At most one poll a second, whatever the flow says: PT0S would otherwise poll without pause.
      return { instance, requestId, pollMs: Math.max(durationToMs(delegateTo.pollEvery), 1000) };
    } catch (error) {
      record({ type: 'delegation_failed', actor: 'system', step: step.index, message: `Could not delegate "${step.name}" to ${instance}: ${failureReason(error)}; it waits for ${step.approvers.join(', ')} in Sealflow` });
      await persist();
      return null;
    }
  }

  /** One poll of a delegated step; a decision there ends the step as a decision here would. False when polling should stop. */
  async function pollDelegation(step: ApprovalStepState, { instance, requestId }: { instance: string; requestId: string }): Promise<boolean> {
    let answer;
    try {
      answer = await pollDelegatedApproval({ connectorInstance: instance, requestId });
    } catch (error) {
      const retryable = error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && !error.cause.nonRetryable;
      if (retryable) return true; // the system is down for now: the next poll asks again
      record({ type: 'delegation_failed', actor: 'system', step: step.index, message: `Stopped asking ${instance} about request ${requestId}: ${failureReason(error)}; "${step.name}" waits for ${step.approvers.join(', ')} in Sealflow` });
      await persist();
      return false;
    }
    // Someone decided in Sealflow while the poll ran: the first decision wins.
    if (answer.status === 'pending' || step.status !== 'pending') return true;
    const slot = openSlots(step).includes(step.approvers[0]) ? step.approvers[0] : openSlots(step)[0];
    applyDecision(step, slot, { id: `connector:${instance}`, name: answer.decidedBy ?? instance }, answer.status === 'approved' ? 'approve' : 'reject', answer.comment ?? null, {
      ip: null,
      userAgent: null,
      intent: `decision on request ${requestId} read from ${instance}`,
    });
    await persist();
    return true;
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
