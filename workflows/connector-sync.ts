// connectorSync: the sync loop of one polling connector instance (workflow id
// `connector-sync:<instanceId>`). It runs the syncConnector activity, sleeps the instance's
// interval (or until woken), and starts afresh as a new run every SYNCS_PER_RUN syncs so
// its history stays small. The cursor lives in the store and in the activity's heartbeats,
// never here, so nothing is lost when the loop continues as new or a worker dies.
// Deterministic workflow code: it imports only activity types and its definitions.
import { ActivityFailure, allHandlersFinished, ApplicationFailure, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ConnectorActivities } from './activities/connectors';
import { lastSync, requestSync, syncNow, type ConnectorSyncInput, type ConnectorSyncSummary } from './connector-sync.defs';

const { syncConnector } = proxyActivities<ConnectorActivities>({
  startToCloseTimeout: '30 minutes',
  // The activity heartbeats every few seconds; a worker that died is noticed within a minute and the retry resumes from the last cursor.
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 5 },
});

/** Syncs per workflow run before it continues as new. */
export const SYNCS_PER_RUN = 100;
/** Interval after a failure that came before the instance's own interval was known. */
const FALLBACK_MINUTES = 15;

async function syncOnceCaught(instanceId: string): Promise<ConnectorSyncSummary> {
  try {
    return await syncConnector({ instanceId });
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    // Retries are spent (or the failure is final): health already has it; the loop goes on at its interval.
    const cause = error.cause instanceof ApplicationFailure ? error.cause : undefined;
    const partial = cause?.details?.[0] as ConnectorSyncSummary | undefined;
    return {
      instance: instanceId, read: 0, started: 0, changed: 0, skipped: 0, errors: [], hasMore: false, at: new Date().toISOString(),
      ...partial,
      active: true,
      everyMinutes: partial?.everyMinutes || FALLBACK_MINUTES,
      failure: { code: cause?.type ?? 'sync_failed', message: cause?.message ?? error.cause?.message ?? error.message },
    };
  }
}

export async function connectorSync(input: ConnectorSyncInput): Promise<void> {
  let wake = false;
  /** Manual sync requests received, and those answered by a sync that started after them. */
  let issued = 0;
  let served = 0;
  let last: ConnectorSyncSummary | null = null;

  setHandler(syncNow, () => {
    wake = true;
  });
  setHandler(lastSync, () => last);
  setHandler(requestSync, async () => {
    const ticket = ++issued;
    wake = true;
    await condition(() => served >= ticket);
    return last!;
  });

  for (let runs = 1; ; runs++) {
    const covering = issued;
    wake = false;
    last = await syncOnceCaught(input.instanceId);
    served = covering;
    if (!last.active) break;
    if (!last.hasMore && issued === served) await condition(() => wake, last.everyMinutes * 60_000);
    // Checked in the same activation as the continue, so no request is left waiting on this run.
    if ((runs >= SYNCS_PER_RUN || workflowInfo().continueAsNewSuggested) && issued === served) await continueAsNew<typeof connectorSync>(input);
  }
  // The instance no longer polls: whoever asked gets the last summary, and the loop ends.
  served = issued;
  await condition(allHandlersFinished);
}
