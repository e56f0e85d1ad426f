// The last stage of a contract a connector started: tell the source how it ended.
// Workflow code (called from contractFlow): it imports only flows/ types and activity types.
import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { ContractStatus, TimelineEvent } from '../flows';
import type { ConnectorActivities } from './activities/connectors';
import type { ContractInput } from './contract-flow.defs';

const { writeBackToSource } = proxyActivities<ConnectorActivities>({
  startToCloseTimeout: '2 minutes',
  // About half an hour of attempts; a source refusing the request (not retryable) ends them at once.
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 10 },
});

type SourceOutcome = Parameters<ConnectorActivities['writeBackToSource']>[0]['outcome'];

/** What the source hears for a contract's status; null when there is nothing to tell it (yet). */
export function sourceOutcome(status: ContractStatus): SourceOutcome | null {
  if (status === 'rejected' || status === 'cancelled' || status === 'declined') return 'declined';
  if (status === 'completed') return 'completed';
  if (status === 'expired') return 'expired';
  // 'approved' without signers is not an end the source needs, and 'failed' is the hub's own trouble.
  return null;
}

/** Writes the outcome back (retried by Temporal); a write-back that keeps failing is put on the timeline. */
export async function writeBackToSourceStage({ input, status, record, persist }: {
  input: ContractInput;
  status: ContractStatus;
  record: (event: Omit<TimelineEvent, 'at'>) => void;
  persist: () => Promise<unknown>;
}): Promise<void> {
  const outcome = sourceOutcome(status);
  if (!input.source || input.sourceKey === null || !outcome) return;
  const instance = input.source.connectorInstance;
  try {
    const result = await writeBackToSource({ connectorInstance: instance, sourceKey: input.sourceKey, contractId: input.contractId, outcome });
    record({ type: 'written_back', actor: `connector:${instance}`, message: `${instance} was told that the contract was ${outcome}${result.written ? '' : ' (it already knew)'}` });
  } catch (error) {
    const reason = error instanceof ActivityFailure ? (error.cause?.message ?? error.message) : (error as Error).message;
    record({ type: 'write_back_failed', actor: 'system', message: `Could not tell ${instance} that the contract was ${outcome}: ${reason}` });
  }
  await persist();
}
