import { describe, expect, it } from 'vitest';
import { contractName, contractSender, contractTitle, simulateFlow, validateFlow, type FlowDefinition, type SignerState } from './index';

const flow = (): FlowDefinition => ({
  key: 'tech-service',
  name: '技术服务协议',
  approval: { amount: '=amount', tiers: [{ steps: [{ approvers: ['role:dept-manager'] }] }] },
  documents: [{ id: 'contract', template: 'purchase-contract' }],
  signers: [
    { id: 'buyer', party: 'company', name: '=buyer', documents: ['contract'] },
    { id: 'supplier', party: 'company', name: '=supplier', documents: ['contract'], order: 2, locale: 'en' },
  ],
});

describe('names, never ids', () => {
  it('calls a contract without a title by its flow name and source key, or the flow name alone', async () => {
    expect(await contractTitle(flow(), { amount: 1 }, 'PO 4500000001')).toBe('技术服务协议 · PO 4500000001');
    expect(await contractTitle(flow(), { amount: 1 })).toBe('技术服务协议');
    expect(await contractTitle({ ...flow(), title: '=poNumber' }, { amount: 1, poNumber: '' }, '4500000001')).toBe('技术服务协议 · 4500000001');
    expect(await contractTitle({ ...flow(), title: '="采购合同 " & poNumber' }, { amount: 1, poNumber: '7' }, '4500000001')).toBe('采购合同 7');
    expect(contractName({ title: null, flowName: '技术服务协议', sourceKey: 'PO 1' })).toBe('技术服务协议 · PO 1');
  });

  it('names the sender: the party with a seal of the hub, else the first other company', () => {
    const signer = (id: string, order: number, seal: string | null, party: 'company' | 'person' = 'company') => ({ id, name: `${id} Ltd`, order, seal, party }) as SignerState;
    expect(contractSender({ flowName: 'F', signers: [signer('supplier', 2, null), signer('buyer', 1, 'contract-seal')] }, 'supplier')).toBe('buyer Ltd');
    expect(contractSender({ flowName: 'F', signers: [signer('a', 1, null, 'person'), signer('b', 2, null)] }, 'a')).toBe('b Ltd');
    expect(contractSender({ flowName: 'F', signers: [signer('a', 1, null, 'person')] }, 'a')).toBe('F');
  });

  it('gives each signer a language, Chinese unless the flow says en, and refuses any other with its path', async () => {
    expect(validateFlow(flow()).ok).toBe(true);
    const simulation = await simulateFlow(flow(), { amount: 1, buyer: 'B', supplier: 'S' }, 'PO 1');
    expect(simulation.title).toBe('技术服务协议 · PO 1');
    expect(simulation.signers.map((s) => [s.id, s.locale])).toEqual([
      ['buyer', 'zh'],
      ['supplier', 'en'],
    ]);
    const wrong = flow() as any;
    wrong.signers[1].locale = 'fr';
    const result = validateFlow(wrong);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.path)).toContain('/signers/1/locale');
  });
});
