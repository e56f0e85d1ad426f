// Real-name verification (实名认证) over a signer's link on a real hub: every level through the
// local provider, a mismatch, a flow's tries, the face redirect and poll, failover to the second
// provider on a 5xx and on a timeout but never on a mismatch, the signing gate, and a
// certificate whose subject is the verified record (openssl reads it from the signed PDF).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowDefinition } from '../../flows';
import { createLocalIdentityProvider, IdentityProviderError, LOCAL_SMS_CODE, LOCAL_TRANSFER_FEN, type IdentityProvider } from '../../identity';
import { exampleFlow, exampleOrder, startTestHub, type TestHub } from '../support/hub';
import { approvedContract, linkFor, opensslEscaped, readAll, signerCall, signerSubjects } from '../support/signing';

const QIMING = { name: '上海启明智能制造有限公司', creditCode: '91310000MA1FL0001R', legalRepresentative: '张三' };
const ZHANG = { name: '张三', idNumber: '310101199003071230' };
const WANG = { name: '王五', idNumber: '440304199208152017' };
const YUANHANG = { name: '深圳远航贸易有限公司', creditCode: '91440300MA5G000020', legalRepresentative: '王五' };

/**
 * A vendor we do not run (an outside system): behind the real provider interface, answering as
 * the local fixtures do, or failing as a vendor does — 5xx, an exhausted balance, or no answer.
 */
function fakeVendor(id: string) {
  const inner = createLocalIdentityProvider({ notForProduction: true, pageUrl: '/identity/local' });
  const state = { mode: 'answer' as 'answer' | 'server' | 'balance' | 'hang', calls: [] as string[] };
  const trouble = async (): Promise<never> => {
    if (state.mode === 'hang') return new Promise<never>(() => {});
    throw new IdentityProviderError(state.mode as 'server' | 'balance', state.mode === 'server' ? '502 Bad Gateway' : 'balance exhausted');
  };
  const provider: IdentityProvider = {
    id,
    production: true,
    capabilities: inner.capabilities,
    prices: { 'person.two_factors': 30, 'company.transfer': 200 },
    compare: async (request, context) => (state.calls.push(`compare ${request.capability}`), state.mode === 'answer' ? inner.compare(request, context) : trouble()),
    start: async (request, context) => (state.calls.push(`start ${request.capability}`), state.mode === 'answer' ? inner.start(request, context) : trouble()),
    advance: async (flowId, input, context) => (state.calls.push(`advance ${input.kind}`), state.mode === 'answer' ? inner.advance(flowId, input, context) : trouble()),
  };
  return { provider, state };
}

/** The local provider, counting what reaches it. */
function countedLocal() {
  const inner = createLocalIdentityProvider({ notForProduction: true, pageUrl: '/identity/local' });
  const calls: string[] = [];
  const provider: IdentityProvider = {
    ...inner,
    compare: async (request, context) => (calls.push(`compare ${request.capability}`), inner.compare(request, context)),
    start: async (request, context) => (calls.push(`start ${request.capability}`), inner.start(request, context)),
    advance: async (flowId, input, context) => (calls.push(`advance ${input.kind}`), inner.advance(flowId, input, context)),
  };
  return { provider, calls };
}

const identityFlow = (): FlowDefinition => {
  const base = exampleFlow();
  return {
    ...base,
    key: 'identity-levels',
    documents: [base.documents![0]],
    signers: [
      { id: 'buyer', party: 'company', name: '=buyer.name', creditCode: '=buyer.creditCode', identity: 'company-transfer', order: 1, documents: ['contract'] },
      { id: 'zhang', party: 'person', name: '张三', idNumber: ZHANG.idNumber, identity: 'telecom', order: 1, documents: ['contract'] },
      // No ID number on the contract: the signer types it, and the provider judges it.
      { id: 'wang', party: 'person', name: '王五', identity: 'two-factor', order: 1, documents: ['contract'] },
      { id: 'li', party: 'person', name: '李四', verify: 'face', order: 1, documents: ['contract'] },
      { id: 'zhao', party: 'person', name: '赵六', identity: 'face', order: 1, documents: ['contract'] },
      { id: 'bankp', party: 'person', name: '王五', identity: 'bank', order: 1, documents: ['contract'] },
      { id: 'three', party: 'company', name: YUANHANG.name, creditCode: YUANHANG.creditCode, identity: 'company-three-factor', order: 1, documents: ['contract'] },
      { id: 'four', party: 'company', name: QIMING.name, identity: 'company-four-factor', order: 1, documents: ['contract'] },
      { id: 'reverse', party: 'company', name: QIMING.name, identity: 'company-reverse-payment', order: 1, documents: ['contract'] },
      { id: 'auth', party: 'company', name: YUANHANG.name, identity: 'company-authorisation', order: 1, documents: ['contract'] },
      // The template places the supplier too; it signs after, and asks no verification.
      { id: 'supplier', party: 'company', name: '=supplier.name', order: 2, documents: ['contract'] },
    ],
  };
};

let hub: TestHub;
let vendor: ReturnType<typeof fakeVendor>;
let local: ReturnType<typeof countedLocal>;
let contractId: string;
const links: Record<string, string> = {};
/** A signer's link, from their in-app notice (expect.poll: inside a test only). */
const linkOf = async (signer: string) => (links[signer] ??= await linkFor(hub, contractId, `signer:${signer}`));
const id = (path: string, body?: unknown) => (token: string) => signerCall(hub, token, `/identity${path}`, body ?? {});

beforeAll(async () => {
  vendor = fakeVendor('vendor-a');
  local = countedLocal();
  hub = await startTestHub({ identityProviders: [vendor.provider, local.provider], identityRouting: { timeoutMs: 1500, failureThreshold: 100 }, identityRateLimit: { burst: 12, perSecond: 0.001 } });
  await hub.publish(identityFlow());
  const manager = await hub.user('王经理', ['dept-manager']);
  const finance = await hub.user('赵总监', ['finance-director']);
  const order = exampleOrder();
  contractId = await approvedContract(hub, { manager, finance }, { flow: 'identity-levels', sourceKey: 'id-1', data: { ...order.data, poNumber: 'ID-1', buyer: { ...order.data.buyer, creditCode: QIMING.creditCode }, supplier: { ...order.data.supplier, isNew: false } } });
}, 180_000);
afterAll(() => hub?.close());

describe('real-name verification on the signing link', () => {
  it('refuses to sign before the level is proved, walks telecom through its SMS code, then signs with a certificate naming the verified record', { timeout: 120_000 }, async () => {
    const token = (await linkOf('zhang'));
    expect((await signerCall(hub, token)).body.identity).toEqual({ level: 'telecom', verified: false, record: null });
    const early = await signerCall(hub, token, '', { read: true });
    expect([early.status, early.body.error.code, early.body.error.details]).toEqual([409, 'identity_required', [{ path: '/identity', message: 'needs a verified identity at level telecom' }]]);

    // Someone else's name on this link, a broken ID number: refused before any provider is asked.
    const before = vendor.state.calls.length + local.calls.length;
    const other = await id('/flows', { person: { ...ZHANG, name: '李四', mobile: '13800138000' } })(token);
    expect([other.status, other.body.error.code, other.body.error.details[0].path]).toEqual([409, 'identity_not_signer', '/person/name']);
    const broken = await id('/flows', { person: { ...ZHANG, idNumber: '310101199003071231', mobile: '13800138000' } })(token);
    expect(broken.status).toBe(409); // not this contract's ID number either
    expect(vendor.state.calls.length + local.calls.length).toBe(before);

    const started = await id('/flows', { person: { ...ZHANG, mobile: '13800138000' } })(token);
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    expect(started.body).toMatchObject({ level: 'telecom', status: 'pending', step: 'sms_code', triesLeft: 5, bound: false });
    const wrong = await id(`/flows/${started.body.id}/sms-code`, { code: '000000' })(token);
    expect(wrong.body).toMatchObject({ status: 'pending', triesLeft: 4, outcome: 'wrong_input' });
    // Another link cannot advance this link's flow.
    expect((await id(`/flows/${started.body.id}/sms-code`, { code: LOCAL_SMS_CODE })((await linkOf('wang')))).status).toBe(404);
    const passed = await id(`/flows/${started.body.id}/sms-code`, { code: LOCAL_SMS_CODE })(token);
    expect(passed.body).toMatchObject({ status: 'passed', bound: true, record: { level: 'telecom', method: 'person.telecom', provider: 'vendor-a', name: '张三' } });
    expect((await signerCall(hub, token)).body.identity).toMatchObject({ level: 'telecom', verified: true, record: { provider: 'vendor-a', name: '张三' } });

    expect((await signerCall(hub, token, '', { read: true })).body.status).toBe('signed');
    const contract = await hub.waitFor(contractId, (c) => c.signers.find((s: any) => s.id === 'zhang').status === 'signed');
    const intent = contract.timeline.find((e: any) => e.type === 'signed' && e.signer === 'zhang').intent;
    expect(intent).toMatch(/identity telecom by person\.telecom via vendor-a \(idr_[0-9a-f-]+\)/);
    await expect.poll(async () => (await hub.call('GET', `/api/contracts/${contractId}`)).body.documents[0].signedBy, { timeout: 30_000 }).toContain('zhang');
    const pdf = await fetch(`${hub.url}/api/contracts/${contractId}/documents/contract.pdf`, { headers: { authorization: `Bearer ${hub.adminToken}` } });
    const bytes = Buffer.from(await pdf.arrayBuffer());
    const subjects = signerSubjects(bytes);
    const zhang = subjects.filter((s) => s.includes('level=telecom'));
    expect(zhang).toHaveLength(1);
    expect(zhang[0]).toMatch(/method=person\.telecom provider=vendor-a/);
    expect(zhang[0]).toMatch(/serialNumber ?= ?[0-9a-f]{64}/);
    expect(zhang[0]).toContain(`CN = ${opensslEscaped('张三')},`);
  });

  it('answers a mismatch without asking the second provider, and falls over to it on a timeout (two factors)', { timeout: 60_000 }, async () => {
    const token = (await linkOf('wang'));
    const localBefore = local.calls.length;
    const mismatch = await id('/person', { name: '王五', idNumber: ZHANG.idNumber })(token);
    expect(mismatch.body).toEqual({ outcome: 'mismatch', provider: 'vendor-a' });
    expect(local.calls.length).toBe(localBefore); // never asked: that would let a caller probe until some provider says yes

    vendor.state.mode = 'hang';
    try {
      const started = Date.now();
      const matched = await id('/person', WANG)(token);
      expect(matched.body).toMatchObject({ outcome: 'match', bound: true, record: { level: 'two-factor', provider: 'local', name: '王五' } });
      expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    } finally {
      vendor.state.mode = 'answer';
    }
    expect(local.calls.slice(localBefore)).toEqual(['compare person.two_factors']);
    await readAll(hub, token);
    expect((await signerCall(hub, token, '', { read: true })).body.status).toBe('signed');
  });

  it('对公打款: falls over on a 5xx to start the transfer, takes the tries the amount is given, and binds the company', { timeout: 60_000 }, async () => {
    const token = (await linkOf('buyer'));
    vendor.state.mode = 'server';
    let started;
    try {
      started = await id('/flows', { company: QIMING, account: { number: '31001234567890123456', bank: '中国建设银行上海张江支行' } })(token);
    } finally {
      vendor.state.mode = 'answer';
    }
    expect(started.body).toMatchObject({ level: 'company-transfer', step: 'transfer_amount', triesLeft: 3, status: 'pending' });
    const wrong = await id(`/flows/${started.body.id}/transfer-amount`, { amountFen: 1 })(token);
    expect(wrong.body).toMatchObject({ status: 'pending', triesLeft: 2 });
    const bad = await id(`/flows/${started.body.id}/transfer-amount`, { amountFen: 0.5 })(token);
    expect([bad.status, bad.body.error.details[0].path]).toEqual([400, '/amountFen']);
    const passed = await id(`/flows/${started.body.id}/transfer-amount`, { amountFen: LOCAL_TRANSFER_FEN })(token);
    expect(passed.body).toMatchObject({ status: 'passed', bound: true, record: { level: 'company-transfer', provider: 'local', name: QIMING.name } });
    expect((await signerCall(hub, token, '', { read: true })).body.status).toBe('signed');
  });

  it('face: a redirect to the provider’s page, then a poll; a failed face leaves the signer unable to sign (the retired verify "face" asks the same)', { timeout: 60_000 }, async () => {
    const li = (await linkOf('li'));
    expect((await signerCall(hub, li)).body.identity).toMatchObject({ level: 'face', verified: false });
    const failed = await id('/flows', { person: { name: '李四', idNumber: '110105198506120042' } })(li);
    expect(failed.body).toMatchObject({ level: 'face', step: 'face', status: 'pending' });
    expect(failed.body.redirectUrl).toMatch(/^\/identity\/local\/face\?flow=/);
    const page = await fetch(`${hub.url}${failed.body.redirectUrl}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('NOT FOR PRODUCTION');
    expect((await id(`/flows/${failed.body.id}/poll`)(li)).body).toMatchObject({ status: 'failed', outcome: 'mismatch', bound: false });
    expect((await signerCall(hub, li, '', { read: true })).body.error.code).toBe('identity_required');

    const zhao = (await linkOf('zhao'));
    const started = await id('/flows', { person: { name: '赵六', idNumber: '320583197801014563' } })(zhao);
    const back = new URL(decodeURIComponent(/return=([^&]+)/.exec(started.body.redirectUrl)![1]));
    expect(back.pathname).toBe(`/sign/${zhao}`);
    expect((await id(`/flows/${started.body.id}/poll`)(zhao)).body).toMatchObject({ status: 'passed', bound: true, record: { level: 'face', method: 'person.face' } });
  });

  it('walks the other levels: bank card four factors, company three and four factors, reverse payment, a declined authorisation', { timeout: 60_000 }, async () => {
    const bank = await linkOf('bankp');
    const card = await id('/flows', { person: { ...WANG, mobile: '13700137000', bankCard: '6214 8301 0022 3344' } })(bank);
    expect(card.body).toMatchObject({ level: 'bank', step: 'sms_code', status: 'pending' });
    expect((await id(`/flows/${card.body.id}/sms-code`, { code: LOCAL_SMS_CODE })(bank)).body).toMatchObject({ status: 'passed', bound: true, record: { level: 'bank', method: 'person.bank' } });

    const three = await linkOf('three');
    expect((await id('/company', { ...YUANHANG, legalRepresentative: '李四' })(three)).body).toEqual({ outcome: 'mismatch', provider: 'vendor-a' });
    const malformed = await id('/company', { ...YUANHANG, creditCode: '91440300MA5G000021' })(three);
    expect([malformed.status, malformed.body.error.details[0].path]).toEqual([409, '/creditCode']); // not this contract's credit code
    expect((await id('/company', YUANHANG)(three)).body).toMatchObject({ outcome: 'match', bound: true, record: { level: 'company-three-factor' } });

    const four = await linkOf('four');
    const missing = await id('/company', QIMING)(four);
    expect([missing.status, missing.body.error.details[0].path]).toEqual([400, '/legalRepresentativeIdNumber']);
    expect((await id('/company', { ...QIMING, legalRepresentativeIdNumber: ZHANG.idNumber })(four)).body).toMatchObject({ outcome: 'match', bound: true, record: { level: 'company-four-factor' } });

    const reverse = await linkOf('reverse');
    const pay = await id('/flows', { company: QIMING })(reverse);
    expect(pay.body).toMatchObject({ level: 'company-reverse-payment', step: 'reverse_payment', payTo: { amountFen: 19 } });
    expect((await id(`/flows/${pay.body.id}/poll`)(reverse)).body).toMatchObject({ status: 'passed', bound: true });

    const auth = await linkOf('auth');
    const started = await id('/flows', { company: { ...YUANHANG, legalRepresentativeIdNumber: WANG.idNumber }, legalRepresentativeMobile: '13700137000' })(auth);
    expect(started.body.redirectUrl).toMatch(/^\/identity\/local\/authorisation\?flow=/);
    expect((await id(`/flows/${started.body.id}/poll`)(auth)).body).toMatchObject({ status: 'failed', outcome: 'declined', bound: false });
    expect((await signerCall(hub, auth, '', { read: true })).body.error.code).toBe('identity_required');
  });

  it('limits identity attempts per link', { timeout: 30_000 }, async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 13; i++) statuses.push((await id('/person', { name: '赵六', idNumber: '11010519491231002X' })((await linkOf('li')))).status);
    expect(statuses.at(-1)).toBe(429);
    // Another link keeps its own allowance.
    expect((await signerCall(hub, (await linkOf('zhao')), '/identity/flows/idf_unknown/poll', {})).status).toBe(404);
  });

  it('the hub admin reads what each provider was asked and bills, as the database counted it; a tenant admin may not', async () => {
    const costs = await hub.call('GET', '/api/identity/costs');
    expect(costs.status).toBe(200);
    const { 'vendor-a': vendorCosts, local: localCosts } = costs.body.providers;
    // Every call that reached the vendor was counted once (a flow's later steps are billed with its start, so not counted).
    expect(vendorCosts.answered + vendorCosts.failed).toBe(vendor.state.calls.filter((c) => !c.startsWith('advance')).length);
    expect(vendorCosts.byCapability['person.two_factors'].failed).toBeGreaterThanOrEqual(1); // the timeout
    expect(vendorCosts.byCapability['company.transfer'].failed).toBeGreaterThanOrEqual(1); // the 5xx
    expect(vendorCosts.fen).toBe(30 * vendorCosts.byCapability['person.two_factors'].answered + 200 * (vendorCosts.byCapability['company.transfer']?.answered ?? 0));
    expect(localCosts.answered + localCosts.failed).toBe(local.calls.filter((c) => !c.startsWith('advance')).length);
    expect(localCosts.fen).toBe(0);
    // The counts are the database's (every server adds to them), not this process's.
    const rows = await hub.store.identityCosts.totals();
    expect(rows.filter((r) => r.provider === 'vendor-a').reduce((sum, r) => sum + r.answered + r.failed, 0)).toBe(vendorCosts.answered + vendorCosts.failed);

    const tenantAdmin = await hub.user('租户管理员', ['tenant-admin']);
    const refused = await hub.call('GET', '/api/identity/costs', undefined, tenantAdmin.token);
    expect(refused.status).toBe(403);
    expect(refused.body.providers).toBeUndefined();
  });
});

describe('publishing', () => {
  it('refuses a flow whose identity level no provider of this hub offers, naming the signer', { timeout: 60_000 }, async () => {
    const bare = await startTestHub();
    try {
      const flow = { ...identityFlow(), key: 'needs-identity' };
      expect((await bare.call('POST', '/api/flows', flow)).status).toBe(201);
      const refused = await bare.call('POST', '/api/flows/needs-identity/publish');
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('identity_provider_missing');
      expect(refused.body.error.details.map((d: any) => d.path)).toEqual(['/signers/0/identity', '/signers/1/identity', '/signers/2/identity', '/signers/3/verify', ...[4, 5, 6, 7, 8, 9].map((n) => `/signers/${n}/identity`)]);
      const simulated = await bare.call('POST', '/api/flows/needs-identity/simulate', { data: { ...exampleOrder().data, supplier: { ...exampleOrder().data.supplier, isNew: false } } });
      expect(simulated.body.signers.map((s: any) => s.identity)).toEqual(['company-transfer', 'telecom', 'two-factor', 'face', 'face', 'bank', 'company-three-factor', 'company-four-factor', 'company-reverse-payment', 'company-authorisation', null]);
    } finally {
      await bare.close();
    }
  });
});
