// The Temporal Schedule that runs evidenceAnchoring every period. Chosen over a timer in the
// worker: the schedule lives in Temporal, so it survives restarts of every process, and a
// tick starts one workflow however many workers there are (overlap: skip). Each hub on a
// shared namespace has its own, named after its task queue. Creating it is idempotent: a
// worker that starts finds it and only brings its period up to date.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';

export const anchorScheduleId = (taskQueue: string) => `sealflow-evidence-anchoring:${taskQueue}`;

/** Creates (or updates) the schedule; `every` is an ISO 8601 duration in whole minutes or more, e.g. PT1H. */
export async function ensureAnchorSchedule(client: Client, { taskQueue, everyMs }: { taskQueue: string; everyMs: number }): Promise<void> {
  const scheduleId = anchorScheduleId(taskQueue);
  const spec = { intervals: [{ every: everyMs }] };
  try {
    await client.schedule.create({
      scheduleId,
      spec,
      action: { type: 'startWorkflow', workflowType: 'evidenceAnchoring', taskQueue, args: [] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: everyMs },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    const handle = client.schedule.getHandle(scheduleId);
    const current = await handle.describe();
    const interval = current.spec.intervals?.[0]?.every;
    if (interval !== undefined && Number(interval) === everyMs) return;
    await handle.update((previous) => ({ ...previous, spec }));
  }
}
