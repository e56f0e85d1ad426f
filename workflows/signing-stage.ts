// The signing stage of contractFlow: signers in rounds by `order`, invitations and
// reminders on the flow's schedule, the deadline, nudges, declines, and the archive once
// everyone has signed. Workflow code: deterministic, imports only flows/ and activity types.
import { ActivityFailure, ApplicationFailure, condition, patched, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import { durationToMs, planSigning, signingRounds, type ContractState, type SignerState, type TimelineEvent } from '../flows';
import type { ContractActivities } from './activities';
import type { PartyNoticeKind, SigningActivities } from './activities/signing';
import { ContractErrors, decline, NUDGE_INTERVAL_MS, nudge, sign, type ContractInput, type SignerEvidence } from './contract-flow.defs';
import { FEWER_PERSISTS, type Persist } from './contract-persist';

const { inviteSigners, notifyParties } = proxyActivities<SigningActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

// A signer waits for this answer on their page: a few quick tries, then a clear failure.
const { applySignature } = proxyActivities<SigningActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 4 },
});

// The activity heartbeats after each step and every 5 s: a worker killed mid-archive has it
// retried once the heartbeat timeout passes, not after the five minutes.
const { archiveContract } = proxyActivities<SigningActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

// Evaluates the flow's expressions for the stage; an expression's failure is final (non-retryable).
const { planSigningStage } = proxyActivities<ContractActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Patch id: the stage's expressions are evaluated in an activity; contracts that reached the stage before evaluated them here. */
const SIGNING_PLAN_IN_ACTIVITY = 'signing-plan-in-activity';

/**
 * Patch id: archiveContract and notifyParties are sent the contract's id and revision, and read the
 * contract from the store (the persist before them wrote it), not the whole state: each whole state
 * stayed in the history, some 13 KiB of a contract's 90. Contracts that got there before sent it whole.
 */
const SLIM_ACTIVITY_PAYLOADS = 'slim-activity-payloads';

/** Patch id: once a round's invitations went out, the time is recorded and persisted; contracts that reached a round before did not. */
const INVITATIONS_SENT_RECORDED = 'invitations-sent-recorded';

function refuse(type: string, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

interface StageContext {
  input: ContractInput;
  state: ContractState;
  record: (event: Omit<TimelineEvent, 'at'>) => void;
  persist: Persist;
}

/** Registers the signers' handlers at once (updates may arrive any time) and returns the stage to run after approval. */
export function createSigningStage({ input, state, record, persist }: StageContext) {
  const flow = input.flow.definition;
  const now = () => new Date().toISOString();
  // Signatures go into the same PDFs, so they are applied one after another.
  let signatureQueue: Promise<unknown> = Promise.resolve();

  const signer = (id: string): SignerState => {
    const found = state.signers.find((s) => s.id === id);
    if (!found) refuse(ContractErrors.forbidden, `no signer "${id}" on contract ${state.id}`);
    return found;
  };
  /** notifyParties about the contract as `snapshot` was persisted. */
  const tellParties = (snapshot: ContractState, notice: { kind: PartyNoticeKind; by?: string; reason?: string; endsOn?: string }) =>
    notifyParties(patched(SLIM_ACTIVITY_PAYLOADS) ? { contractId: snapshot.id, revision: snapshot.revision, ...notice } : { contract: snapshot, ...notice });
  const evidenceOf = (evidence: SignerEvidence) => ({ ip: evidence.ip, userAgent: evidence.userAgent, intent: evidence.intent });

  setHandler(
    sign,
    async ({ signerId, evidence }) => {
      const who = signer(signerId);
      who.status = 'signing';
      const applying = signatureQueue.then(() =>
        applySignature({ contractId: state.id, signer: who, documents: state.documents.filter((d) => who.documents.includes(d.id)), signingTime: now() }),
      );
      signatureQueue = applying.catch(() => undefined);
      let versions;
      try {
        versions = await applying;
      } catch (error) {
        who.status = 'invited';
        const reason = error instanceof ActivityFailure ? (error.cause?.message ?? error.message) : (error as Error).message;
        refuse(ContractErrors.signingFailed, `the signature could not be applied: ${reason}`);
      }
      for (const version of versions) {
        const doc = state.documents.find((d) => d.id === version.id)!;
        doc.originalSha256 ??= doc.sha256;
        doc.sha256 = version.sha256;
        doc.size = version.size;
        doc.signedBy = [...(doc.signedBy ?? []), who.id];
      }
      who.status = 'signed';
      who.signedAt = now();
      record({ type: 'signed', actor: `signer:${who.id}`, signer: who.id, message: `${who.name} signed ${who.documents.join(', ')}`, ...evidenceOf(evidence) });
      return persist();
    },
    {
      validator: ({ signerId }) => {
        if (state.status !== 'signing') refuse(ContractErrors.notSigning, `contract ${state.id} is ${state.status}, not open for signing`);
        const who = signer(signerId);
        if (who.status === 'signed' || who.status === 'signing') refuse(ContractErrors.alreadySigned, `${who.name} has already signed`);
        if (who.status === 'waiting') refuse(ContractErrors.notYourTurn, `${who.name} signs after the signers before them`);
        if (who.status === 'declined') refuse(ContractErrors.notSigning, `${who.name} has declined`);
      },
    },
  );

  setHandler(
    decline,
    async ({ signerId, reason, evidence }) => {
      const who = signer(signerId);
      who.status = 'declined';
      who.declineReason = reason;
      state.status = 'declined';
      record({ type: 'declined', actor: `signer:${who.id}`, signer: who.id, message: `${who.name} declined: ${reason}`, ...evidenceOf(evidence) });
      const snapshot = await persist();
      await tellParties(snapshot, { kind: 'declined' });
      return snapshot;
    },
    {
      validator: ({ signerId }) => {
        if (state.status !== 'signing') refuse(ContractErrors.notSigning, `contract ${state.id} is ${state.status}, not open for signing`);
        const who = signer(signerId);
        if (who.status !== 'invited') refuse(who.status === 'waiting' ? ContractErrors.notYourTurn : ContractErrors.alreadySigned, `${who.name} is ${who.status}`);
      },
    },
  );

  const nudgeable = (signerId: string | null) => state.signers.filter((s) => s.status === 'invited' && (signerId === null || s.id === signerId));
  setHandler(
    nudge,
    async ({ actor, signerId }) => {
      const targets = nudgeable(signerId);
      for (const target of targets) target.lastNudgeAt = now();
      record({ type: 'nudged', actor: actor.id, message: `${actor.name} nudged ${targets.map((t) => t.name).join(', ')}` });
      const snapshot = await persist();
      await inviteSigners({ contractId: state.id, title: state.title, signers: targets, deadline: state.signingDeadline, kind: 'nudge', round: state.timeline.length });
      return { nudged: targets.map((t) => t.id), revision: snapshot.revision };
    },
    {
      validator: ({ signerId }) => {
        if (state.status !== 'signing') refuse(ContractErrors.notSigning, `contract ${state.id} is ${state.status}; there is nobody to nudge`);
        if (signerId !== null) {
          const who = signer(signerId);
          if (who.status !== 'invited') refuse(who.status === 'waiting' ? ContractErrors.notYourTurn : ContractErrors.alreadySigned, `${who.name} is ${who.status}, not waiting to sign`);
        }
        const targets = nudgeable(signerId);
        const limited = targets.filter((t) => t.lastNudgeAt && Date.now() - Date.parse(t.lastNudgeAt) < NUDGE_INTERVAL_MS);
        if (targets.length === 0 || limited.length === targets.length) {
          const next = Math.min(...limited.map((t) => Date.parse(t.lastNudgeAt!) + NUDGE_INTERVAL_MS));
          refuse(ContractErrors.nudgeLimited, `already nudged within the hour; next nudge allowed at ${new Date(Number.isFinite(next) ? next : Date.now()).toISOString()}`);
        }
      },
    },
  );

  /**
   * Runs the stage. Every expression it needs is evaluated first, before anyone is invited, so
   * one that fails on this contract's data (or runs out of its budget) throws here (an
   * ActivityFailure, or an ExpressionError on the old path), while nothing has happened yet,
   * rather than after every party has signed.
   */
  async function run(): Promise<void> {
    if (!flow.signers?.length || state.documents.length === 0) return;
    const included = state.documents.map((d) => d.id);
    const planned = patched(SIGNING_PLAN_IN_ACTIVITY) ? await planSigningStage({ flow, data: input.data, documents: included }) : await planSigning(flow, input.data, included);
    const archiveFolder = planned.archiveFolder;
    const expiryDate = Date.parse(planned.expiryDate ?? '');
    state.signers = planned.signers;
    if (state.signers.length === 0) return;
    state.status = 'signing';
    const deadlineMs = flow.signing?.deadline ? durationToMs(flow.signing.deadline) : null;
    state.signingDeadline = deadlineMs === null ? null : new Date(Date.now() + deadlineMs).toISOString();
    record({ type: 'signing_started', actor: 'system', message: `Signing by ${state.signers.map((s) => s.name).join(', ')}${state.signingDeadline ? `, until ${state.signingDeadline}` : ''}` });
    // The first round's invitation is written next, with nothing in between: one write for both.
    if (!patched(FEWER_PERSISTS)) await persist();

    const reminderMs = flow.signing?.reminders ? durationToMs(flow.signing.reminders.every) : null;
    const maxReminders = flow.signing?.reminders?.max ?? 3;
    for (const order of signingRounds(state.signers)) {
      if (state.status !== 'signing') return;
      const round = state.signers.filter((s) => s.order === order);
      for (const s of round) {
        s.status = 'invited';
        s.invitedAt = now();
      }
      record({ type: 'invited', actor: 'system', message: `Invited ${round.map((s) => s.name).join(', ')} to sign` });
      await persist();
      await inviteSigners({ contractId: state.id, title: state.title, signers: round, deadline: state.signingDeadline, kind: 'invitation', round: order });
      // The links work from the persist above; this one tells a caller (GET …?wait=signing) that the invitations are out.
      if (patched(INVITATIONS_SENT_RECORDED)) {
        const sentAt = now();
        for (const s of round) s.invitationSentAt = sentAt;
        await persist();
      }

      const roundOver = () => state.status !== 'signing' || round.every((s) => s.status === 'signed');
      let reminders = 0;
      while (!roundOver()) {
        const untilDeadline = state.signingDeadline ? Date.parse(state.signingDeadline) - Date.now() : Infinity;
        const untilReminder = reminderMs !== null && reminders < maxReminders ? reminderMs : Infinity;
        const wait = Math.min(untilDeadline, untilReminder);
        const over = wait === Infinity ? await condition(roundOver).then(() => true) : await condition(roundOver, Math.max(wait, 1));
        if (over) break;
        if (state.signingDeadline && Date.now() >= Date.parse(state.signingDeadline)) {
          state.status = 'expired';
          record({ type: 'expired', actor: 'system', message: `Signing deadline ${state.signingDeadline} passed; waiting on ${round.filter((s) => s.status !== 'signed').map((s) => s.name).join(', ')}` });
          const snapshot = await persist();
          await tellParties(snapshot, { kind: 'expired' });
          return;
        }
        reminders += 1;
        const pending = round.filter((s) => s.status === 'invited');
        for (const s of pending) s.reminders = reminders;
        record({ type: 'signing_reminded', actor: 'system', message: `Reminder ${reminders}/${maxReminders} to ${pending.map((s) => s.name).join(', ')}` });
        await persist();
        await inviteSigners({ contractId: state.id, title: state.title, signers: pending, deadline: state.signingDeadline, kind: 'reminder', round: reminders * 1000 + order });
      }
    }
    if (state.status !== 'signing') return;

    await signatureQueue;
    // The last signature's write may still be on its way: the archive reads the contract as it wrote it.
    const archived = patched(SLIM_ACTIVITY_PAYLOADS)
      ? await persist.settled().then(() => archiveContract({ contractId: state.id, revision: state.revision }))
      : await archiveContract({ contract: state });
    for (const version of archived.documents) {
      const doc = state.documents.find((d) => d.id === version.id)!;
      doc.sha256 = version.sha256;
      doc.size = version.size;
    }
    state.evidenceSha256 = archived.evidenceSha256;
    state.archiveFolder = archiveFolder;
    record({ type: 'archived', actor: 'system', message: `Timestamped and archived${state.archiveFolder ? ` in ${state.archiveFolder}` : ''}${flow.archive?.retention ? `, kept ${flow.archive.retention}` : ''}; evidence report ${archived.evidenceSha256}` });
    state.status = 'completed';
    record({ type: 'completed', actor: 'system', message: 'Signed by every party' });
    const snapshot = await persist();
    await tellParties(snapshot, { kind: 'completed' });
    await expiryReminder(expiryDate);
  }

  /** 合同到期提醒: a notice to the parties `remindBefore` the contract's end date (NaN: none). */
  async function expiryReminder(date: number): Promise<void> {
    const expiry = flow.archive?.expiry;
    if (!expiry || !Number.isFinite(date)) return;
    // Already inside the reminder window (signing took long): remind at once, unless the contract has ended.
    if (date <= Date.now()) return;
    const remindAt = date - (expiry.remindBefore ? durationToMs(expiry.remindBefore) : 0);
    if (remindAt > Date.now()) await sleep(remindAt - Date.now());
    const endsOn = new Date(date).toISOString().slice(0, 10);
    record({ type: 'expiry_reminded', actor: 'system', message: `The contract ends on ${endsOn}` });
    await tellParties(await persist(), { kind: 'expiry_reminder', endsOn });
  }

  /** The invited parties hear that the contract was cancelled while they were signing. */
  async function cancelled(snapshot: ContractState, by: string, reason: string): Promise<void> {
    if (snapshot.signers.some((s) => s.invitedAt !== null)) await tellParties(snapshot, { kind: 'cancelled', by, reason });
  }

  return { run, cancelled };
}
