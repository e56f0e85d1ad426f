// Starting and steering contracts. Temporal holds the state; this module starts the
// workflow (at most once per flow + source key), sends it decisions, and maps its refusals
// to errors a caller can act on.
import { createHash, randomBytes } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { contractTitle, initialContractState, planApproval, validateContractData, type ContractState } from '../flows';
import type { Store } from '../store';
import { CONTRACT_WORKFLOW, ContractErrors, cancel, decide, type Actor, type ContractInput, type DecisionInput } from '../workflows';
import { AppError, asRoutingError, notFound } from './errors';

/** The same flow and source key always name the same contract; without a source key every start is new. */
export function contractIdFor(flowKey: string, sourceKey: string | null): string {
  if (sourceKey === null) return `ct_${randomBytes(12).toString('hex')}`;
  return `ct_${createHash('sha256').update(`${flowKey}\n${sourceKey}`).digest('hex').slice(0, 24)}`;
}

const STATUS_OF: Record<string, number> = {
  [ContractErrors.forbidden]: 403,
  [ContractErrors.alreadyDecided]: 409,
  [ContractErrors.notPending]: 409,
};

export function createContractService({ store, client, taskQueue }: { store: Store; client: Client; taskQueue: string }) {
  async function existing(id: string): Promise<ContractState> {
    const state = await store.contracts.get(id);
    if (!state) throw notFound(`Contract ${id}`);
    return state;
  }

  /** Runs an update on a contract's workflow, turning the workflow's refusal into an AppError. */
  async function update(id: string, run: () => Promise<ContractState>): Promise<ContractState> {
    const known = await existing(id);
    try {
      return await run();
    } catch (error) {
      const cause = error instanceof WorkflowUpdateFailedError ? error.cause : null;
      if (cause instanceof ApplicationFailure && cause.type) {
        throw new AppError(cause.type, cause.message, { status: STATUS_OF[cause.type] ?? 400 });
      }
      if (error instanceof WorkflowNotFoundError || /already completed|workflow execution already/i.test(String((error as Error).message))) {
        throw new AppError(ContractErrors.notPending, `Contract ${id} is ${known.status} and takes no more decisions`, { status: 409 });
      }
      throw error;
    }
  }

  return {
    get: existing,

    async start({ flow: flowKey, data, sourceKey }: { flow: string; data: unknown; sourceKey?: string }, actor: Actor): Promise<{ contract: ContractState; created: boolean }> {
      const flow = await store.flows.published(flowKey);
      if (!flow) {
        const any = await store.flows.get(flowKey);
        if (!any) throw new AppError('not_found', `Flow "${flowKey}" does not exist`, { status: 404, details: [{ path: '/flow', message: 'names no flow' }] });
        throw new AppError('flow_not_published', `Flow "${flowKey}" has no published version yet`, { status: 409, details: [{ path: '/flow', message: 'has no published version' }] });
      }
      const id = contractIdFor(flowKey, sourceKey ?? null);
      if (sourceKey !== undefined) {
        const already = await store.contracts.get(id);
        if (already) return { contract: already, created: false };
      }

      const checked = validateContractData(flow.definition, data);
      if (!checked.ok) throw new AppError('invalid_data', 'The contract data does not fit the flow', { details: checked.issues });
      const plan = await planApproval(flow.definition, checked.value).catch(asRoutingError);
      const title = await contractTitle(flow.definition, checked.value).catch(asRoutingError);

      const input: ContractInput = {
        contractId: id,
        flow: { key: flow.key, version: flow.version, name: flow.name, definition: flow.definition },
        data: checked.value,
        sourceKey: sourceKey ?? null,
        startedBy: actor.id,
        createdAt: new Date().toISOString(),
      };
      let created = true;
      try {
        await client.workflow.start(CONTRACT_WORKFLOW, {
          workflowId: id,
          taskQueue,
          args: [input],
          // A closed contract keeps its id: the same source record never starts a second one.
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        created = false;
      }
      // The workflow writes the full projection as it runs; this row makes the contract visible at once.
      await store.contracts.insertIfAbsent(initialContractState({ id, flow: input.flow, sourceKey: input.sourceKey, title, data: input.data, startedBy: actor.id, createdAt: input.createdAt }, plan));
      return { contract: await existing(id), created };
    },

    decide(id: string, input: DecisionInput): Promise<ContractState> {
      return update(id, () => client.workflow.getHandle(id).executeUpdate(decide, { args: [input] }));
    },

    cancel(id: string, actor: Actor, reason: string): Promise<ContractState> {
      return update(id, () => client.workflow.getHandle(id).executeUpdate(cancel, { args: [{ actor, reason }] }));
    },
  };
}

export type ContractService = ReturnType<typeof createContractService>;
