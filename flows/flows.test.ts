import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chooseTier, durationToMs, planApproval, planSigners, simulateFlow, validateContractData, validateFlow, type FlowDefinition } from './index';

const example = (): FlowDefinition => JSON.parse(readFileSync(new URL('../examples/supplier-purchase.flow.json', import.meta.url), 'utf8'));
const order = (): Record<string, any> => JSON.parse(readFileSync(new URL('../examples/purchase-order-4500000001.json', import.meta.url), 'utf8')).data;
/** The example's routing on a plain amount field. */
const byAmount = (): FlowDefinition => ({ ...example(), approval: { ...example().approval, amount: '=amount' } });

describe('validateFlow', () => {
  it('accepts the supplier purchase example', () => {
    const result = validateFlow(example());
    expect(result).toEqual({ ok: true, value: example() });
  });

  it('names the JSON path of every schema problem', () => {
    const flow = example() as unknown as { approval: { tiers: { upTo: unknown; steps: unknown }[] }; name?: unknown; colour?: string };
    flow.approval.tiers[1].upTo = '1000000';
    delete flow.name;
    flow.colour = 'red';
    const result = validateFlow(flow);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual(
      expect.arrayContaining([
        { path: '/approval/tiers/1/upTo', message: 'must be number' },
        { path: '/name', message: 'is required' },
        { path: '/colour', message: 'is not allowed here' },
      ]),
    );
  });

  it('refuses a rule that is neither any nor all, listing the allowed values', () => {
    const flow = example();
    (flow.approval.tiers[0].steps[0] as { rule: string }).rule = 'most';
    const result = validateFlow(flow);
    expect(result).toEqual({ ok: false, issues: [{ path: '/approval/tiers/0/steps/0/rule', message: 'must be one of: any, all' }] });
  });

  it('rejects a tier whose upTo is not above the previous one', () => {
    const flow = example();
    flow.approval.tiers[1].upTo = 100000;
    const result = validateFlow(flow);
    expect(result).toEqual({ ok: false, issues: [{ path: '/approval/tiers/1/upTo', message: "must be greater than the previous tier's upTo (100000)" }] });
  });

  it('requires upTo on every tier but the last', () => {
    const flow = example();
    delete flow.approval.tiers[0].upTo;
    const result = validateFlow(flow);
    expect(result.ok || result.issues).toContainEqual({ path: '/approval/tiers/0/upTo', message: 'is required on every tier but the last' });
  });

  it('requires escalateTo when a timeout escalates', () => {
    const flow = example();
    delete flow.approval.escalateTo;
    const result = validateFlow(flow);
    expect(result.ok || result.issues).toContainEqual({ path: '/approval/escalateTo', message: 'is required when onTimeout is "escalate"' });
  });

  it('refuses malformed expressions, durations and approvers', () => {
    const flow = example();
    flow.approval.amount = '=amount +';
    flow.approval.timeout = '2 days';
    flow.approval.tiers[0].steps[0].approvers = ['dept-manager'];
    const result = validateFlow(flow);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const paths = result.issues.map((i) => i.path);
    expect(paths).toContain('/approval/timeout');
    expect(paths).toContain('/approval/tiers/0/steps/0/approvers/0');
    // schema errors stop before the semantic pass, so fix them and look again
    flow.approval.timeout = 'P2D';
    flow.approval.tiers[0].steps[0].approvers = ['role:dept-manager'];
    const again = validateFlow(flow);
    expect(again.ok || again.issues[0].path).toBe('/approval/amount');
  });

  it('refuses a signer document that the flow does not define', () => {
    const flow = example();
    flow.signers![0].documents.push('annex');
    const result = validateFlow(flow);
    expect(result).toEqual({ ok: false, issues: [{ path: '/signers/0/documents/2', message: 'names document "annex", which the flow does not define' }] });
  });
});

describe('tier routing', () => {
  const tiers = example().approval.tiers;

  it('treats tier bounds as inclusive', () => {
    expect(chooseTier(tiers, 0)).toBe(0);
    expect(chooseTier(tiers, 100000)).toBe(0);
    expect(chooseTier(tiers, 100000.01)).toBe(1);
    expect(chooseTier(tiers, 1000000)).toBe(1);
    expect(chooseTier(tiers, 1000001)).toBe(2);
  });

  it('finds no tier above a closed last tier', () => {
    expect(chooseTier([{ upTo: 10, steps: tiers[0].steps }], 11)).toBeNull();
  });

  it('plans the steps of the chosen tier with inherited timeouts', async () => {
    const plan = await planApproval(byAmount(), { poNumber: '4500000001', amount: 2_500_000, supplier: { name: 'x' } });
    expect(plan.tier).toEqual({ index: 2, upTo: null });
    expect(plan.steps.map((s) => [s.approvers, s.rule])).toEqual([
      [['role:dept-manager'], 'any'],
      [['role:finance-director'], 'any'],
      [['role:general-manager', 'role:legal'], 'all'],
    ]);
    expect(plan.steps[0]).toMatchObject({ timeout: 'P2D', onTimeout: 'escalate', escalateTo: ['role:general-manager'] });
  });

  it('reads amounts that arrive as decimal strings, as SAP sends them', async () => {
    const plan = await planApproval(byAmount(), { amount: '100000.00' });
    expect(plan).toMatchObject({ amount: 100000, tier: { index: 0 } });
  });

  it('sums the order lines of the example, whose unit prices are decimal strings', async () => {
    expect(await planApproval(example(), order())).toMatchObject({ amount: 118460, tier: { index: 1 } });
  });

  it('explains an amount that is not a number', async () => {
    await expect(planApproval(byAmount(), { amount: 'lots' })).rejects.toMatchObject({ path: '/approval/amount', message: expect.stringContaining('not a number') });
  });
});

describe('simulateFlow', () => {
  it('includes a document only when its condition holds and evaluates signer names', async () => {
    const data = { ...order(), supplier: { ...order().supplier, isNew: false } };
    const result = await simulateFlow(example(), data);
    expect(result.title).toBe('采购合同 4500000001');
    expect(result.documents.map((d) => [d.id, d.included])).toEqual([['contract', true], ['nda', false]]);
    expect(result.signers).toEqual([
      { id: 'buyer', party: 'company', name: '上海启明智能制造有限公司', order: 1, documents: ['contract'], locale: 'zh', identity: null },
      { id: 'supplier', party: 'company', name: '深圳市华强电子有限公司', order: 2, documents: ['contract'], locale: 'zh', identity: null },
    ]);
  });

  it('shows the identity level each signer must pass, reading the retired verify "face" as level face', async () => {
    const flow = example();
    flow.signers = [
      { ...flow.signers![0], identity: 'company-transfer' },
      { ...flow.signers![1], party: 'person', verify: 'face' },
    ];
    const result = await simulateFlow(flow, { ...order(), supplier: { ...order().supplier, isNew: false } });
    expect(result.signers.map((s) => [s.id, s.identity])).toEqual([['buyer', 'company-transfer'], ['supplier', 'face']]);
    // A running contract plans the same: level face, and no face evidence step of its own.
    const planned = await planSigners(flow, order(), ['contract']);
    expect(planned.map((s) => [s.id, s.identity, s.verify])).toEqual([['buyer', 'company-transfer', 'none'], ['supplier', 'face', 'none']]);
  });

  it('refuses an identity level of the other kind of party, naming the field', () => {
    const flow = example();
    const unknown = validateFlow({ ...flow, signers: [flow.signers![0], { ...flow.signers![1], identity: 'nonsense' as never }] });
    expect(unknown.ok ? [] : unknown.issues.map((i) => i.path)).toEqual(['/signers/1/identity']);
    const wrongKind = validateFlow({ ...flow, signers: [{ ...flow.signers![0], identity: 'telecom' }, flow.signers![1]] });
    expect(wrongKind.ok ? [] : wrongKind.issues).toEqual([{ path: '/signers/0/identity', message: '"telecom" verifies a person, but this signer is a company' }]);
  });
});

describe('validateContractData', () => {
  it('prefixes data problems with /data', () => {
    const result = validateContractData(example(), { poNumber: 'PO-1', items: [{ quantity: 'ten', unitPrice: '1.00' }], buyer: { name: 'b' }, supplier: {} });
    expect(result).toEqual({
      ok: false,
      issues: expect.arrayContaining([
        { path: '/data/items/0/quantity', message: 'must be number' },
        { path: '/data/supplier/name', message: 'is required' },
      ]),
    });
  });
});

describe('durationToMs', () => {
  it('reads days, hours, minutes and seconds', () => {
    expect(durationToMs('P2D')).toBe(2 * 86_400_000);
    expect(durationToMs('PT12H')).toBe(12 * 3_600_000);
    expect(durationToMs('P1DT1M1.5S')).toBe(86_400_000 + 60_000 + 1500);
    expect(() => durationToMs('P1W')).toThrow(/not an ISO 8601 duration/);
  });
});
