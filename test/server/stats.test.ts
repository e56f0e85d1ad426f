// Statistics (用量统计) and needs attention (待关注) through a running hub, over contracts whose
// timelines are known to the hour: the figures a manager reads (started, completed, median
// and mean time to complete and per stage, by flow, unit and month), and the lists of what is
// late. A sibling unit's and another tenant's contracts never count and never appear.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContractState, SignerState, TimelineEvent } from '../../flows';
import type { OrgUnit } from '../../store';
import { contractState, step } from '../store/fixtures';
import { dialects } from '../support/databases';
import { approvalFlow, startTestHub, type TestHub } from '../support/hub';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
let hub: TestHub;
let units: Record<'group' | 'purchasing' | 'sales', OrgUnit>;
let otherTenant: string;
const tokens: Record<string, string> = {};

const iso = (ms: number) => new Date(ms).toISOString();

/** A contract's timeline from its start: [type, hours after the start]. */
function timeline(createdAt: string, events: Array<[TimelineEvent['type'], number]>): TimelineEvent[] {
  const start = Date.parse(createdAt);
  return [['started', 0] as [TimelineEvent['type'], number], ...events].map(([type, hours]) => ({ at: iso(start + hours * HOUR), type, actor: 'system', message: type }));
}

const signer = (overrides: Partial<SignerState>): SignerState => ({
  id: 'supplier', party: 'company', name: '深圳市华强电子有限公司', order: 1, documents: ['contract'], email: null, mobile: null, creditCode: null, idNumber: null, seal: null,
  verify: 'none', mustRead: false, prompt: null, status: 'invited', invitedAt: null, signedAt: null, declineReason: null, reminders: 0, lastNudgeAt: null, ...overrides,
});

function seeded(id: string, overrides: Partial<ContractState> & { unit?: OrgUnit | null; tenantId?: string }): ContractState {
  const { unit = units.purchasing, tenantId = 'default', ...rest } = overrides;
  const createdAt = rest.createdAt ?? '2025-06-01T00:00:00.000Z';
  return contractState({ id, createdAt, updatedAt: createdAt, owner: { tenantId, unit: unit && { id: unit.id, path: unit.path } }, ...rest });
}

async function get(path: string, token = hub.adminToken) {
  const { status, body } = await hub.call('GET', path, undefined, token);
  expect(status, JSON.stringify(body)).toBe(200);
  return body;
}

describe.each(dialects)('on %s', (dialect) => {
  beforeAll(async () => {
    hub = await startTestHub({ dialect });
    const group = await hub.store.orgUnits.create({ tenantId: 'default', name: '集团', parentId: null });
    const purchasing = await hub.store.orgUnits.create({ tenantId: 'default', name: '采购部', parentId: group.id });
    const sales = await hub.store.orgUnits.create({ tenantId: 'default', name: '销售部', parentId: group.id });
    units = { group, purchasing, sales };
    tokens.buyer = (await hub.store.users.create({ name: '采购员小李', roles: ['business-user'], orgUnit: purchasing.id })).token;
    otherTenant = (await hub.store.tenants.create('另一家公司')).id;
    tokens.otherAdmin = (await hub.store.users.create({ tenantId: otherTenant, name: '他人管理员', roles: ['tenant-admin'] })).token;

    // Statistics: four contracts in January and February 2026 with known stage times.
    const done = (createdAt: string, approvalHours: number, completeHours: number) => ({
      createdAt, status: 'completed' as const, currentStep: null, steps: [step({ status: 'approved' })],
      timeline: timeline(createdAt, [['approved', approvalHours], ['signing_started', approvalHours], ['completed', completeHours]]),
    });
    await hub.store.contracts.save(seeded('s-1', { flowKey: 'purchase', flowName: '采购合同', ...done('2026-01-10T00:00:00.000Z', 2, 10) }));
    await hub.store.contracts.save(seeded('s-2', { flowKey: 'purchase', flowName: '采购合同', ...done('2026-01-20T00:00:00.000Z', 4, 24) }));
    await hub.store.contracts.save(seeded('s-3', {
      flowKey: 'sales', flowName: '销售合同', unit: sales, createdAt: '2026-02-05T00:00:00.000Z', status: 'signing', currentStep: null, steps: [step({ status: 'approved' })],
      timeline: timeline('2026-02-05T00:00:00.000Z', [['approved', 1], ['signing_started', 1]]),
    }));
    await hub.store.contracts.save(seeded('s-4', { flowKey: 'purchase', flowName: '采购合同', createdAt: '2026-02-10T00:00:00.000Z' }));
    // Outside the range, or another tenant's: never counted.
    await hub.store.contracts.save(seeded('s-old', { flowKey: 'purchase', ...done('2025-12-01T00:00:00.000Z', 1, 2) }));
    await hub.store.contracts.save(seeded('s-other', { flowKey: 'purchase', tenantId: otherTenant, unit: null, ...done('2026-01-15T00:00:00.000Z', 1, 2) }));

    // Needs attention, relative to now.
    const now = Date.now();
    await hub.store.contracts.save(seeded('a-overdue', { title: '逾期审批', steps: [step({ status: 'pending', dueAt: iso(now - HOUR) })] }));
    await hub.store.contracts.save(seeded('a-due-later', { steps: [step({ status: 'pending', dueAt: iso(now + DAY) })] }));
    await hub.store.contracts.save(seeded('a-overdue-sales', { unit: sales, steps: [step({ status: 'pending', dueAt: iso(now - HOUR) })] }));
    await hub.store.contracts.save(seeded('a-overdue-other', { tenantId: otherTenant, unit: null, steps: [step({ status: 'pending', dueAt: iso(now - HOUR) })] }));
    const signing = { status: 'signing' as const, currentStep: null, steps: [step({ status: 'approved' })] };
    await hub.store.contracts.save(seeded('a-slow', { ...signing, signingDeadline: iso(now + DAY), signers: [signer({ invitedAt: iso(now - 3 * DAY) })] }));
    await hub.store.contracts.save(seeded('a-fresh', { ...signing, signingDeadline: iso(now + 7 * DAY), signers: [signer({ invitedAt: iso(now - HOUR) })] }));
    await hub.store.contracts.save(seeded('a-signed', { ...signing, signingDeadline: iso(now + DAY), signers: [signer({ status: 'signed', invitedAt: iso(now - 3 * DAY) })] }));
    await hub.publish({ ...approvalFlow(), key: 'expiring', archive: { retention: 'P10Y', expiry: { date: '=endDate', remindBefore: 'P30D' } } });
    const completed = (endDate: number) => ({ flowKey: 'expiring', flowVersion: 1, status: 'completed' as const, currentStep: null, steps: [step({ status: 'approved' })], data: { endDate: iso(endDate).slice(0, 10) } });
    await hub.store.contracts.save(seeded('a-expiring', completed(now + 10 * DAY)));
    await hub.store.contracts.save(seeded('a-expiring-later', completed(now + 60 * DAY)));
  }, 120_000);
  afterAll(() => hub?.close());

  describe('statistics', () => {
    it('counts started and completed contracts and the median and mean time per stage, by flow, unit and month', async () => {
      const stats = await get('/api/stats?from=2026-01-01&to=2026-02-28');
      expect(stats).toMatchObject({ from: '2026-01-01T00:00:00.000Z', to: '2026-02-28T23:59:59.999Z', started: 4, completed: 2, byStatus: { completed: 2, signing: 1, in_approval: 1 } });
      expect(stats.timeToComplete).toEqual({ count: 2, medianMs: 17 * HOUR, averageMs: 17 * HOUR });
      expect(stats.stages.approval).toEqual({ count: 3, medianMs: 2 * HOUR, averageMs: Math.round((7 * HOUR) / 3) });
      expect(stats.stages.signing).toEqual({ count: 2, medianMs: 14 * HOUR, averageMs: 14 * HOUR });
      expect(stats.byFlow.map((f: any) => [f.flowKey, f.name, f.started, f.completed])).toEqual([['purchase', '采购合同', 3, 2], ['sales', '销售合同', 1, 0]]);
      expect(stats.byUnit.map((u: any) => [u.name, u.started, u.completed, u.timeToComplete.medianMs]).sort()).toEqual([['采购部', 3, 2, 17 * HOUR], ['销售部', 1, 0, null]]);
      expect(stats.byMonth.map((m: any) => [m.month, m.started, m.completed, m.stages.approval.count])).toEqual([['2026-01', 2, 2, 2], ['2026-02', 2, 0, 1]]);
    });

    it('counts only the caller’s unit for a business user, and only their own tenant for another tenant’s admin', async () => {
      const mine = await get('/api/stats?from=2026-01-01&to=2026-02-28', tokens.buyer);
      expect(mine).toMatchObject({ started: 3, completed: 2 });
      expect(mine.byUnit.map((u: any) => u.name)).toEqual(['采购部']);
      const other = await get('/api/stats?from=2026-01-01&to=2026-02-28', tokens.otherAdmin);
      expect(other).toMatchObject({ started: 1, completed: 1 });
      expect(other.byFlow.map((f: any) => f.flowKey)).toEqual(['purchase']);
    });

    it('refuses a range that ends before it starts, and a malformed date, with 400 and the path', async () => {
      const backwards = await hub.call('GET', '/api/stats?from=2026-03-01&to=2026-02-01');
      expect(backwards.status).toBe(400);
      expect(backwards.body.error.details).toEqual([{ path: '/from', message: 'is after to' }]);
      const malformed = await hub.call('GET', '/api/stats?from=March');
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.details[0].path).toBe('/from');
    });
  });

  describe('needs attention', () => {
    it('lists the overdue approval, the signer past half their time and the contract inside its expiry reminder window, each with why', async () => {
      const attention = await get('/api/attention', tokens.buyer);
      expect(attention.approvalsOverdue.items.map((c: any) => c.id)).toEqual(['a-overdue']);
      expect(attention.approvalsOverdue.items[0]).toMatchObject({ title: '逾期审批', why: { stepName: 'Manager', waitingOn: ['role:dept-manager'], message: expect.stringContaining('was due') } });
      expect(attention.signersPastHalf.items.map((c: any) => [c.id, c.why.signer])).toEqual([['a-slow', 'supplier']]);
      expect(attention.expiringSoon.items.map((c: any) => c.id)).toEqual(['a-expiring']);
      expect(attention.expiringSoon.items[0].why.endsAt.slice(0, 10)).toBe(iso(Date.now() + 10 * DAY).slice(0, 10));
    });

    it('shows the tenant admin every unit’s overdue approvals, and another tenant only its own', async () => {
      const admin = await get('/api/attention');
      expect(admin.approvalsOverdue.items.map((c: any) => c.id).sort()).toEqual(['a-overdue', 'a-overdue-sales']);
      const other = await get('/api/attention', tokens.otherAdmin);
      expect(other.approvalsOverdue.items.map((c: any) => c.id)).toEqual(['a-overdue-other']);
      expect(other.signersPastHalf.total + other.expiringSoon.total).toBe(0);
    });
  });
});
