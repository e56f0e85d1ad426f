// Contracts that were running when new workflow code is deployed replay their histories on it:
// any change to the commands a workflow sends must sit behind patched(). These histories were
// recorded on the dev server with the code before the patches plan-failure-persists and
// slim-activity-payloads (commit a3d7d82): a plan that failed in the worker; a contract signed,
// archived, its parties told, asleep until its expiry reminder; one a signer declined.
import { readdirSync, readFileSync } from 'node:fs';
import { temporal } from '@temporalio/proto';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleContractWorkflows } from '../../workflows';

const dir = new URL('./histories/', import.meta.url);
const histories = readdirSync(dir).filter((name) => name.endsWith('.binpb'));

describe('contract histories recorded on earlier code', () => {
  let workflowBundle: WorkflowBundle;
  beforeAll(async () => {
    workflowBundle = await bundleContractWorkflows();
  });

  it('are all here', () => expect(histories.sort()).toEqual(['completed-awaiting-expiry-reminder.binpb', 'declined.binpb', 'plan-failed.binpb']));

  it.each(histories)('%s replays on the current code without a nondeterminism error', async (name) => {
    const history = temporal.api.history.v1.History.decode(readFileSync(new URL(name, dir)));
    expect(history.events.length).toBeGreaterThan(5);
    await Worker.runReplayHistory({ workflowBundle }, history, name);
  });
});
