// The names through which the server talks to a connector instance's sync loop. The
// server imports these values; it never imports workflow code.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

export const CONNECTOR_SYNC_WORKFLOW = 'connectorSync';

/** One sync loop per connector instance: a second start of the same instance finds the first. */
export function connectorSyncWorkflowId(instanceId: string): string {
  return `connector-sync:${instanceId}`;
}

export interface ConnectorSyncInput {
  instanceId: string;
}

/** What one sync did; the manual sync endpoint answers with it. */
export interface ConnectorSyncSummary {
  instance: string;
  /** False when the instance no longer polls (deleted, disabled, switched to webhooks): the loop ends. */
  active: boolean;
  read: number;
  started: number;
  changed: number;
  skipped: number;
  errors: Array<{ sourceKey?: string; code: string; message: string }>;
  /** More records wait (the sync stopped at its item limit); the loop goes on at once. */
  hasMore: boolean;
  /** The failure that ended this sync early, after Temporal's retries. */
  failure?: { code: string; message: string };
  /** Minutes until the next scheduled sync. */
  everyMinutes: number;
  at: string;
}

/** Wakes the loop: sync now instead of at the next interval (e.g. after its settings changed). */
export const syncNow = defineSignal('syncNow');
/** Runs a sync (after the one in flight, if any) and answers with what it did. */
export const requestSync = defineUpdate<ConnectorSyncSummary>('requestSync');
/** The last sync's summary, if any. */
export const lastSync = defineQuery<ConnectorSyncSummary | null>('lastSync');
