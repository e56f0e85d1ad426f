// The evidence-anchoring schedule (全链路存证) a hub sets up in Temporal when it starts: hourly,
// as a deployment's hub does, on its own task queue. Test hubs leave it out unless a test asks,
// since they all share one Temporal dev server where each schedule would go on ticking.
import { ScheduleNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { anchorScheduleId } from '../../workflows';
import { startTestHub, type TestHub } from '../support/hub';

/** A test hub as every test gets it; its client also reads the other hub's schedule once that hub is closed. */
let plain: TestHub;
beforeAll(async () => {
  plain = await startTestHub();
});
afterAll(() => plain?.close());

/** The anchoring schedule of the hub on this task queue: 'none', or its period and what it starts. */
const scheduleOn = (taskQueue: string) =>
  plain.client.schedule
    .getHandle(anchorScheduleId(taskQueue))
    .describe()
    .then(
      (schedule) => ({ every: schedule.spec.intervals?.map((interval) => Number(interval.every)), action: schedule.action }),
      (error: unknown) => {
        if (error instanceof ScheduleNotFoundError) return 'none' as const;
        throw error;
      },
    );

it('sets up the hourly anchoring schedule on the hub’s task queue when asked, and removes it when the test hub closes', async () => {
  const hub = await startTestHub({ anchorSchedule: true });
  try {
    expect(await scheduleOn(hub.taskQueue)).toMatchObject({ every: [3_600_000], action: { type: 'startWorkflow', workflowType: 'evidenceAnchoring', taskQueue: hub.taskQueue } });
  } finally {
    await hub.close();
  }
  await expect.poll(() => scheduleOn(hub.taskQueue)).toBe('none');
});

it('leaves the shared Temporal server without an anchoring schedule for a test hub that did not ask for one', async () => {
  expect(await scheduleOn(plain.taskQueue)).toBe('none');
});
