// Starting a contract: the one idempotent door that the REST API and the connectors'
// sync activities share. Same flow + source key → same workflow id → one contract, even
// after it has finished.
import { createHash, randomBytes } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { contractTitle, DEFAULT_TENANT, ExpressionError, partyNames, initialContractState, planApproval, validateContractData, type ContractOwner, type ContractSource, type ContractState, type ValidationIssue } from '../flows';
import type { Store } from '../store';
import { CONTRACT_WORKFLOW, type Actor, type ContractInput } from './contract-flow.defs';
import type { DocumentService } from './documents';

export type ContractStartErrorCode = 'flow_not_found' | 'flow_not_published' | 'invalid_data' | 'unroutable';

/** Why a contract could not start; details name the JSON path of each problem. */
export class ContractStartError extends Error {
  constructor(readonly code: ContractStartErrorCode, message: string, readonly details: ValidationIssue[] = []) {
    super(message);
  }
}

export interface ContractStartRequest {
  flow: string;
  data: unknown;
  sourceKey?: string | null;
  /** Set when a connector starts the contract: which instance, and the record's version. */
  source?: ContractSource;
  /** Tenant and org unit the contract belongs to; default: the default tenant's top. */
  owner?: ContractOwner;
}

/** Who started a contract: a connector instance (the request carries `source`) or a caller of the REST API. */
export type ContractOrigin = 'connector' | 'api';

/**
 * The same flow and source key always name the same contract; without a source key every
 * start is new. `scope` keeps hubs that share one Temporal namespace apart (workflow ids are
 * unique per namespace); a hub keeps its scope for life, or a source record could start twice.
 *
 * Source keys belong to their source, so each origin has a key space of its own. Connector
 * starts keep the id they always had (scope, flow, key): a record synced before still finds its
 * contract. REST starts hash under a marker no connector id can begin with (a NUL, where a
 * connector's string has a flow key, `[a-z0-9]…`), so a user who sends the number of a purchase
 * order SAP has not released yet gets a contract of their own, and SAP's sync later starts the
 * real one from SAP's data instead of finding the user's. Within one origin the same flow + key
 * is still one contract (the API's idempotent start).
 */
export function contractIdFor(flowKey: string, sourceKey: string | null, scope = '', origin: ContractOrigin = 'connector', tenantId = DEFAULT_TENANT): string {
  if (sourceKey === null) return `ct_${randomBytes(12).toString('hex')}`;
  // Tenants have key spaces of their own too (a NUL cannot start a flow key); the default tenant keeps the ids it always had.
  const tenant = tenantId === DEFAULT_TENANT ? '' : `\u0000tenant ${tenantId}\n`;
  const named = tenant + (origin === 'api' ? `\u0000api\n${flowKey}\n${sourceKey}` : `${flowKey}\n${sourceKey}`);
  const key = scope ? `${scope}\n${named}` : named;
  return `ct_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}

async function orUnroutable<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof ExpressionError) throw new ContractStartError('unroutable', error.message, [{ path: error.path, message: error.message }]);
    throw error;
  }
}

export interface ContractStarterOptions {
  store: Store;
  client: Client;
  documents: DocumentService;
  taskQueue: string;
  /** See contractIdFor; empty for a hub that has its Temporal namespace to itself. */
  idScope?: string;
}

export function createContractStarter({ store, client, documents, taskQueue, idScope = '' }: ContractStarterOptions) {
  return async function startContract(request: ContractStartRequest, actor: Actor): Promise<{ contract: ContractState; created: boolean }> {
    const flowKey = request.flow;
    const sourceKey = request.sourceKey ?? null;
    // The flow is looked up in the owner's tenant only: another tenant's flow of this key does not exist here.
    const tenantId = request.owner?.tenantId ?? DEFAULT_TENANT;
    const flow = await store.flows.published(tenantId, flowKey);
    if (!flow) {
      if (!(await store.flows.get(tenantId, flowKey))) throw new ContractStartError('flow_not_found', `Flow "${flowKey}" does not exist`, [{ path: '/flow', message: 'names no flow' }]);
      throw new ContractStartError('flow_not_published', `Flow "${flowKey}" has no published version yet`, [{ path: '/flow', message: 'has no published version' }]);
    }
    const id = contractIdFor(flowKey, sourceKey, idScope, request.source ? 'connector' : 'api', tenantId);
    if (sourceKey !== null) {
      const already = await store.contracts.get(id);
      if (already) return { contract: already, created: false };
    }

    const checked = validateContractData(flow.definition, request.data);
    if (!checked.ok) throw new ContractStartError('invalid_data', 'The contract data does not fit the flow', checked.issues);
    const plan = await orUnroutable(planApproval(flow.definition, checked.value));
    // The documents' templates check the data now, so a record they would refuse after approval is refused here.
    const templateIssues = await orUnroutable(documents.checkContractData(tenantId, flow.definition, checked.value));
    if (templateIssues.length) throw new ContractStartError('invalid_data', 'The contract data does not fit the templates of its documents', templateIssues);
    const title = await orUnroutable(contractTitle(flow.definition, checked.value, sourceKey));

    const input: ContractInput = {
      contractId: id,
      flow: { key: flow.key, version: flow.version, name: flow.name, definition: flow.definition },
      data: checked.value,
      sourceKey,
      startedBy: actor.id,
      createdAt: new Date().toISOString(),
      ...(request.source ? { source: request.source } : {}),
      ...(request.owner ? { owner: request.owner } : {}),
      started: { title, amount: plan.amount },
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
    await store.contracts.insertIfAbsent(initialContractState({ id, flow: input.flow, sourceKey, title, data: input.data, startedBy: actor.id, createdAt: input.createdAt, source: input.source, owner: input.owner, parties: await partyNames(flow.definition, checked.value) }, plan));
    const contract = await store.contracts.get(id);
    if (!contract) throw new Error(`contract ${id} vanished right after it was stored`);
    return { contract, created };
  };
}

export type ContractStarter = ReturnType<typeof createContractStarter>;
