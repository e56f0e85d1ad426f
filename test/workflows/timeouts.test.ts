// Approval timeouts on real Temporal timers (seconds here, days in production).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowDefinition } from '../../flows';
import { approvalFlow, startTestHub, type TestHub } from '../support/hub';

let hub: TestHub;
let manager: { id: string; token: string };
let gm: { id: string; token: string };

function flowWith(key: string, approval: Partial<FlowDefinition['approval']>): FlowDefinition {
  const base = approvalFlow();
  return { ...base, key, approval: { amount: '=amount', tiers: [{ steps: [{ name: '部门经理审批', approvers: ['role:dept-manager'] }] }], ...approval } };
}

const start = async (flow: string) => {
  const { status, body } = await hub.call('POST', '/api/contracts', { flow, data: { poNumber: `T-${flow}`, amount: 1000, supplier: { name: 's' } } });
  expect(status).toBe(201);
  return body.id as string;
};

beforeAll(async () => {
  hub = await startTestHub();
  manager = await hub.user('李经理', ['dept-manager']);
  gm = await hub.user('张总', ['general-manager']);
  await hub.publish(flowWith('escalating', { timeout: 'PT1S', onTimeout: 'escalate', escalateTo: ['role:general-manager'] }));
  await hub.publish(flowWith('reminding', { timeout: 'PT1S', onTimeout: 'remind', maxReminders: 2 }));
  await hub.publish(flowWith('expiring', { timeout: 'PT1S', onTimeout: 'reject' }));
});
afterAll(() => hub?.close());

describe('an approval step that times out', () => {
  it('escalates: the general manager is asked and can decide the step alone', async () => {
    const id = await start('escalating');
    const escalated = await hub.waitFor(id, (c) => c.steps[0].escalatedTo.length > 0, 15_000);
    expect(escalated.steps[0].escalatedTo).toEqual(['role:general-manager']);
    expect(escalated.timeline.map((e: any) => e.type)).toContain('escalated');
    // the notification activity runs right after the escalation is recorded
    await expect.poll(async () => (await hub.call('GET', `/api/outbox?to=${gm.id}`)).body.items.map((m: any) => m.subject)).toContain('审批升级: 采购合同 T-escalating');

    const decided = await hub.call('POST', `/api/contracts/${id}/approvals`, { decision: 'approve', comment: '代为审批' }, gm.token);
    expect(decided.status).toBe(200);
    const done = await hub.waitFor(id, (c) => c.status === 'approved');
    expect(done.steps[0].decisions).toMatchObject([{ approver: 'role:general-manager', userId: gm.id }]);
  });

  it('reminds the pending approvers on schedule, at most maxReminders times, then waits', async () => {
    const id = await start('reminding');
    const reminded = await hub.waitFor(id, (c) => c.steps[0].reminders === 2, 15_000);
    expect(reminded.steps[0].dueAt).toBeNull();
    await new Promise((r) => setTimeout(r, 2500));
    const later = (await hub.call('GET', `/api/contracts/${id}`)).body;
    expect(later.steps[0].reminders).toBe(2);
    expect(later.status).toBe('in_approval');
    const messages = (await hub.call('GET', `/api/outbox?contractId=${id}&to=${manager.id}`)).body.items.map((m: any) => m.subject);
    expect(messages.sort()).toEqual(['审批提醒: 采购合同 T-reminding', '审批提醒: 采购合同 T-reminding', '待审批: 采购合同 T-reminding']);
    // still decidable after the reminders ran out
    expect((await hub.call('POST', `/api/contracts/${id}/approvals`, { decision: 'approve' }, manager.token)).status).toBe(200);
  });

  it('rejects the contract when the flow says so', async () => {
    const id = await start('expiring');
    const done = await hub.waitFor(id, (c) => c.status === 'rejected', 15_000);
    expect(done.steps[0].status).toBe('rejected');
    expect(done.timeline.at(-1)).toMatchObject({ type: 'timed_out', actor: 'system' });
    expect(done.timeline.at(-1).message).toContain('PT1S');
  });
});
