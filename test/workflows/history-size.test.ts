// A contract's Temporal history must not grow with the square of its timeline. Each persist
// used to send the whole state (timeline included) through an activity, and Temporal keeps
// every activity input: 500 timeline events made ~40 MB of history, near the 50 MB limit
// where Temporal terminates the workflow. Persists now send what changed; this measures the
// history on the real (dev) server after 500 source changes plus reminders, and an approval.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceChanged } from '../../workflows/contract-flow.defs';
import { approvalFlow, startTestHub, type TestHub } from '../support/hub';

/** Temporal's limits (server defaults): history size and length, and one payload. */
const LIMITS = { historyBytes: 50 * 1024 * 1024, historyEvents: 51_200, payloadBytes: 2 * 1024 * 1024 };
const CHANGES = 500;

describe('history of a contract with a long timeline', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
    const flow = approvalFlow();
    // One step that reminds every second, ten times, besides the source changes.
    flow.approval.tiers = [{ steps: [{ approvers: ['role:dept-manager'], timeout: 'PT1S', onTimeout: 'remind', maxReminders: 10 }] }];
    delete flow.approval.timeout;
    delete flow.approval.onTimeout;
    await hub.publish(flow);
  });
  afterAll(() => hub?.close());

  it(`stays far below Temporal's limits after ${CHANGES} timeline events`, { timeout: 240_000 }, async () => {
    const started = await hub.call('POST', '/api/contracts', { flow: 'supplier-purchase', data: { poNumber: 'PO-LONG', amount: 5000, supplier: { name: '深圳市华强电子有限公司' } } });
    expect(started.status).toBe(201);
    const id: string = started.body.id;
    await hub.waitFor(id, (c) => c.steps[0].status === 'pending');
    const handle = hub.client.workflow.getHandle(id);
    // A changing source record, as a connector reports it: every change one line on the timeline.
    const summary = (n: number) => `供应商主数据变更 ${n}: 开户行由 中国工商银行深圳分行 改为 招商银行深圳分行，联系人电话更新，付款条件 Net 30 → Net 45`;
    for (let n = 0; n < CHANGES; n++) await handle.signal(sourceChanged, { eventKey: `sap:po-long:${n}`, summary: summary(n) });
    const manager = await hub.user('manager', ['dept-manager']);
    const full = await hub.waitFor(id, (c) => c.timeline.filter((e: any) => e.type === 'source_changed').length === CHANGES && c.steps[0].reminders === 10, 180_000);
    const decided = await hub.call('POST', `/api/contracts/${id}/approvals`, { decision: 'approve' }, manager.token);
    expect(decided.status).toBe(200);
    const done = await hub.waitFor(id, (c) => c.status === 'approved', 30_000);
    expect(done.timeline.length).toBeGreaterThan(CHANGES + 10);

    const { raw } = await handle.describe();
    const historyBytes = Number(raw.workflowExecutionInfo!.historySizeBytes);
    const historyEvents = Number(raw.workflowExecutionInfo!.historyLength);
    // The largest payload: the biggest event in the history, encoded as the server stores it.
    const history = await handle.fetchHistory();
    const { temporal } = await import('@temporalio/proto');
    const largestEvent = Math.max(...history.events!.map((event) => temporal.api.history.v1.HistoryEvent.encode(event).finish().byteLength));
    const stateBytes = Buffer.byteLength(JSON.stringify(done));
    // What sending the whole state at every persist would have cost: one state per revision, each with the timeline of its time.
    const wholeStates = done.timeline.reduce((sum: number, _e: unknown, k: number) => sum + stateBytes * ((k + 1) / done.timeline.length), 0);
    console.log(
      `[history] ${done.timeline.length} timeline events, state ${(stateBytes / 1024).toFixed(0)} KiB, revision ${done.revision}: history ${(historyBytes / 1024).toFixed(0)} KiB in ${historyEvents} events ` +
        `(limits ${LIMITS.historyBytes / 1024 / 1024} MiB, ${LIMITS.historyEvents}); largest event ${(largestEvent / 1024).toFixed(1)} KiB; whole-state persists would have sent ~${(wholeStates / 1024 / 1024).toFixed(1)} MiB`,
    );
    expect(historyEvents).toBeGreaterThan(CHANGES);
    expect(historyBytes).toBeLessThan(LIMITS.historyBytes / 20);
    expect(historyEvents).toBeLessThan(LIMITS.historyEvents / 5);
    expect(largestEvent).toBeLessThan(LIMITS.payloadBytes / 4);
    // Linear, not quadratic: the history is a small multiple of the final state, not hundreds of copies of it.
    expect(historyBytes).toBeLessThan(stateBytes * 10);
  });
});
