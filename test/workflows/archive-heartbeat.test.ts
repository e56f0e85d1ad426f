// A worker that dies while archiving must not hold a contract's completion for the archive
// step's whole five-minute start-to-close timeout: the step heartbeats, and Temporal retries
// it on another worker once the heartbeat timeout (30 s) passes. What a user would notice is
// how long a completed signing waits for its archive after a crash; this test reads the bound
// from the workflow's real history, as Temporal will apply it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decide, sign } from '../../workflows/contract-flow.defs';
import { companySignersFlow } from '../support/company-signers-flow';
import { exampleFlow, exampleOrder, startTestHub, type TestHub } from '../support/hub';

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub?.close());

it('archives with a heartbeat timeout far below the five-minute step timeout, so a retry after a crash starts within 30 s', { timeout: 120_000 }, async () => {
  await hub.publish(companySignersFlow(exampleFlow(), 'archive-heartbeat'));
  const order = exampleOrder();
  const started = await hub.call('POST', '/api/contracts', { flow: 'archive-heartbeat', data: { ...order.data, supplier: { ...order.data.supplier, email: undefined, mobile: undefined } } });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const id: string = started.body.id;
  const handle = hub.client.workflow.getHandle(id);
  await hub.waitFor(id, (c) => c.steps[0]?.status === 'pending');
  await handle.executeUpdate(decide, { args: [{ actor: { id: 'heartbeat-manager', name: '王经理', roles: ['dept-manager'] }, decision: 'approve', comment: null }] });
  for (const signerId of ['buyer', 'supplier']) {
    await hub.waitFor(id, (c) => c.signers.find((s: any) => s.id === signerId)?.status === 'invited');
    await handle.executeUpdate(sign, { args: [{ signerId, evidence: { ip: null, userAgent: 'test', intent: 'test: sign update' } }] });
  }
  const done = await hub.waitFor(id, (c) => c.status === 'completed', 60_000);
  expect(done.evidenceSha256).toMatch(/^[0-9a-f]{64}$/);

  const history = await handle.fetchHistory();
  const scheduled = history.events!.map((e) => e.activityTaskScheduledEventAttributes).filter((a) => a?.activityType?.name === 'archiveContract');
  expect(scheduled).toHaveLength(1);
  const seconds = (d: { seconds?: unknown } | null | undefined) => Number(d?.seconds ?? 0);
  expect(seconds(scheduled[0]!.heartbeatTimeout)).toBe(30);
  expect(seconds(scheduled[0]!.startToCloseTimeout)).toBe(300);
});
