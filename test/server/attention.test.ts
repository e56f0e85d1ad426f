// 待关注 lists failed contracts, with the reason, so someone is told a contract failed: one that
// failed for real in the worker (its plan could not be made) and stored ones with known times,
// latest first. Scoped like the other lists: a business user sees their unit's, another tenant
// only its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContractState } from '../../flows';
import type { OrgUnit } from '../../store';
import { contractState } from '../store/fixtures';
import { dialects } from '../support/databases';
import { FAILING_PLAN_REASON, failingPlanFlow, failingPlanStart } from '../support/failing-plan';
import { startTestHub, type TestHub } from '../support/hub';

function failedAt(id: string, at: string, reason: string, owner: { tenantId: string; unit: OrgUnit | null }): ContractState {
  return contractState({
    id, title: `合同 ${id}`, status: 'failed', currentStep: null, steps: [], createdAt: at, updatedAt: at,
    owner: { tenantId: owner.tenantId, unit: owner.unit && { id: owner.unit.id, path: owner.unit.path } },
    timeline: [{ at, type: 'failed', actor: 'system', message: `The approval plan could not be made: ${reason}` }],
  });
}

describe.each(dialects)('failed contracts needing attention on %s', (dialect) => {
  let hub: TestHub;
  let buyer: string;
  let otherAdmin: string;

  beforeAll(async () => {
    hub = await startTestHub({ dialect });
    const group = await hub.store.orgUnits.create({ tenantId: 'default', name: '集团', parentId: null });
    const purchasing = await hub.store.orgUnits.create({ tenantId: 'default', name: '采购部', parentId: group.id });
    const sales = await hub.store.orgUnits.create({ tenantId: 'default', name: '销售部', parentId: group.id });
    buyer = (await hub.store.users.create({ name: '采购员小李', roles: ['business-user'], orgUnit: purchasing.id })).token;
    const tenant = (await hub.store.tenants.create('另一家公司')).id;
    otherAdmin = (await hub.store.users.create({ tenantId: tenant, name: '他人管理员', roles: ['tenant-admin'] })).token;
    await hub.store.contracts.save(failedAt('f-older', '2026-01-10T08:00:00.000Z', 'older reason', { tenantId: 'default', unit: purchasing }));
    await hub.store.contracts.save(failedAt('f-newer', '2026-02-10T08:00:00.000Z', 'newer reason', { tenantId: 'default', unit: purchasing }));
    await hub.store.contracts.save(failedAt('f-sales', '2026-02-11T08:00:00.000Z', 'sales reason', { tenantId: 'default', unit: sales }));
    await hub.store.contracts.save(failedAt('f-other', '2026-02-12T08:00:00.000Z', 'other reason', { tenantId: tenant, unit: null }));
    // A cancelled contract is not failed: it never shows here.
    await hub.store.contracts.save({ ...failedAt('f-cancelled', '2026-02-13T08:00:00.000Z', 'x', { tenantId: 'default', unit: purchasing }), status: 'cancelled' });
  }, 120_000);
  afterAll(() => hub?.close());

  it('lists a contract whose plan failed in the worker, with its title, amount and the reason', async () => {
    await hub.publish(failingPlanFlow());
    const started = await hub.call('POST', '/api/contracts', failingPlanStart('PO-ATT-1', 7200));
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    await hub.waitFor(started.body.id, (c) => c.status === 'failed');
    const { status, body } = await hub.call('GET', '/api/attention');
    expect(status).toBe(200);
    const item = body.failed.items.find((c: any) => c.id === started.body.id);
    expect(item).toMatchObject({ status: 'failed', title: '采购合同 PO-ATT-1', amount: 7200, why: { message: expect.stringContaining(FAILING_PLAN_REASON) } });
    expect(Date.parse(item.why.failedAt)).toBeGreaterThan(Date.now() - 120_000);
    // The latest failure comes first.
    expect(body.failed.items[0].id).toBe(started.body.id);
  });

  it('shows a business user only their unit’s failed contracts, latest first; the tenant admin every unit’s; another tenant only its own', async () => {
    const mine = (await hub.call('GET', '/api/attention', undefined, buyer)).body;
    expect(mine.failed.items.map((c: any) => [c.id, c.why.message])).toEqual([
      ['f-newer', 'The approval plan could not be made: newer reason'],
      ['f-older', 'The approval plan could not be made: older reason'],
    ]);
    expect(mine.failed).toMatchObject({ total: 2, truncated: false });
    const admin = (await hub.call('GET', '/api/attention')).body;
    expect(admin.failed.items.map((c: any) => c.id)).toEqual(expect.arrayContaining(['f-sales', 'f-newer', 'f-older']));
    expect(admin.failed.items.map((c: any) => c.id)).not.toContain('f-other');
    expect(admin.failed.items.map((c: any) => c.id)).not.toContain('f-cancelled');
    const other = (await hub.call('GET', '/api/attention', undefined, otherAdmin)).body;
    expect(other.failed.items.map((c: any) => c.id)).toEqual(['f-other']);
  });
});
