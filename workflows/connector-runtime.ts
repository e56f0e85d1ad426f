// What connector syncs (worker activities) and inbound webhooks (server) share: opening an
// instance with its secrets, starting contracts through THE idempotent contract starter
// as the instance's own actor, putting source changes on a contract's timeline, and
// writing a contract's outcome back to its source. An instance acts in its own tenant: the
// contracts it starts belong to that tenant and to the instance's org unit.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ConnectorError, getConnector, writeBack, type AnyConnector, type ContractOutcome, type SourceChange, type StartContract, type WriteBackResult } from '../connectors';
import { compileExpression, ExpressionError, isExpression, type ContractOwner, type ContractState } from '../flows';
import type { ConnectorInstanceRecord, Store } from '../store';
import { sourceChanged, type Actor } from './contract-flow.defs';
import { ContractStartError, type ContractStarter } from './contract-starter';

/** The actor a connector instance starts contracts as; called by its name, else by the key its tenant knows it by. */
export function connectorActor(instance: Pick<ConnectorInstanceRecord, 'id' | 'name'> & Partial<Pick<ConnectorInstanceRecord, 'key'>>): Actor {
  return { id: `connector:${instance.id}`, name: instance.name ?? instance.key ?? instance.id, roles: ['connector'] };
}

export interface LoadedConnectorInstance {
  record: ConnectorInstanceRecord;
  connector: AnyConnector;
  /** Public settings and secrets together, as the connector's code needs them. */
  settings: Record<string, unknown>;
  webhookAuth: { kind: 'hmac-sha256'; secret: string } | { kind: 'bearer'; token: string } | null;
  /** Who the contract of a record (its mapped data) belongs to: the instance's tenant, and its org unit. */
  owner: ContractOwnerOf;
}

/**
 * The owner of the contract of one mapped record. Throws ContractStartError when the
 * instance's `orgUnit` expression fails or names no unit of the tenant: that record fails.
 */
export type ContractOwnerOf = (data: Record<string, unknown>) => Promise<ContractOwner>;

/**
 * An instance's `orgUnit` is a unit id of its tenant, or `=expression` (JSONata, on the
 * mapped record, bounded like every flow expression) that gives one per record; no value
 * (or none given) means the tenant's top.
 */
async function ownerOf(store: Store, record: ConnectorInstanceRecord): Promise<ContractOwnerOf> {
  const tenantId = record.tenantId;
  const unitOf = async (id: string) => {
    const unit = await store.orgUnits.get(tenantId, id);
    return unit ? { id: unit.id, path: unit.path } : null;
  };
  if (record.orgUnit === null) return async () => ({ tenantId, unit: null });
  if (!isExpression(record.orgUnit)) {
    const unit = await unitOf(record.orgUnit);
    if (!unit) throw new ConnectorError('invalid_settings', `connector instance ${record.id} names org unit "${record.orgUnit}", which its tenant no longer has`, { retryable: false });
    return async () => ({ tenantId, unit });
  }
  const expression = compileExpression(record.orgUnit.slice(1), '/orgUnit');
  return async (data) => {
    let value: unknown;
    try {
      value = await expression.evaluate(data);
    } catch (error) {
      if (error instanceof ExpressionError) throw new ContractStartError('unroutable', `the org unit expression failed: ${error.message}`, [{ path: '/orgUnit', message: error.message }]);
      throw error;
    }
    if (value === undefined || value === null || value === '') return { tenantId, unit: null };
    const unit = typeof value === 'string' ? await unitOf(value) : null;
    if (!unit) throw new ContractStartError('invalid_data', `the org unit expression gave ${JSON.stringify(value)}, which is no org unit of this tenant`, [{ path: '/orgUnit', message: `gave ${JSON.stringify(value)}, no org unit of this tenant` }]);
    return { tenantId, unit };
  };
}

/**
 * The instance (by its global id) with its secrets opened, or null when there is none. Throws
 * ConnectorError (not retryable) when its connector is unknown, the master key is missing or
 * wrong, or its org unit no longer exists in its tenant.
 */
export async function loadConnectorInstance(store: Store, masterKey: Uint8Array | null, id: string): Promise<LoadedConnectorInstance | null> {
  if (!masterKey) throw new ConnectorError('invalid_settings', 'SEALFLOW_MASTER_KEY is not configured: connector secrets cannot be opened', { retryable: false });
  let opened;
  try {
    opened = await store.connectors.open(id, masterKey);
  } catch (error) {
    if ((error as Error)?.name === 'SecretError') throw new ConnectorError('invalid_settings', `secrets of connector instance ${id}: ${(error as Error).message}`, { retryable: false });
    throw error;
  }
  if (!opened) return null;
  const connector = getConnector(opened.connector);
  if (!connector) throw new ConnectorError('invalid_settings', `connector instance ${id} uses connector "${opened.connector}", which this Sealflow does not ship`, { retryable: false });
  const { secrets, webhookSecret, ...record } = opened;
  let owner: ContractOwnerOf;
  try {
    owner = await ownerOf(store, record);
  } catch (error) {
    if (error instanceof ExpressionError) throw new ConnectorError('invalid_settings', `connector instance ${id}: /orgUnit ${error.message}`, { retryable: false });
    throw error;
  }
  return { record, connector, settings: { ...opened.settings, ...secrets }, webhookAuth: webhookSecret, owner };
}

const FLOW_MISSING = new Set(['flow_not_found', 'flow_not_published']);

/** Whether a kit failure means the instance's flow cannot take contracts (a setup problem, not a glitch). */
export function isFlowMissing(failure: { details?: Record<string, unknown> } | undefined): boolean {
  return typeof failure?.details?.reason === 'string' && FLOW_MISSING.has(failure.details.reason);
}

/**
 * The kit's StartContract on top of the real contract starter. Data the flow refuses fails
 * that record for good (it is counted and passed over); a flow that is missing or not
 * published stops the sync without moving the cursor, so nothing is lost once it is published.
 * `owner` is the instance's (LoadedConnectorInstance.owner); without one, the default tenant's top.
 */
export function connectorContractStart(starter: ContractStarter, instance: Pick<ConnectorInstanceRecord, 'id' | 'name'> & Partial<Pick<ConnectorInstanceRecord, 'key'>>, owner?: ContractOwnerOf): StartContract {
  const actor = connectorActor(instance);
  return async (request) => {
    try {
      const { contract, created } = await starter(
        { flow: request.flow, data: request.data, sourceKey: request.sourceKey, source: { connectorInstance: request.instance, ...(request.sourceVersion ? { version: request.sourceVersion } : {}) }, ...(owner ? { owner: await owner(request.data) } : {}) },
        actor,
      );
      return { contractId: contract.id, created };
    } catch (error) {
      if (!(error instanceof ContractStartError)) throw error;
      const where = error.details.map((d) => `${d.path} ${d.message}`).join('; ');
      throw new ConnectorError('start_failed', `record ${request.sourceKey}: ${error.message}${where ? ` (${where})` : ''}`, {
        retryable: FLOW_MISSING.has(error.code),
        details: { reason: error.code, issues: error.details },
      });
    }
  };
}

type Json = unknown;
const isObject = (value: Json): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);
const show = (value: Json) => {
  const text = value === undefined ? '(none)' : typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
};

/** Paths (JSON pointer) whose values differ, each with before and after. */
function differences(before: Json, after: Json, path = ''): Array<{ path: string; before: Json; after: Json }> {
  if (isObject(before) && isObject(after)) {
    return [...new Set([...Object.keys(before), ...Object.keys(after)])].sort().flatMap((key) => differences(before[key], after[key], `${path}/${key}`));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path: path || '/', before, after }];
}

/** The timeline line for a source change: which mapped fields differ from the contract's data. */
export function describeSourceChange(change: SourceChange, contractData: Record<string, unknown> | undefined): string {
  const head = `Source record ${change.sourceKey} changed in ${change.instance}${change.version ? ` (version ${change.version})` : ''}`;
  if (!contractData) return `${head}; the contract keeps the data it started with.`;
  const diff = differences(contractData, change.data);
  if (!diff.length) return `${head}; no mapped field differs from the contract's data.`;
  const listed = diff.slice(0, 5).map((d) => `${d.path} ${show(d.before)} → ${show(d.after)}`).join(', ');
  return `${head}: ${listed}${diff.length > 5 ? ` and ${diff.length - 5} more` : ''}. The contract keeps the data it started with.`;
}

/**
 * Puts a source change on the contract's timeline, once per event key. A running contract
 * records it itself (signal). A finished one can no longer be signalled: its projection
 * gets the event directly, guarded by revision and deduplicated by the event's key.
 */
export async function reportSourceChange({ client, store, change }: { client: Client; store: Store; change: SourceChange }): Promise<void> {
  const contract = await store.contracts.get(change.contractId);
  const summary = describeSourceChange(change, contract?.data);
  try {
    await client.workflow.getHandle(change.contractId).signal(sourceChanged, { eventKey: change.eventKey, version: change.version, summary });
    return;
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    const state = await store.contracts.get(change.contractId);
    if (!state) return;
    if (state.timeline.some((e) => e.key === change.eventKey)) return;
    if (change.version !== undefined && change.version === state.source?.version) return;
    const at = new Date().toISOString();
    const next: ContractState = {
      ...state,
      timeline: [...state.timeline, { at, type: 'source_changed', actor: `connector:${change.instance}`, message: summary, key: change.eventKey }],
      updatedAt: at,
      revision: state.revision + 1,
    };
    await store.contracts.save(next);
    if ((await store.contracts.get(change.contractId))?.timeline.some((e) => e.key === change.eventKey)) return;
  }
  throw new ConnectorError('start_failed', `could not record the change of ${change.sourceKey} on contract ${change.contractId}`, { retryable: true });
}

/** What the contract's workflow asks for when a connector-started contract ends. */
export interface SourceWriteBack {
  connectorInstance: string;
  sourceKey: string;
  contractId: string;
  outcome: ContractOutcome;
}

/** Tells the source how its contract ended. Throws ConnectorError (its `retryable` decides a retry). */
export async function writeBackToConnector({ store, masterKey, request, signal }: { store: Store; masterKey: Uint8Array | null; request: SourceWriteBack; signal?: AbortSignal }): Promise<WriteBackResult> {
  const instance = await loadConnectorInstance(store, masterKey, request.connectorInstance);
  if (!instance) throw new ConnectorError('invalid_settings', `connector instance ${request.connectorInstance} no longer exists`, { retryable: false });
  return writeBack({
    connector: instance.connector,
    instance: { id: instance.record.id, settings: instance.settings },
    sourceKey: request.sourceKey,
    contractId: request.contractId,
    outcome: request.outcome,
    signal,
  });
}
