// The statuses of a contract, declared once: the workflow's state, the store's filter, the
// API's query and response schemas and the OpenAPI document all take them from here.
import { Type, type Static } from '@sinclair/typebox';
import type { ContractState, SignerState } from './contract';

/** Every status, in the order a contract that goes well passes through the first four. */
export const CONTRACT_STATUSES = ['in_approval', 'approved', 'signing', 'completed', 'rejected', 'cancelled', 'failed', 'declined', 'expired'] as const;

/** What each status means, for people reading the API document. */
const MEANING: Record<(typeof CONTRACT_STATUSES)[number], string> = {
  in_approval: 'its approval steps are running',
  approved: 'every approval step passed and the documents are generated; signing takes over from here (a flow without signers ends here)',
  signing: 'the signers are invited round by round; once a round shows "invited", its invitations have gone out',
  completed: 'signed by everyone, timestamped and archived with its evidence report',
  rejected: 'an approver rejected it, or an approval step timed out with onTimeout "reject"',
  cancelled: 'its initiator or an admin cancelled it',
  failed: 'a stage could not go on (e.g. a document template refused the data); the timeline says why',
  declined: 'a signer declined to sign',
  expired: 'the signing deadline passed before everyone signed',
};

/** A plain string `enum`, so a wrong value gets one clear error naming the allowed ones. */
export const ContractStatusSchema = Type.Unsafe<(typeof CONTRACT_STATUSES)[number]>({
  type: 'string',
  enum: [...CONTRACT_STATUSES],
  description: `the contract's status: ${CONTRACT_STATUSES.map((s) => `"${s}": ${MEANING[s]}`).join('; ')}`,
});

export type ContractStatus = Static<typeof ContractStatusSchema>;

/** Statuses a contract never leaves. (`approved` is one too when the flow has no signers.) */
export const SETTLED_STATUSES: readonly ContractStatus[] = ['completed', 'rejected', 'cancelled', 'failed', 'declined', 'expired'];

/** The way of a contract that goes well; a contract further along it has passed the earlier ones. */
const PROGRESS: readonly ContractStatus[] = ['in_approval', 'approved', 'signing', 'completed'];

/** True when a contract in `status` has reached `wanted` or gone past it on the way to completion. */
export function hasReached(status: ContractStatus, wanted: ContractStatus): boolean {
  if (status === wanted) return true;
  const at = PROGRESS.indexOf(status);
  const target = PROGRESS.indexOf(wanted);
  return at >= 0 && target >= 0 && at > target;
}

/** What a caller waits for: a status, and (while signing) optionally one signer's turn. */
export interface ContractWait {
  status: ContractStatus;
  /** With status "signing": that signer's invitation has gone out (or they are already past it). */
  signer?: string;
}

/**
 * Whether a wait is over for this state of the contract: `reached` (the contract is there or
 * past it), `settled` (it ended elsewhere, so waiting longer is pointless), or null.
 * "signing" is reached once the current round's invitations went out, so the links a caller
 * then finds in the outbox work; with a signer, once that signer's invitation went out (or
 * they signed already).
 */
export function waitOutcome(state: Pick<ContractState, 'status' | 'signers'>, wait: ContractWait): 'reached' | 'settled' | null {
  if (state.status === 'signing' && wait.status === 'signing') {
    const sent = (s: SignerState) => s.status !== 'waiting' && (s.status !== 'invited' || Boolean(s.invitationSentAt));
    if (wait.signer !== undefined) {
      const signer = state.signers.find((s) => s.id === wait.signer);
      return signer && sent(signer) ? 'reached' : null;
    }
    // The current round: the lowest order with someone still to sign (none left: it is being archived).
    const open = state.signers.filter((s) => s.status !== 'signed');
    if (open.length === 0) return 'reached';
    const round = Math.min(...open.map((s) => s.order));
    return open.filter((s) => s.order === round).every(sent) ? 'reached' : null;
  }
  if (hasReached(state.status, wait.status)) return 'reached';
  return SETTLED_STATUSES.includes(state.status) ? 'settled' : null;
}
