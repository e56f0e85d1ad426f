// Starting and steering contracts over HTTP. Temporal holds the state; this module maps
// the starter's and the workflow's refusals to errors a caller can act on.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { contractOwner, parseApprover, waitOutcome, type ContractOwner, type ContractState, type ContractWait } from '../flows';
import type { Store } from '../store';
import {
  ContractErrors,
  ContractStartError,
  cancel,
  decide,
  type Actor,
  type ContractStartErrorCode,
  type ContractStartRequest,
  type DecisionInput,
  type DeclineInput,
  type ContractStarter,
  type NudgeInput,
  type NudgeResult,
  type SignInput,
  decline,
  nudge,
  sign,
} from '../workflows';
import { canSeeContract, isSystemRole, type Principal } from './access';
import { AppError, notFound } from './errors';

const START_STATUS: Record<ContractStartErrorCode, number> = { flow_not_found: 404, flow_not_published: 409, invalid_data: 400, unroutable: 400 };

const STATUS_OF: Record<string, number> = {
  [ContractErrors.forbidden]: 403,
  [ContractErrors.alreadyDecided]: 409,
  [ContractErrors.notPending]: 409,
  [ContractErrors.notSigning]: 409,
  [ContractErrors.notYourTurn]: 409,
  [ContractErrors.alreadySigned]: 409,
  [ContractErrors.nudgeLimited]: 429,
  [ContractErrors.signingFailed]: 503,
};

/** How long a decision waits for a contract that is still making its plan before it answers 409. */
const STARTING_WAIT_MS = 10_000;

/** How often a waiting GET (`?wait=`) reads the contract again. */
const WAIT_POLL_MS = 250;

/** A contract whose workflow has not opened its first approval step yet (the workflow refuses decisions until it has). */
const stillStarting = (state: ContractState) => state.status === 'in_approval' && state.steps.every((step) => step.status === 'waiting');

export type WaitResult = 'reached' | 'settled' | 'timeout';

export function createContractService({ store, client, startContract }: { store: Store; client: Client; startContract: ContractStarter }) {

  async function existing(id: string): Promise<ContractState> {
    const state = await store.contracts.get(id);
    if (!state) throw notFound(`Contract ${id}`);
    return state;
  }

  /** Runs an update on a contract's workflow, turning the workflow's refusal into an AppError. */
  async function update<T>(id: string, run: () => Promise<T>): Promise<T> {
    const known = await existing(id);
    const startingUntil = Date.now() + STARTING_WAIT_MS;
    for (;;) {
      try {
        return await run();
      } catch (error) {
        const cause = error instanceof WorkflowUpdateFailedError ? error.cause : null;
        // Temporal refuses an update whose handler the workflow has not set by the end of the task it arrived in, and
        // nothing was applied. decide and cancel are set at the workflow's first moment now (workflows/contract-flow.ts),
        // so this is left for workers of an earlier release during a rolling deploy (they set them after the plan, an
        // activity) and for sign/decline/nudge, set with the signing stage. It is over within moments: wait, don't fail.
        if (/no registered handler for update/i.test(String((cause as Error | null)?.message ?? (error as Error)?.message))) {
          if (Date.now() < startingUntil) {
            await new Promise((resolve) => setTimeout(resolve, 100));
            continue;
          }
          throw new AppError('contract_starting', `Contract ${id} is still starting; try again in a moment`, { status: 409 });
        }
        // Between its plan and its first step, a new contract refuses decisions as "not pending" (on an earlier release's workers;
        // the current workflow waits for the step itself): that, too, is over within moments.
        if (cause instanceof ApplicationFailure && cause.type === ContractErrors.notPending && Date.now() < startingUntil && stillStarting(await existing(id))) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          continue;
        }
        if (cause instanceof ApplicationFailure && cause.type) {
          throw new AppError(cause.type, cause.message, { status: STATUS_OF[cause.type] ?? 400 });
        }
        if (error instanceof WorkflowNotFoundError || /already completed|workflow execution already/i.test(String((error as Error).message))) {
          throw new AppError(ContractErrors.notPending, `Contract ${id} is ${known.status} and takes no more decisions`, { status: 409 });
        }
        throw error;
      }
    }
  }

  /** An approved contract is final when its flow has no signers: its workflow then ends. */
  async function workflowEnded(id: string): Promise<boolean> {
    try {
      return (await client.workflow.getHandle(id).describe()).status.name !== 'RUNNING';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return true;
      throw error;
    }
  }

  /** The contract if this caller may see it; otherwise the same 404 as a contract that does not exist. */
  async function readable(id: string, principal: Principal): Promise<ContractState> {
    const state = await existing(id);
    if (!canSeeContract(principal, state)) throw notFound(`Contract ${id}`);
    return state;
  }

  /** The unit a new contract belongs to: the caller's own, or one below it that they name. */
  async function ownerFor(principal: Principal, orgUnit: string | undefined): Promise<ContractOwner> {
    if (orgUnit === undefined) return { tenantId: principal.tenantId, unit: principal.unit };
    const unit = await store.orgUnits.get(principal.tenantId, orgUnit);
    if (!unit || (principal.unit && !unit.path.startsWith(principal.unit.path))) {
      throw new AppError('invalid_body', `Org unit "${orgUnit}" is not yours or below yours`, { status: 400, details: [{ path: '/orgUnit', message: 'names no unit at or below the caller’s' }] });
    }
    return { tenantId: principal.tenantId, unit: { id: unit.id, path: unit.path } };
  }

  /**
   * The roles with which this caller fills approver slots of this contract: a business role
   * counts only where the caller is its nearest holder up the tree from the contract's unit
   * (a manager of a sibling department holds the same role name, but not for this contract).
   */
  async function approverRoles(principal: Principal, contract: ContractState): Promise<string[]> {
    const owner = contractOwner(contract);
    const named = new Set(contract.steps.flatMap((step) => [...step.approvers, ...step.escalatedTo]).map(parseApprover).filter((a) => a.kind === 'role').map((a) => a.name));
    const roles: string[] = [];
    for (const role of principal.roles) {
      if (isSystemRole(role) && !named.has(role)) {
        roles.push(role);
        continue;
      }
      if (principal.id === 'admin') continue;
      const holders = await store.users.nearestHolders(role, owner.tenantId, owner.unit?.path ?? null);
      if (holders.some((holder) => holder.id === principal.id)) roles.push(role);
    }
    return roles;
  }

  return {
    get: existing,
    readable,
    approverRoles,

    /**
     * The contract once the wait is over (see waitOutcome), or as it stands after `timeoutMs`
     * or when the caller went away. Reads the projection every WAIT_POLL_MS.
     */
    async waitFor(id: string, asked: Partial<ContractWait>, { timeoutMs, gone }: { timeoutMs: number; gone: () => boolean }): Promise<{ contract: ContractState; outcome: WaitResult }> {
      if (asked.status === undefined || (asked.signer !== undefined && asked.status !== 'signing')) {
        throw new AppError('invalid_query', 'signer goes only with wait=signing', { status: 400, details: [{ path: '/signer', message: 'goes only with wait=signing' }] });
      }
      const wait = { status: asked.status, signer: asked.signer };
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const contract = await existing(id);
        // Signers are known from the signing stage on; before that any id may still turn up.
        if (wait.signer !== undefined && contract.signers.length > 0 && !contract.signers.some((s) => s.id === wait.signer)) {
          const known = contract.signers.map((s) => s.id).join(', ');
          throw new AppError('invalid_query', `Contract ${id} has no signer "${wait.signer}" (its signers: ${known})`, { status: 400, details: [{ path: '/signer', message: `names none of the signers (${known})` }] });
        }
        const outcome = waitOutcome(contract, wait) ?? (contract.status === 'approved' && (await workflowEnded(id)) ? 'settled' : null);
        if (outcome) return { contract, outcome };
        const left = deadline - Date.now();
        if (left <= 0 || gone()) return { contract, outcome: 'timeout' };
        await new Promise((resolve) => setTimeout(resolve, Math.min(WAIT_POLL_MS, left)));
      }
    },

    async start(request: Omit<ContractStartRequest, 'owner'> & { orgUnit?: string }, principal: Principal): Promise<{ contract: ContractState; created: boolean }> {
      const { orgUnit, ...rest } = request;
      const owner = await ownerFor(principal, orgUnit);
      try {
        return await startContract({ ...rest, owner }, { id: principal.id, name: principal.name, roles: principal.roles });
      } catch (error) {
        if (error instanceof ContractStartError) throw new AppError(error.code === 'flow_not_found' ? 'not_found' : error.code, error.message, { status: START_STATUS[error.code], details: error.details });
        throw error;
      }
    },

    async decide(id: string, principal: Principal, input: Omit<DecisionInput, 'actor'>): Promise<ContractState> {
      const contract = await readable(id, principal);
      const actor: Actor = { id: principal.id, name: principal.name, roles: await approverRoles(principal, contract) };
      return update(id, () => client.workflow.getHandle(id).executeUpdate(decide, { args: [{ ...input, actor }] }));
    },

    async cancel(id: string, principal: Principal, reason: string): Promise<ContractState> {
      await readable(id, principal);
      const actor: Actor = { id: principal.id, name: principal.name, roles: principal.roles };
      return update(id, () => client.workflow.getHandle(id).executeUpdate(cancel, { args: [{ actor, reason }] }));
    },

    sign(id: string, input: SignInput): Promise<ContractState> {
      return update(id, () => client.workflow.getHandle(id).executeUpdate(sign, { args: [input] }));
    },

    decline(id: string, input: DeclineInput): Promise<ContractState> {
      return update(id, () => client.workflow.getHandle(id).executeUpdate(decline, { args: [input] }));
    },

    nudge(id: string, input: NudgeInput): Promise<NudgeResult> {
      return update(id, () => client.workflow.getHandle(id).executeUpdate(nudge, { args: [input] }));
    },
  };
}

export type ContractService = ReturnType<typeof createContractService>;
