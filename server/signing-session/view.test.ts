import { describe, expect, it } from 'vitest';
import type { ContractDocument, SignerState } from '../../flows';
import { contractState } from '../../test/store/fixtures';
import { linkFacts } from './view';

const signer = (id: string, overrides: Partial<SignerState> = {}): SignerState => ({
  id, party: 'company', name: id, order: 1, documents: ['contract'], email: `${id}@example.cn`, mobile: '13800138000', creditCode: null, idNumber: null,
  seal: null, verify: 'none', mustRead: false, prompt: null, status: 'invited', invitedAt: null, signedAt: null, declineReason: null, reminders: 0, lastNudgeAt: null,
  ...overrides,
});

const document: ContractDocument = {
  id: 'contract', template: 'purchase-contract', title: '采购合同', sha256: 'x', size: 1, pages: 5, signers: ['buyer', 'supplier'], generatedAt: '2026-03-01T00:00:00.000Z',
  signatureAreas: [
    { signerId: 'buyer', page: 4, x: 72, y: 605, width: 170, height: 125 },
    { signerId: 'supplier', page: 4, x: 309, y: 605, width: 170, height: 125 },
  ],
};

describe('what the signer page adds to a link', () => {
  const buyer = signer('buyer', { name: '上海启明智能制造有限公司', seal: 'contract-seal', status: 'signed' });
  const supplier = signer('supplier', { name: '深圳市华强电子有限公司', order: 2 });
  const witness = signer('witness', { name: '张三', party: 'person', order: 3, status: 'waiting' });
  const contract = contractState({ status: 'signing', signers: [witness, supplier, buyer], documents: [document] });

  it('lists every party in signing order with its state, marks the signer, and gives no one’s contact details', () => {
    expect(linkFacts({ contract, signer: supplier, link: null as never }, null).parties).toEqual([
      { name: '上海启明智能制造有限公司', party: 'company', order: 1, state: 'signed', you: false },
      { name: '深圳市华强电子有限公司', party: 'company', order: 2, state: 'waiting', you: true },
      { name: '张三', party: 'person', order: 3, state: 'waiting', you: false },
    ]);
  });

  it('gives the signer only their own signature areas, pages counted from 1 as the page counts them', () => {
    expect(linkFacts({ contract, signer: supplier, link: null as never }, null).areas.get('contract')).toEqual([{ page: 5, x: 309, y: 605, width: 170, height: 125 }]);
  });

  it('names the sender as the notices do: the hub’s own name when set, else the party with the seal', () => {
    expect(linkFacts({ contract, signer: supplier, link: null as never }, null).sender).toBe('上海启明智能制造有限公司');
    expect(linkFacts({ contract, signer: supplier, link: null as never }, '启明智能').sender).toBe('启明智能');
  });
});
