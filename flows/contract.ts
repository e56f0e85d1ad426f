// The state of one contract as it moves through its flow. The workflow owns it; the
// store keeps a projection of it for listing and detail pages; the API returns it.
import type { ApprovalPlan } from './routing';
import type { Locale } from './schema';
import type { ContractStatus } from './status';
import type { IdentityLevel } from './identity-levels';

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
  | 'delegated' // the step was handed to a business system (connector); the message names its request id
  | 'delegation_failed' // delegating or polling failed for good; the step waits for people in Sealflow
  | 'decided'
  | 'step_approved'
  | 'step_rejected'
  | 'reminded'
  | 'escalated'
  | 'timed_out'
  | 'approved'
  | 'rejected'
  | 'cancelled'
  | 'documents_generated'
  | 'failed'
  | 'source_changed' // the source record changed after the start; the contract keeps its data
  | 'written_back' // the source system was told the contract's outcome
  | 'write_back_failed' // telling the source kept failing; someone should tell it by hand
  | 'signing_started'
  | 'invited'
  | 'signed'
  | 'declined'
  | 'nudged'
  | 'signing_reminded'
  | 'expired'
  | 'archived'
  | 'completed'
  | 'expiry_reminded'
  // From the signer page's records (the contract page adds them; the workflow never writes them):
  | 'opened' // a signer first opened their page
  | 'read'; // a signer had read every page of their documents

export interface TimelineEvent {
  at: string;
  type: TimelineEventType;
  /** Who caused it: a user id, or `system` for timers. */
  actor: string;
  message: string;
  step?: number;
  /** Idempotency key of an event recorded at most once (e.g. a source change). */
  key?: string;
  /** Where the act came from and how intent was verified: the evidence report lists these. */
  ip?: string | null;
  userAgent?: string | null;
  intent?: string | null;
  signer?: string;
}

/** The connector instance a contract came from, and the source record's version at the start. */
export interface ContractSource {
  connectorInstance: string;
  version?: string;
}

/** Where a signer's seal or signature goes: page from 0, PDF points from the bottom-left. */
export interface SignatureArea {
  signerId: string;
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A generated document: its bytes live in the document store under `sha256`. */
export interface ContractDocument {
  id: string;
  template: string;
  title: string | null;
  sha256: string;
  size: number;
  pages: number;
  /** Signer ids that receive and sign this document. */
  signers: string[];
  signatureAreas: SignatureArea[];
  generatedAt: string;
  /** The first rendering; `sha256` moves on with every signature and the archive timestamp. */
  originalSha256?: string;
  /** Signer ids whose signature the current version carries, in order. */
  signedBy?: string[];
}

export type SignerStatus = 'waiting' | 'invited' | 'signing' | 'signed' | 'declined';

export interface SignerState {
  id: string;
  party: 'company' | 'person';
  name: string;
  order: number;
  documents: string[];
  email: string | null;
  mobile: string | null;
  creditCode: string | null;
  idNumber: string | null;
  seal: string | null;
  /** Language of the signer's notices; absent on contracts planned before signers had one (read as zh). */
  locale?: Locale;
  /** 'face' only on contracts planned before identity levels: read it through requiredIdentity. */
  verify: 'none' | 'sms-otp' | 'face';
  /** Real-name verification level the signer must pass before a certificate is issued to them; absent on older contracts (read through requiredIdentity). */
  identity?: IdentityLevel | null;
  mustRead: boolean;
  prompt: string | null;
  status: SignerStatus;
  /** When their turn came: the link works from here, their invitation follows a moment later. */
  invitedAt: string | null;
  /** When their invitation went out (email, SMS or inbox); absent until then, and on contracts from before it was recorded. */
  invitationSentAt?: string | null;
  signedAt: string | null;
  declineReason: string | null;
  reminders: number;
  lastNudgeAt: string | null;
}

/**
 * Who a contract belongs to: its tenant, and the org unit that started it (null = the
 * tenant's top). Contracts from before tenants have none and belong to the tenant 'default'.
 */
export interface ContractOwner {
  tenantId: string;
  unit: { id: string; path: string } | null;
}

export const DEFAULT_TENANT = 'default';

/** The owner of a contract, reading contracts from before owners as the default tenant's top. */
export function contractOwner(contract: { owner?: ContractOwner }): ContractOwner {
  return contract.owner ?? { tenantId: DEFAULT_TENANT, unit: null };
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
  documents: ContractDocument[];
  signers: SignerState[];
  /** When signing closes unsigned, if the flow sets a deadline. */
  signingDeadline: string | null;
  /** SHA-256 of the sealed evidence report once the contract is archived. */
  evidenceSha256: string | null;
  archiveFolder: string | null;
  timeline: TimelineEvent[];
  startedBy: string;
  createdAt: string;
  updatedAt: string;
  /** Grows with every change, so a late write of an older state never overwrites a newer one. */
  revision: number;
  /** Set when a connector started the contract. */
  source?: ContractSource;
  /** Absent on contracts from before tenants: see contractOwner. */
  owner?: ContractOwner;
  /** The parties' names from the start (flows/signers partyNames), for the ledger; the signers carry them once signing is planned. */
  parties?: string[];
}

export interface ContractStart {
  id: string;
  flow: { key: string; version: number; name: string };
  sourceKey: string | null;
  title: string | null;
  data: Record<string, unknown>;
  startedBy: string;
  createdAt: string;
  source?: ContractSource;
  owner?: ContractOwner;
  parties?: string[];
}

/**
 * What a contract is called when its flow sets no `title` (or the title gives nothing): the
 * flow's name and the source record's key, e.g. `技术服务协议 · PO 4500000001`. People see this
 * name in invitations, on the signer page and in the evidence report; never the contract id.
 */
export function defaultContractTitle(flowName: string, sourceKey: string | null): string {
  return sourceKey ? `${flowName} · ${sourceKey}` : flowName;
}

/** The name of a contract as a person reads it: its title, or the default for contracts stored without one. */
export function contractName(contract: { title: string | null; flowName: string; sourceKey: string | null }): string {
  return contract.title ?? defaultContractTitle(contract.flowName, contract.sourceKey);
}

/**
 * Who sends a contract, as its notices name them to `recipientId`: the party signing with a
 * seal this hub manages (the hub's own side), else the first company among the other parties,
 * else the flow's name. A hub may name itself instead (SEALFLOW_COMPANY_NAME).
 */
export function contractSender(contract: { signers: SignerState[]; flowName: string }, recipientId: string | null = null): string {
  const others = [...contract.signers].filter((s) => s.id !== recipientId).sort((a, b) => a.order - b.order);
  return (others.find((s) => s.seal !== null) ?? others.find((s) => s.party === 'company'))?.name ?? contract.flowName;
}

/** A contract as it stands the moment it starts: every step of its tier waiting, nothing decided. */
export function initialContractState(start: ContractStart, plan: ApprovalPlan): ContractState {
  return {
    id: start.id,
    flowKey: start.flow.key,
    flowVersion: start.flow.version,
    flowName: start.flow.name,
    sourceKey: start.sourceKey,
    title: start.title ?? defaultContractTitle(start.flow.name, start.sourceKey),
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
    documents: [],
    signers: [],
    signingDeadline: null,
    evidenceSha256: null,
    archiveFolder: null,
    timeline: [],
    startedBy: start.startedBy,
    createdAt: start.createdAt,
    updatedAt: start.createdAt,
    revision: 0,
    ...(start.source ? { source: start.source } : {}),
    ...(start.owner ? { owner: start.owner } : {}),
    ...(start.parties ? { parties: start.parties } : {}),
  };
}
