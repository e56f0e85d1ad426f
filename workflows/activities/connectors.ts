// Connector activities: one sync of a polling instance, telling a source how its
// contract ended, and approval steps delegated to a business system (create, poll). All I/O; workflow code imports this file as a type only.
//
// A sync heartbeats its cursor as it moves. If the worker dies mid-sync, Temporal retries
// the activity and the retry resumes from the last heartbeat; starts are idempotent (same
// flow + source key → same contract), so items read again start nothing twice.
import { Context, log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ConnectorError, isRetryable, syncOnce, type SyncResult, type WriteBackResult } from '../../connectors';
import type { ConnectorOperation, HubMetrics } from '../../observability';
import type { Store } from '../../store';
import { connectorContractStart, isFlowMissing, loadConnectorInstance, reportSourceChange, writeBackToConnector, type SourceWriteBack } from '../connector-runtime';
import type { ConnectorSyncSummary } from '../connector-sync.defs';
import type { ContractStarter } from '../contract-starter';

export interface ConnectorActivityDependencies {
  store: Store;
  /** Opens the instances' secrets; without it every sync and write-back fails (not retryable). */
  masterKey: Uint8Array | null;
  /** The idempotent contract starter, on the client the activity gets from its context. */
  contractStarter: (client: Client) => ContractStarter;
  /** How often a running sync heartbeats even when its cursor stands still (ms). */
  heartbeatEveryMs?: number;
  /** Counts failed connector calls (observability/). */
  metrics?: HubMetrics;
}

/** What a sync heartbeats: where a retry resumes. */
interface SyncHeartbeat {
  cursor: string | null;
}

const asFailure = (error: ConnectorError) => ApplicationFailure.create({ type: error.code, message: error.message, nonRetryable: !error.retryable });

/** A delegated approval step: the OA (or other) request to create, idempotent by key. */
export interface DelegateApprovalRequest {
  connectorInstance: string;
  contractId: string;
  /** Index of the step in the contract. */
  step: number;
  title: string;
  amount?: number;
  idempotencyKey: string;
}

/** The decision on a delegated approval as the workflow sees it. */
export interface DelegatedApprovalStatus {
  status: 'pending' | 'approved' | 'rejected';
  decidedBy?: string;
  comment?: string;
}

/** Runs a connector action; failures become ConnectorError (retryable for network and server trouble), then Temporal failures. */
async function connectorCall<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    try {
      return await run();
    } catch (error) {
      if (error instanceof ConnectorError) throw error;
      throw new ConnectorError('source_failed', `${what} failed: ${error instanceof Error ? error.message : String(error)}`, { retryable: isRetryable(error), cause: error });
    }
  } catch (error) {
    if (error instanceof ConnectorError) throw asFailure(error);
    throw error;
  }
}

export function createConnectorActivities({ store, masterKey, contractStarter, heartbeatEveryMs = 5_000, metrics }: ConnectorActivityDependencies) {
  /** A failed call to an instance: counted, and logged (the activity's log line names the contract, if any). */
  const failed = (instance: string, operation: ConnectorOperation, code: string, message: string) => {
    metrics?.connectorFailed(instance, operation, code);
    log.warn('connector call failed', { connectorInstance: instance, operation, code, reason: message });
  };
  /** connectorCall with the failure counted against the instance. */
  const counted = <T>(instance: string, operation: ConnectorOperation, what: string, run: () => Promise<T>) =>
    connectorCall(what, run).catch((error: unknown) => {
      failed(instance, operation, error instanceof ApplicationFailure ? (error.type ?? 'failed') : 'failed', (error as Error).message);
      throw error;
    });
  return {
    /**
     * One sync of a polling instance from its cursor (or the last heartbeat of a previous
     * attempt). Saves the cursor and the health counters whatever happens; then a retryable
     * failure throws for Temporal to retry with backoff, any other failure throws as
     * non-retryable, named by its code.
     */
    async syncConnector({ instanceId }: { instanceId: string }): Promise<ConnectorSyncSummary> {
      const context = Context.current();
      const summary = (fields: Partial<ConnectorSyncSummary>): ConnectorSyncSummary => ({
        instance: instanceId, active: true, read: 0, started: 0, changed: 0, skipped: 0, errors: [], hasMore: false, everyMinutes: 0, at: new Date().toISOString(), ...fields,
      });
      let instance;
      try {
        instance = await loadConnectorInstance(store, masterKey, instanceId);
      } catch (error) {
        if (!(error instanceof ConnectorError)) throw error;
        failed(instanceId, 'poll', error.code, error.message);
        await store.connectors.recordRun(instanceId, { read: 0, started: 0, changed: 0, skipped: 0, errors: [], failure: { code: error.code, message: error.message } }, new Date());
        throw asFailure(error);
      }
      if (!instance) return summary({ active: false });
      const { record, connector, settings, owner } = instance;
      if (!record.enabled || record.trigger.kind !== 'poll') return summary({ active: false });
      const everyMinutes = record.trigger.everyMinutes;

      const resumed = context.info.heartbeatDetails as SyncHeartbeat | undefined;
      const cursor = resumed && 'cursor' in resumed ? resumed.cursor : await store.connectors.cursor(instanceId);
      let latest = cursor;
      const beat = setInterval(() => context.heartbeat({ cursor: latest } satisfies SyncHeartbeat), heartbeatEveryMs);
      let result: SyncResult;
      try {
        result = await syncOnce({
          connector,
          instance: { id: record.id, flow: record.flow, mapping: record.mapping, settings },
          cursor,
          startContract: connectorContractStart(contractStarter(context.client), record, owner),
          onChange: (change) => reportSourceChange({ client: context.client, store, change }),
          onCursor: (moved) => {
            latest = moved;
            context.heartbeat({ cursor: moved } satisfies SyncHeartbeat);
          },
          signal: context.cancellationSignal,
        });
      } finally {
        clearInterval(beat);
      }
      // The cursor covers only handled items, so it is saved even when the sync failed part-way.
      await store.connectors.saveCursor(instanceId, result.cursor);
      await store.connectors.recordRun(instanceId, result, new Date());
      const done = summary({
        read: result.read,
        started: result.started,
        changed: result.changed,
        skipped: result.skipped,
        errors: result.errors.map(({ sourceKey, code, message }) => ({ ...(sourceKey ? { sourceKey } : {}), code, message })),
        hasMore: result.hasMore,
        everyMinutes,
      });
      const { failure } = result;
      if (failure) {
        failed(instanceId, 'poll', failure.code, failure.message);
        // What this attempt did travels with the failure, for the manual sync's answer.
        const details = [{ ...done, failure: { code: failure.code, message: failure.message } }];
        // A missing flow is a setup problem: retrying in seconds will not publish it; the next scheduled sync will look again.
        if (isFlowMissing(failure)) throw ApplicationFailure.create({ type: String(failure.details!.reason), message: failure.message, nonRetryable: true, details });
        throw ApplicationFailure.create({ type: failure.code, message: failure.message, nonRetryable: !failure.retryable, details });
      }
      return done;
    },

    /** Tells the source how its contract ended; idempotent per contract and outcome. */
    async writeBackToSource(request: SourceWriteBack): Promise<WriteBackResult> {
      try {
        return await writeBackToConnector({ store, masterKey, request, signal: Context.current().cancellationSignal });
      } catch (error) {
        failed(request.connectorInstance, 'write_back', error instanceof ConnectorError ? error.code : 'failed', (error as Error).message);
        if (error instanceof ConnectorError) throw asFailure(error);
        throw error;
      }
    },

    /** Creates the approval request in the instance's system; the same idempotency key gives the same request. */
    async delegateApprovalToSource({ connectorInstance, contractId, step, title, amount, idempotencyKey }: DelegateApprovalRequest): Promise<{ requestId: string }> {
      return counted(connectorInstance, 'delegate', `delegating step ${step} of ${contractId} to ${connectorInstance}`, async () => {
        const { connector, settings } = await delegatingInstance(connectorInstance, 'delegateApproval');
        return connector.actions.delegateApproval!(
          { settings, signal: Context.current().cancellationSignal },
          { contractId, idempotencyKey, title, ...(amount !== undefined ? { amount } : {}), fields: { step: String(step + 1) } },
        );
      });
    },

    /** Asks the instance's system for its decision on a delegated approval. */
    async pollDelegatedApproval({ connectorInstance, requestId }: { connectorInstance: string; requestId: string }): Promise<DelegatedApprovalStatus> {
      return counted(connectorInstance, 'delegate', `reading request ${requestId} from ${connectorInstance}`, async () => {
        const { connector, settings } = await delegatingInstance(connectorInstance, 'approvalDecision');
        const decision = await connector.actions.approvalDecision!({ settings, signal: Context.current().cancellationSignal }, requestId);
        if (decision.status === 'pending') return { status: 'pending' };
        return { status: decision.status, ...(decision.decidedBy ? { decidedBy: decision.decidedBy } : {}), ...(decision.comment ? { comment: decision.comment } : {}) };
      });
    },
  };

  /** The instance with its secrets opened; a missing instance or one whose connector cannot take approvals is not retryable. */
  async function delegatingInstance(id: string, action: 'delegateApproval' | 'approvalDecision') {
    const instance = await loadConnectorInstance(store, masterKey, id);
    if (!instance) throw new ConnectorError('invalid_settings', `connector instance ${id} does not exist`, { retryable: false });
    if (!instance.connector.actions[action]) throw new ConnectorError('invalid_settings', `connector ${instance.connector.id} (instance ${id}) cannot take delegated approvals`, { retryable: false });
    return instance;
  }
}

export type ConnectorActivities = ReturnType<typeof createConnectorActivities>;
