import { describe, expect, it } from 'vitest';
import type { FlowDefinition } from './schema';
import { validateFlow } from './validation';

const flow = (): FlowDefinition => ({
  key: 'checked',
  name: 'Checked',
  approval: { amount: '=amount', tiers: [{ steps: [{ approvers: ['role:dept-manager'] }] }] },
  documents: [{ id: 'contract', template: 'purchase-contract' }],
  signers: [{ id: 'buyer', party: 'company', name: '=buyer.name', documents: ['contract'], contact: { email: '=buyer.email' } }],
  archive: { folder: '="procurement/" & supplier.name', expiry: { date: '=endDate' } },
});

describe('validateFlow on expressions', () => {
  it('compiles every expression of the flow and names the path of one that does not parse', () => {
    expect(validateFlow(flow()).ok).toBe(true);
    const broken = flow();
    broken.archive!.folder = '="procurement/" & (';
    broken.archive!.expiry!.date = '=$toMillis(';
    broken.signers![0].contact!.email = '=buyer.(';
    const result = validateFlow(broken);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.path).sort()).toEqual(['/archive/expiry/date', '/archive/folder', '/signers/0/contact/email']);
    expect(result.issues[0].message).toMatch(/^is not a valid JSONata expression: /);
  });
});
