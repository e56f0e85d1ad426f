// The rest of the signing stage on a real Temporal server: company seals only the users on
// the seal's list may apply (印章管理), several contracts signed in one action after one
// code (批量签署), and face verification (now real-name level face) through the local identity provider.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowDefinition } from '../../flows';
import { exampleFlow, exampleOrder, startTestHub, type TestHub } from '../support/hub';
import { approvedContract, codeFor, linkFor, readAll, signerCall } from '../support/signing';

let hub: TestHub;
let manager: { token: string };
let finance: { token: string };
let keeper: { id: string; token: string };
let stranger: { id: string; token: string };

const BUYER = exampleOrder().data.buyer.name as string;



const signer = (token: string, path = '', body?: unknown, userToken: string | null = null) => signerCall(hub, token, path, body, userToken);
const batch = (path: string, body: unknown, userToken: string | null = null) => hub.call('POST', `/api/sign/batch${path}`, body, userToken);



/** The example order from a supplier Sealflow already knows (the contract alone), under its own source key. */
function order(sourceKey: string, mobile = '13800138000') {
  const base = exampleOrder();
  return { ...base, sourceKey, data: { ...base.data, poNumber: sourceKey, supplier: { ...base.data.supplier, isNew: false, mobile } } };
}

const signedIntent = (contract: any, signerId: string): string => contract.timeline.find((e: any) => e.type === 'signed' && e.signer === signerId)?.intent;

beforeAll(async () => {
  // The local identity provider (checks nobody): face verification is a real-name level now.
  hub = await startTestHub({ env: { SEALFLOW_IDENTITY_PROVIDERS: 'local' } });
  await hub.publish(exampleFlow());
  manager = await hub.user('王经理', ['dept-manager']);
  finance = await hub.user('赵总监', ['finance-director']);
  keeper = await hub.user('钱印章', []);
  stranger = await hub.user('孙路人', []);
  expect((await hub.call('PUT', '/api/seals/contract-seal', { company: BUYER, users: [keeper.id] })).status).toBe(201);
});
afterAll(() => hub?.close());

describe('seal management', () => {
  it('lets only admins manage seals and names unknown or repeated users by their path', async () => {
    expect((await hub.call('PUT', '/api/seals/contract-seal', { company: BUYER, users: [] }, keeper.token)).status).toBe(403);
    const bad = await hub.call('PUT', '/api/seals/hr-seal', { company: BUYER, users: [keeper.id, 'u_nobody', keeper.id] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([
      { path: '/users/1', message: 'no user "u_nobody"' },
      { path: '/users/2', message: 'repeats /users/0' },
    ]);
    expect((await hub.call('PUT', '/api/seals/hr-seal', { company: '', users: [] })).body.error.details[0].path).toBe('/company');
    expect((await hub.call('GET', '/api/seals/hr-seal')).status).toBe(404);

    const seal = (await hub.call('GET', '/api/seals/contract-seal')).body;
    expect(seal).toMatchObject({ name: 'contract-seal', company: BUYER, users: [keeper.id], updatedBy: 'admin' });
    expect((await hub.call('GET', '/api/seals')).body.items.map((s: any) => s.name)).toEqual(['contract-seal']);
  });

  it('signs with the company seal only for a signed-in user on the seal’s list, and names that user in the intent', async () => {
    const id = await approvedContract(hub, { manager, finance }, order('seal-1'));
    const link = await linkFor(hub, id, 'signer:buyer');
    expect((await signer(link)).body.signer.seal).toBe('contract-seal');

    const anonymous = await signer(link, '', { read: true });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('seal_login_required');
    expect((await signer(link, '', { read: true }, 'sf_not-a-token')).body.error.code).toBe('seal_login_required');
    const notAllowed = await signer(link, '', { read: true }, stranger.token);
    expect(notAllowed.status).toBe(403);
    expect(notAllowed.body.error).toMatchObject({ code: 'seal_not_allowed', message: expect.stringContaining('孙路人') });
    expect((await hub.call('GET', `/api/contracts/${id}`)).body.signers[0].status).toBe('invited');
    // A key of the keeper's that is limited to some rights (one a system holds) does not carry the seal.
    const narrowed = await hub.store.apiKeys.create({ tenantId: 'default', userId: keeper.id, name: 'ERP reader', scopes: ['contracts.read'], expiresAt: null, createdBy: keeper.id });
    const limited = await signer(link, '', { read: true }, narrowed.token);
    expect(limited.status).toBe(403);
    expect(limited.body.error).toMatchObject({ code: 'seal_not_allowed', message: expect.stringContaining('ERP reader') });

    expect((await signer(link, '', { read: true }, keeper.token)).body.status).toBe('signed');
    const contract = await hub.waitFor(id, (c) => c.signers[0].status === 'signed');
    expect(signedIntent(contract, 'buyer')).toContain(`seal contract-seal by 钱印章 (${keeper.id})`);
  });
});

describe('batch signing', () => {
  /** Contracts whose buyers have signed (in one batch, with the seal, no code) and whose supplier's turn it is; returns the supplier links, every page read. */
  async function supplierTurn(orders: ReturnType<typeof order>[], { read = true } = {}): Promise<{ ids: string[]; links: string[] }> {
    const ids = await Promise.all(orders.map((o) => approvedContract(hub, { manager, finance }, o)));
    const buyers = await Promise.all(ids.map((id) => linkFor(hub, id, 'signer:buyer')));
    const signed = await batch('', { tokens: buyers, read: true }, keeper.token);
    expect(signed.body.results).toEqual(ids.map((contractId, index) => ({ index, contractId, status: 'signed', contract: { status: 'signing' } })));
    const links = await Promise.all(ids.map((id, i) => linkFor(hub, id, orders[i].data.supplier.mobile)));
    if (read) for (const link of links) await readAll(hub, link);
    return { ids, links };
  }

  it('signs two contracts for the same mobile with one code and one call', { timeout: 120_000 }, async () => {
    const { ids, links } = await supplierTurn([order('batch-1'), order('batch-2')]);
    const sent = await batch('/otp', { tokens: links });
    expect(sent.body).toMatchObject({ sentTo: '138****8000', tokens: 2 });
    expect((await batch('/otp', { tokens: links })).status).toBe(429);
    const codes = (await hub.call('GET', `/api/outbox?to=13800138000`)).body.items.filter((m: any) => m.subject === '签署验证码');
    expect(codes).toHaveLength(1);
    expect(codes[0].body).toContain('批量签署 2 份合同');

    const code = await codeFor(hub, ids[0], '13800138000');
    const done = await batch('', { tokens: links, otp: code, read: true });
    expect(done.status).toBe(200);
    expect(done.body.results.map((r: any) => [r.index, r.contractId, r.status])).toEqual([[0, ids[0], 'signed'], [1, ids[1], 'signed']]);
    for (const id of ids) {
      const contract = await hub.waitFor(id, (c) => c.status === 'completed', 60_000);
      expect(signedIntent(contract, 'supplier')).toMatch(/batch of 2 \+ read every page \+ sms-otp to 138\*\*\*\*8000/);
    }
  });

  it('signs nothing unless every link passes, and counts a wrong code against every link', { timeout: 120_000 }, async () => {
    const { ids, links } = await supplierTurn([order('batch-3'), order('batch-4')]);
    const { ids: [unreadId], links: [unread] } = await supplierTurn([order('batch-5')], { read: false });
    await batch('/otp', { tokens: [...links, unread] });
    const code = await codeFor(hub, ids[0], '13800138000');

    // one link not read through spoils the batch before the code is looked at, or used up
    const notRead = await batch('', { tokens: [...links, unread], otp: code, read: true });
    expect(notRead.status).toBe(409);
    expect(notRead.body.error).toMatchObject({ code: 'not_read', details: [{ path: '/tokens/2' }, { path: '/documents/contract' }] });
    for (const link of links) expect((await hub.store.signerLinks.byToken(link))?.otp).toMatchObject({ failures: 0 });
    for (const id of [...ids, unreadId]) expect((await hub.call('GET', `/api/contracts/${id}`)).body.signers[1].status).toBe('invited');

    const wrong = await batch('', { tokens: links, otp: code === '000000' ? '111111' : '000000', read: true });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('otp_invalid');
    expect(wrong.body.error.details.map((d: any) => d.path)).toEqual(['/tokens/0', '/tokens/1', '/otp']);
    for (const link of links) expect((await hub.store.signerLinks.byToken(link))?.otp?.failures).toBe(1);
    for (const id of ids) expect((await hub.call('GET', `/api/contracts/${id}`)).body.signers[1].status).toBe('invited');
  });

  it('refuses to send one code to links with different mobiles, or to unknown and repeated links', { timeout: 120_000 }, async () => {
    const { links } = await supplierTurn([order('batch-6'), order('batch-7', '13900139000')]);
    const refused = await batch('/otp', { tokens: links });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'mobile_mismatch', details: [{ path: '/tokens/1' }] });
    const unknown = await batch('/otp', { tokens: [links[0], 'not-a-real-token-0000000000000'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'link_not_found', details: [{ path: '/tokens/1' }] });
    const repeated = await batch('/otp', { tokens: [links[0], links[0]] });
    expect(repeated.body.error.details).toEqual([{ path: '/tokens/1', message: 'repeats /tokens/0' }]);
    expect((await hub.call('GET', `/api/outbox?to=13800138000`)).body.items.filter((m: any) => m.subject === '签署验证码' && m.body.includes('batch-6'))).toHaveLength(0);
  });
});

describe('face verification', () => {
  it('signs a person of the retired verify "face" only after a face check at level face binds their identity', { timeout: 120_000 }, async () => {
    const base = exampleFlow();
    const flow: FlowDefinition = {
      ...base,
      key: 'face-person',
      documents: [base.documents![0]],
      // The contract template places both companies; the person verified by face signs first.
      signers: [
        { id: 'witness', party: 'person', name: '张三', idNumber: '310101199003071230', verify: 'face', order: 1, documents: ['contract'] },
        { id: 'buyer', party: 'company', name: '=buyer.name', order: 2, documents: ['contract'] },
        { id: 'supplier', party: 'company', name: '=supplier.name', order: 2, documents: ['contract'] },
      ],
    };
    await hub.publish(flow);
    const id = await approvedContract(hub, { manager, finance }, { ...order('face-1'), flow: 'face-person' });
    const link = await linkFor(hub, id, 'signer:witness');
    expect((await signer(link)).body.identity).toEqual({ level: 'face', verified: false, record: null });

    // The page's own face evidence is gone: the identity is verified first, through the provider.
    expect((await signer(link, '', { read: true, face: 'dev-face-ok' })).body.error).toMatchObject({ code: 'invalid_body', details: [{ path: '/face' }] });
    expect((await signer(link, '', { read: true })).body.error).toMatchObject({ code: 'identity_required', details: [{ path: '/identity' }] });
    expect((await hub.call('GET', `/api/contracts/${id}`)).body.signers[0].status).toBe('invited');

    const face = await signer(link, '/identity/flows', { person: { name: '张三', idNumber: '310101199003071230' } });
    expect(face.body).toMatchObject({ level: 'face', step: 'face', status: 'pending' });
    expect((await signer(link, `/identity/flows/${face.body.id}/poll`, {})).body).toMatchObject({ status: 'passed', bound: true });

    expect((await signer(link, '', { read: true })).body.status).toBe('signed');
    const done = await hub.waitFor(id, (c) => c.signers[0].status === 'signed');
    expect(done.documents[0].signedBy).toEqual(['witness']);
    expect(signedIntent(done, 'witness')).toMatch(/identity face by person\.face via local \(idr_[0-9a-f-]+\)$/);
  });
});
