// The baselines' workflows, bundled on their own and run by bench workers on their own task
// queues, so they measure the Temporal server (and the SDK) alone.
import { proxyActivities } from '@temporalio/workflow';

/** Does nothing and completes: the baseline of contract starts. */
export async function emptyWorkflow(): Promise<void> {}

/** The bare workflow's one activity: does nothing (run by the throughput bench's baseline worker). */
export interface EmptyActivities {
  nothing(): Promise<void>;
}

const { nothing } = proxyActivities<EmptyActivities>({ startToCloseTimeout: '30 seconds' });

/** The throughput baseline: `calls` empty activities, one after another, as a contract makes its calls. */
export async function emptyActivitiesWorkflow(calls: number): Promise<void> {
  for (let i = 0; i < calls; i++) await nothing();
}
