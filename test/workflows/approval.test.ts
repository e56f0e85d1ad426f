// Approval routing end to end: HTTP in, a real Temporal server carrying each contract,
// the projection read back over HTTP — on SQLite and on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases';
import { approvalFlow, startTestHub, type TestHub } from '../support/hub';

describe.each(dialects)('on %s', (dialect) => {
  let hub: TestHub;
  const people: Record<string, { id: string; token: string }> = {};

  // Both dialects' hubs share one Temporal namespace, where a source key names one workflow: keep them apart.
  const start = (amount: number, sourceKey?: string) =>
    hub.call('POST', '/api/contracts', { flow: 'supplier-purchase', sourceKey: sourceKey && `${dialect}-${sourceKey}`, data: { poNumber: sourceKey ?? `PO-${amount}`, amount, supplier: { name: '深圳市华强电子有限公司' } } });
  const decide = (id: string, who: string, decision: 'approve' | 'reject', comment?: string) =>
    hub.call('POST', `/api/contracts/${id}/approvals`, { decision, comment }, people[who].token);

  beforeAll(async () => {
    hub = await startTestHub({ dialect });
    await hub.publish(approvalFlow());
    for (const [name, roles] of Object.entries({ manager: ['dept-manager'], finance: ['finance-director'], gm: ['general-manager'], legal: ['legal'], clerk: ['buyer', 'business-user'] })) {
      people[name] = await hub.user(name, roles);
    }
  });
  afterAll(() => hub?.close());

  describe('amount tiers', () => {
    it('puts exactly 100000 in the first tier: one step, the department manager', async () => {
      const { status, body } = await start(100000);
      expect(status).toBe(201);
      expect(body.tier).toEqual({ index: 0, upTo: 100000 });
      expect(body.steps.map((s: any) => s.approvers)).toEqual([['role:dept-manager']]);
      const contract = await hub.waitFor(body.id, (c) => c.steps[0].status === 'pending');
      expect(contract.currentStep).toBe(0);
    });

    it('sends 100000.01 through the manager and then finance, in order', async () => {
      const { body } = await start(100000.01);
      expect(body.tier.index).toBe(1);
      await hub.waitFor(body.id, (c) => c.steps[0].status === 'pending');
      // finance cannot jump the queue
      const early = await decide(body.id, 'finance', 'approve');
      expect(early.status).toBe(403);
      expect(early.body.error.code).toBe('forbidden');

      const first = await decide(body.id, 'manager', 'approve', '价格合理');
      expect(first.status).toBe(200);
      expect(first.body.steps[0]).toMatchObject({ status: 'approved', decisions: [{ userId: people.manager.id, decision: 'approve', comment: '价格合理', approver: 'role:dept-manager' }] });
      // the evidence trail knows where the decision came from
      expect(first.body.timeline.find((e: any) => e.type === 'decided')).toMatchObject({ ip: expect.stringContaining('127.0.0.1'), userAgent: expect.any(String), intent: expect.stringContaining(people.manager.id) });
      await hub.waitFor(body.id, (c) => c.steps[1].status === 'pending');
      const second = await decide(body.id, 'finance', 'approve');
      expect(second.status).toBe(200);
      const done = await hub.waitFor(body.id, (c) => c.status === 'approved');
      expect(done.steps.map((s: any) => s.status)).toEqual(['approved', 'approved']);
      expect(done.timeline.map((e: any) => e.type)).toEqual(['started', 'step_started', 'decided', 'step_approved', 'step_started', 'decided', 'step_approved', 'approved']);
      expect(Date.parse(done.steps[0].decisions[0].at)).toBeLessThanOrEqual(Date.parse(done.steps[1].decisions[0].at));
    });

    it('waits for every approver of an "all" step and for only one of an "any" step', async () => {
      const { body } = await start(2_000_000);
      expect(body.tier).toEqual({ index: 2, upTo: null });
      await hub.waitFor(body.id, (c) => c.steps[0].status === 'pending');
      await decide(body.id, 'manager', 'approve');
      await hub.waitFor(body.id, (c) => c.steps[1].status === 'pending');
      await decide(body.id, 'finance', 'approve');
      await hub.waitFor(body.id, (c) => c.steps[2].status === 'pending');

      const gm = await decide(body.id, 'gm', 'approve');
      expect(gm.body.status).toBe('in_approval');
      expect(gm.body.steps[2].status).toBe('pending');
      const list = await hub.call('GET', `/api/contracts?q=${body.id}`);
      expect(list.body.items[0].waitingOn).toEqual(['role:legal']);

      const again = await decide(body.id, 'gm', 'approve');
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('already_decided');

      await decide(body.id, 'legal', 'approve');
      const done = await hub.waitFor(body.id, (c) => c.status === 'approved');
      expect(done.steps[2].decisions.map((d: any) => d.approver)).toEqual(['role:general-manager', 'role:legal']);
    });
  });

  describe('decisions', () => {
    it('ends the contract as rejected and keeps the comment', async () => {
      const { body } = await start(500_000);
      await hub.waitFor(body.id, (c) => c.steps[0].status === 'pending');
      await decide(body.id, 'manager', 'approve');
      await hub.waitFor(body.id, (c) => c.steps[1].status === 'pending');
      const rejected = await decide(body.id, 'finance', 'reject', '供应商资质不全');
      expect(rejected.status).toBe(200);
      const done = await hub.waitFor(body.id, (c) => c.status === 'rejected');
      expect(done.steps[1]).toMatchObject({ status: 'rejected', decisions: [{ decision: 'reject', comment: '供应商资质不全' }] });
      expect(done.timeline.at(-1)).toMatchObject({ type: 'rejected', actor: people.finance.id });
      expect(done.timeline.at(-1).message).toContain('供应商资质不全');

      const late = await decide(body.id, 'finance', 'approve');
      expect(late.status).toBe(409);
      const list = await hub.call('GET', '/api/contracts?status=rejected');
      expect(list.body.items.map((c: any) => c.id)).toContain(body.id);
    });

    it('refuses a caller without a token (401) and a user without the role (403)', async () => {
      const { body } = await start(1000);
      await hub.waitFor(body.id, (c) => c.steps[0].status === 'pending');
      const anonymous = await hub.call('POST', `/api/contracts/${body.id}/approvals`, { decision: 'approve' }, null);
      expect(anonymous.status).toBe(401);
      const clerk = await decide(body.id, 'clerk', 'approve');
      expect(clerk.status).toBe(403);
      expect(clerk.body.error.message).toContain('role:dept-manager');
      const bad = await hub.call('POST', `/api/contracts/${body.id}/approvals`, { decision: 'maybe' }, people.manager.token);
      expect(bad.status).toBe(400);
      expect(bad.body.error.details).toEqual([{ path: '/decision', message: 'must be one of: approve, reject' }]);
      const contract = await hub.waitFor(body.id, (c) => c.steps[0].status === 'pending');
      expect(contract.steps[0].decisions).toEqual([]);
    });

    it('lets the initiator cancel, and nobody decide afterwards', async () => {
      const { body } = await hub.call('POST', '/api/contracts', { flow: 'supplier-purchase', data: { poNumber: 'C-1', amount: 10, supplier: { name: 's' } } }, people.clerk.token);
      await hub.waitFor(body.id, (c) => c.steps[0].status === 'pending');
      const stranger = await hub.call('POST', `/api/contracts/${body.id}/cancel`, { reason: 'no' }, people.legal.token);
      expect(stranger.status).toBe(403);
      const cancelled = await hub.call('POST', `/api/contracts/${body.id}/cancel`, { reason: '供应商已更换' }, people.clerk.token);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toMatchObject({ status: 'cancelled', currentStep: null });
      expect((await decide(body.id, 'manager', 'approve')).status).toBe(409);
    });
  });

  describe('starting the same source record twice', () => {
    it('gives the same contract (201, then 200), never two', async () => {
      const first = await start(3000, '4500012345');
      const second = await start(3000, '4500012345');
      expect([first.status, second.status]).toEqual([201, 200]);
      expect(second.body.id).toBe(first.body.id);
    });

    it('starts one contract when five requests race', async () => {
      const results = await Promise.all(Array.from({ length: 5 }, () => start(4000, '4500099999')));
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      const list = await hub.call('GET', '/api/contracts?q=4500099999');
      expect(list.body.total).toBe(1);
    });

    it('still gives the same contract after it has finished', async () => {
      const first = await start(5000, '4500077777');
      await hub.waitFor(first.body.id, (c) => c.steps[0].status === 'pending');
      await decide(first.body.id, 'manager', 'reject', 'no');
      await hub.waitFor(first.body.id, (c) => c.status === 'rejected');
      const again = await start(5000, '4500077777');
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ id: first.body.id, status: 'rejected' });
    });
  });

  describe('flow versions', () => {
    it('keeps a running contract on the version it started with', async () => {
      const flow = { ...approvalFlow(), key: 'versioned' };
      await hub.publish(flow);
      const old = await hub.call('POST', '/api/contracts', { flow: 'versioned', data: { poNumber: 'V1', amount: 50, supplier: { name: 's' } } });
      await hub.waitFor(old.body.id, (c) => c.steps[0].status === 'pending');

      // v2: legal must approve everything
      const v2 = { ...flow, approval: { ...flow.approval, tiers: [{ steps: [{ approvers: ['role:legal'] }] }] } };
      await hub.publish(v2);
      const fresh = await hub.call('POST', '/api/contracts', { flow: 'versioned', data: { poNumber: 'V2', amount: 50, supplier: { name: 's' } } });
      expect(fresh.body).toMatchObject({ flowVersion: 2, steps: [{ approvers: ['role:legal'] }] });

      expect((await decide(old.body.id, 'legal', 'approve')).status).toBe(403);
      expect((await decide(old.body.id, 'manager', 'approve')).status).toBe(200);
      const done = await hub.waitFor(old.body.id, (c) => c.status === 'approved');
      expect(done.flowVersion).toBe(1);
    });
  });
});
