// Telling the source how its contract ended. One call per contract outcome, safe to
// retry: the idempotency key is derived from contract and outcome, so a Temporal
// activity retrying with backoff never writes twice to a source that honours it.
import type { AnyConnector, ContractOutcome, WriteBackResult } from './define';
import { ConnectorError, isRetryable, messageOf } from './errors';

export function writeBackIdempotencyKey(contractId: string, outcome: ContractOutcome): string {
  return `sealflow:${contractId}:${outcome}`;
}

const OUTCOME_TEXT: Record<ContractOutcome, string> = {
  completed: 'signed by all parties',
  declined: 'declined',
  expired: 'expired unsigned',
};

/**
 * Writes the contract's outcome back to the source system. Throws ConnectorError:
 * `retryable` true for timeouts, throttling and server trouble; false when the source
 * refused the request (retrying would not help).
 */
export async function writeBack(options: {
  connector: AnyConnector;
  instance: { id: string; settings: Record<string, unknown> };
  sourceKey: string;
  contractId: string;
  outcome: ContractOutcome;
  at?: Date;
  message?: string;
  signal?: AbortSignal;
}): Promise<WriteBackResult> {
  const action = options.connector.actions.writeBack;
  if (!action) throw new ConnectorError('invalid_settings', `connector ${options.connector.id} has no write-back`, { retryable: false });
  const idempotencyKey = writeBackIdempotencyKey(options.contractId, options.outcome);
  try {
    return await action(
      { settings: options.instance.settings, signal: options.signal },
      {
        sourceKey: options.sourceKey,
        contractId: options.contractId,
        outcome: options.outcome,
        idempotencyKey,
        at: (options.at ?? new Date()).toISOString(),
        message: options.message ?? `Sealflow contract ${options.contractId}: ${OUTCOME_TEXT[options.outcome]}`,
      },
    );
  } catch (error) {
    if (error instanceof ConnectorError) throw error;
    throw new ConnectorError('source_failed', `write-back of ${options.sourceKey} to ${options.instance.id} failed: ${messageOf(error)}`, {
      retryable: isRetryable(error),
      cause: error,
    });
  }
}
