// The first moments of a contract on the real Temporal dev server: a plan that fails in the
// worker (after the server's check passed) ends the contract as failed, for all to see; and a
// decision sent the instant a contract starts is taken by the workflow at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILING_PLAN_REASON, failingPlanFlow, failingPlanStart } from '../support/failing-plan';
import { approvalFlow, startTestHub, type TestHub } from '../support/hub';
import { cancel, decide, type Actor } from '../../workflows';

describe('a contract as it starts', () => {
  let hub: TestHub;
  let manager: { id: string; token: string };

  beforeAll(async () => {
    hub = await startTestHub();
    await hub.publish(approvalFlow());
    manager = await hub.user('manager', ['dept-manager']);
  });
  afterAll(() => hub?.close());

  it('fails, with the reason on its timeline and in the ledger, when its plan fails in the worker though the server checked it', async () => {
    await hub.publish(failingPlanFlow());
    const started = await hub.call('POST', '/api/contracts', failingPlanStart('PO-R1', 5000));
    expect(started.status).toBe(201);
    expect(started.body.status).toBe('in_approval');
    expect(started.body.title).toBe('采购合同 PO-R1');

    const failed = await hub.waitFor(started.body.id, (c) => c.status === 'failed');
    const last = failed.timeline.at(-1);
    expect(last).toMatchObject({ type: 'failed', actor: 'system' });
    expect(last.message).toContain(FAILING_PLAN_REASON);
    expect(failed.currentStep).toBeNull();
    // It keeps the title and amount the server computed at start, not the flow's default title and 0.
    expect(failed).toMatchObject({ title: '采购合同 PO-R1', amount: 5000 });

    // The ledger lists it as failed, and no longer as waiting for an approval.
    const ledgerFailed = await hub.call('GET', '/api/contracts?status=failed');
    expect(ledgerFailed.body.items.find((c: any) => c.id === started.body.id)).toMatchObject({ title: '采购合同 PO-R1', amount: 5000 });
    const ledgerWaiting = await hub.call('GET', '/api/contracts?status=in_approval');
    expect(ledgerWaiting.body.items.map((c: any) => c.id)).not.toContain(started.body.id);
    const counts = (await hub.call('GET', '/api/contracts/counts?flow=rebate-purchase')).body;
    expect(counts.counts).toMatchObject({ failed: 1, in_approval: 0 });
    // Nobody can decide it.
    const late = await hub.call('POST', `/api/contracts/${started.body.id}/approvals`, { decision: 'approve' }, manager.token);
    expect(late.status).toBe(409);
  });

  it('takes a decision sent the instant the contract starts, first time, 100 times in a row', async () => {
    const actor: Actor = { id: manager.id, name: 'manager', roles: ['dept-manager'] };
    const outcomes: string[] = [];
    // Ten at a time: the decisions race the workflows' first tasks as they would on a busy hub.
    for (let batch = 0; batch < 10; batch++) {
      outcomes.push(
        ...(await Promise.all(
          Array.from({ length: 10 }, async (_, i) => {
            const started = await hub.call('POST', '/api/contracts', { flow: 'supplier-purchase', data: { poNumber: `PO-FAST-${batch}-${i}`, amount: 1000, supplier: { name: '深圳市华强电子有限公司' } } });
            if (started.status !== 201) return `start ${started.status}`;
            // Straight to the workflow, not through the server (whose retry would hide a refusal).
            try {
              const after = await hub.client.workflow.getHandle(started.body.id).executeUpdate(decide, { args: [{ actor, decision: 'approve', comment: null }] });
              return after.steps[0].status;
            } catch (error) {
              return `refused: ${(error as Error).message} ${((error as any).cause as Error | undefined)?.message ?? ''}`;
            }
          }),
        )),
      );
    }
    expect(outcomes.filter((o) => o !== 'approved')).toEqual([]);
    expect(outcomes).toHaveLength(100);
  }, 120_000);

  it('refuses a decision sent the instant the contract starts by someone who holds no slot, as it would later', async () => {
    const clerk = await hub.user('clerk', ['buyer']);
    const started = await hub.call('POST', '/api/contracts', { flow: 'supplier-purchase', data: { poNumber: 'PO-EARLY-WRONG', amount: 1000, supplier: { name: '深圳市华强电子有限公司' } } });
    const refused = await hub.call('POST', `/api/contracts/${started.body.id}/approvals`, { decision: 'approve' }, clerk.token);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect(refused.body.error.message).toContain('waits for role:dept-manager');
    // The step stays open for the right person.
    const pending = await hub.waitFor(started.body.id, (c) => c.steps[0].status === 'pending');
    expect(pending.steps[0].decisions).toEqual([]);
    expect((await hub.call('POST', `/api/contracts/${started.body.id}/approvals`, { decision: 'approve' }, manager.token)).status).toBe(200);
  });

  it('takes a cancel sent the instant the contract starts, first time, and the contract shows cancelled', async () => {
    const actor: Actor = { id: 'admin', name: 'admin', roles: ['admin'] };
    const ids = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const started = await hub.call('POST', '/api/contracts', { flow: 'supplier-purchase', data: { poNumber: `PO-CANCEL-${i}`, amount: 1000, supplier: { name: '深圳市华强电子有限公司' } } });
        expect(started.status).toBe(201);
        const after = await hub.client.workflow.getHandle(started.body.id).executeUpdate(cancel, { args: [{ actor, reason: '下错单了' }] });
        expect(after.status).toBe('cancelled');
        return started.body.id as string;
      }),
    );
    for (const id of ids) {
      const shown = await hub.waitFor(id, (c) => c.status === 'cancelled');
      expect(shown.timeline.at(-1)).toMatchObject({ type: 'cancelled', message: 'Cancelled by admin: 下错单了' });
      expect(shown.steps.every((s: any) => s.status === 'waiting' || s.status === 'cancelled')).toBe(true);
    }
  }, 120_000);
});
