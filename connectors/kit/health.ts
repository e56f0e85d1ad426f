// Health counters per connector instance. The shape and the arithmetic live here; the
// store persists them and the console shows them.
import type { ItemError, SyncResult } from './sync';

export interface ConnectorHealth {
  instance: string;
  lastSyncAt?: string;
  lastSuccessAt?: string;
  /** Totals since the instance was created. */
  recordsRead: number;
  contractsStarted: number;
  changesReported: number;
  skipped: number;
  errors: number;
  /** Syncs in a row that ended in a failure; 0 after a good one. Drives alerting. */
  consecutiveFailures: number;
  lastError?: { at: string; code: string; message: string; sourceKey?: string };
}

export function emptyHealth(instance: string): ConnectorHealth {
  return { instance, recordsRead: 0, contractsStarted: 0, changesReported: 0, skipped: 0, errors: 0, consecutiveFailures: 0 };
}

/** The health after one sync or webhook delivery. Pure. */
export function recordSync(health: ConnectorHealth, result: Pick<SyncResult, 'read' | 'started' | 'changed' | 'skipped' | 'errors'> & { failure?: ItemError }, at: Date): ConnectorHealth {
  const when = at.toISOString();
  const last = result.errors.at(-1);
  return {
    ...health,
    lastSyncAt: when,
    lastSuccessAt: result.failure ? health.lastSuccessAt : when,
    recordsRead: health.recordsRead + result.read,
    contractsStarted: health.contractsStarted + result.started,
    changesReported: health.changesReported + result.changed,
    skipped: health.skipped + result.skipped,
    errors: health.errors + result.errors.length,
    consecutiveFailures: result.failure ? health.consecutiveFailures + 1 : 0,
    lastError: last ? { at: when, code: last.code, message: last.message, sourceKey: last.sourceKey } : health.lastError,
  };
}
