// The names through which the outside world talks to a running contract. The server
// imports these values; it never imports workflow code.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ContractOwner, ContractSource, ContractState, Decision, FlowDefinition } from '../flows';

export interface ContractInput {
  contractId: string;
  flow: { key: string; version: number; name: string; definition: FlowDefinition };
  data: Record<string, unknown>;
  sourceKey: string | null;
  startedBy: string;
  createdAt: string;
  /** Set when a connector started the contract: the outcome is written back to it. */
  source?: ContractSource;
  /** Tenant and org unit; absent on contracts started before tenants. */
  owner?: ContractOwner;
  /**
   * The title and amount the server computed when it started the contract (its check of the plan), so a contract
   * whose plan then fails in the worker is stored with them; absent on contracts started before.
   */
  started?: { title: string | null; amount: number };
}

/** The user acting on a contract, as the server authenticated them. */
export interface Actor {
  id: string;
  name: string;
  roles: string[];
}

export interface DecisionInput {
  actor: Actor;
  decision: Decision;
  comment: string | null;
  /** Where the decision came from, for the evidence report. */
  origin?: { ip: string | null; userAgent: string | null };
}

export interface CancelInput {
  actor: Actor;
  reason: string;
}

/** Error types an update validator rejects with; the server maps each to an HTTP status. */
export const ContractErrors = {
  notSigning: 'not_signing',
  notYourTurn: 'not_your_turn',
  alreadySigned: 'already_signed',
  nudgeLimited: 'nudge_rate_limited',
  signingFailed: 'signing_failed',
  forbidden: 'forbidden',
  alreadyDecided: 'already_decided',
  notPending: 'not_pending',
  invalidData: 'invalid_flow_data',
} as const;

/** An approver's decision on the contract's current step; answers with the state after it. */
export const decide = defineUpdate<ContractState, [DecisionInput]>('decide');
/** Stops the contract; answers with the final state. */
export const cancel = defineUpdate<ContractState, [CancelInput]>('cancel');
/** The live state, straight from the workflow. */
export const contractState = defineQuery<ContractState>('contractState');

/** A connector read the contract's source record again and it had changed. */
export interface SourceChangedInput {
  /** Recorded once per key, however often it is sent. */
  eventKey: string;
  version?: string;
  /** A line for the timeline: what changed. */
  summary: string;
}

/** Puts a source change on the contract's timeline; the contract's data stays as it started. */
export const sourceChanged = defineSignal<[SourceChangedInput]>('sourceChanged');

/** Where a signer's act came from and how their intent was checked; it goes into the evidence report. */
export interface SignerEvidence {
  ip: string | null;
  userAgent: string | null;
  /** e.g. "personal link + sms-otp + read every page" */
  intent: string;
}

export interface SignInput {
  signerId: string;
  evidence: SignerEvidence;
}

export interface DeclineInput {
  signerId: string;
  reason: string;
  evidence: SignerEvidence;
}

export interface NudgeInput {
  actor: Actor;
  /** One signer, or every signer whose turn it is. */
  signerId: string | null;
}

export interface NudgeResult {
  nudged: string[];
  /**
   * The contract's revision after the nudge. Not the state: nudges may come every hour for
   * weeks, and each update's answer stays in the contract's history; the whole state each
   * time (timeline included) would make that history grow with the square of the timeline.
   * Contracts nudged before this change answered `contract` as well.
   */
  revision: number;
}

/** A signer signs all their documents; answers once the signatures are in the PDFs. */
export const sign = defineUpdate<ContractState, [SignInput]>('sign');
/** A signer declines; the contract ends as declined. */
export const decline = defineUpdate<ContractState, [DeclineInput]>('decline');
/** A business user hurries the pending signers (at most once an hour each). */
export const nudge = defineUpdate<NudgeResult, [NudgeInput]>('nudge');

export const NUDGE_INTERVAL_MS = 60 * 60 * 1000;

export const CONTRACT_WORKFLOW = 'contractFlow';

/** The archive's newest versions after a renewal (workflows/archive-renewal.ts): each document's, and the evidence report's. */
export interface ArchiveRenewedInput {
  documents: { id: string; sha256: string; size: number }[];
  evidenceSha256: string | null;
}

/**
 * A renewal of the contract's archive while its workflow still runs (e.g. it sleeps until the
 * expiry reminder): the workflow owns the projection, so it takes the new versions and writes them.
 */
export const archiveRenewed = defineSignal<[ArchiveRenewedInput]>('archiveRenewed');
