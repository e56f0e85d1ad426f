// Issue #9 (Trust), the signer's side, through the REST API of running hubs: links die with
// their contract, SMS codes cannot be guessed past their caps (on SQLite and PostgreSQL),
// the dev outbox holds no live secrets once real delivery is configured, and face
// verification needs a configured provider.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowDefinition } from '../../flows';
import { startSmsGateway, startSmtpServer, type LocalSmsGateway, type LocalSmtpServer } from '../notify/support';
import { dialects, type TestDialect } from '../support/databases';
import { exampleFlow, exampleOrder, startTestHub, type TestHub } from '../support/hub';
import { approvedContract, codeFor, linkFor, linkIn, readAll, signerCall } from '../support/signing';

const hubs = {} as Record<TestDialect, TestHub>;
let hub: TestHub;
const approvers = {} as Record<TestDialect, { manager: { token: string }; finance: { token: string } }>;

/** The example without the buyer's seal, the contract alone: these tests are about links and codes. */
function flow(overrides: Partial<FlowDefinition> = {}): FlowDefinition {
  const base = exampleFlow();
  return { ...base, documents: [base.documents![0]], signers: base.signers!.map(({ seal: _seal, ...s }) => ({ ...s, documents: ['contract'] })), ...overrides };
}

/** The example order under its own source key, with its own supplier mobile (the daily cap counts per number). */
function order(sourceKey: string, mobile: string, flowKey = 'supplier-purchase') {
  const base = exampleOrder();
  return { flow: flowKey, sourceKey, data: { ...base.data, poNumber: sourceKey, supplier: { ...base.data.supplier, isNew: false, mobile } } };
}

/** A contract at the supplier's turn: the buyer signed, the supplier read everything. */
async function supplierTurn(on: TestHub, dialect: TestDialect, sourceKey: string, mobile: string) {
  const id = await approvedContract(on, approvers[dialect], order(sourceKey, mobile));
  await signerCall(on, await linkFor(on, id, 'signer:buyer'), '', { read: true });
  const link = await linkFor(on, id, mobile);
  await readAll(on, link);
  return { id, link, mobile };
}

/** "A minute passes": the last code's send time moves back, so the signer may ask for another. */
async function aMinutePasses(on: TestHub, link: string) {
  const stored = (await on.store.signerLinks.byToken(link))!;
  const past = new Date(Date.now() - 61_000).toISOString();
  await on.store.signerLinks.setOtp(stored.tokenHash, { hash: stored.otp?.hash ?? '0'.repeat(64), expiresAt: stored.otp?.expiresAt ?? past, sentAt: past });
}

const wrongFor = (code: string) => (code === '000000' ? '111111' : '000000');

/** Every way a signer uses their link, with what each answered. */
async function everyRoute(on: TestHub, link: string) {
  const page = await fetch(`${on.url}/sign/${link}`);
  const api = {
    view: await signerCall(on, link),
    document: await on.call('GET', `/api/sign/${link}/documents/contract.pdf`, undefined, null),
    read: await signerCall(on, link, '/read', { document: 'contract', page: 1 }),
    otp: await signerCall(on, link, '/otp', {}),
    sign: await signerCall(on, link, '', { read: true, otp: '123456' }),
    decline: await signerCall(on, link, '/decline', { reason: '不签了' }),
  };
  return { page: { status: page.status, text: await page.text() }, api };
}

function expectDead(routes: Awaited<ReturnType<typeof everyRoute>>, message: RegExp) {
  expect(routes.page.status).toBe(410);
  expect(routes.page.text).toMatch(message);
  expect(routes.page.text).not.toContain('<script');
  for (const [name, { status, body }] of Object.entries(routes.api)) {
    expect({ name, status, code: body?.error?.code }).toEqual({ name, status: 410, code: 'link_closed' });
    expect(body.error.message).toMatch(message);
  }
}

beforeAll(async () => {
  [hubs.sqlite, hubs.postgres] = await Promise.all([startTestHub(), startTestHub({ dialect: 'postgres' })]);
  hub = hubs.sqlite;
  for (const dialect of dialects) {
    await hubs[dialect].publish(flow());
    approvers[dialect] = { manager: await hubs[dialect].user('王经理', ['dept-manager']), finance: await hubs[dialect].user('赵总监', ['finance-director']) };
  }
  await hub.publish(flow({ key: 'short-deadline', signing: { deadline: 'PT3S' } }));
});
afterAll(async () => {
  await Promise.all(dialects.map((d) => hubs[d]?.close()));
});

describe('a signing link dies with its contract', () => {
  it('answers 410 with a message on the page and every route once the sender cancels', { timeout: 120_000 }, async () => {
    const id = await approvedContract(hub, approvers.sqlite, order('dead-cancel', '13900000001'));
    const link = await linkFor(hub, id, 'signer:buyer');
    expect((await signerCall(hub, link)).status).toBe(200);
    expect((await fetch(`${hub.url}/sign/${link}`)).status).toBe(200);
    expect((await hub.call('POST', `/api/contracts/${id}/cancel`, { reason: '重新谈判' })).status).toBe(200);
    expectDead(await everyRoute(hub, link), /cancelled/);
  });

  it('answers 410 on every route once a signer declines', { timeout: 120_000 }, async () => {
    const id = await approvedContract(hub, approvers.sqlite, order('dead-decline', '13900000002'));
    const link = await linkFor(hub, id, 'signer:buyer');
    expect((await signerCall(hub, link, '/decline', { reason: '价格有误' })).status).toBe(200);
    await hub.waitFor(id, (c) => c.status === 'declined');
    expectDead(await everyRoute(hub, link), /declined/);
  });

  it('answers 410 on every route once the signing deadline passed', { timeout: 120_000 }, async () => {
    const id = await approvedContract(hub, approvers.sqlite, order('dead-expired', '13900000003', 'short-deadline'));
    const link = await linkFor(hub, id, 'signer:buyer');
    await hub.waitFor(id, (c) => c.status === 'expired', 30_000);
    expectDead(await everyRoute(hub, link), /deadline/);
  });

  it('answers 410 once the contract is completed, and the signer gets the signed copy through its own expiring link', { timeout: 120_000 }, async () => {
    const { id, link, mobile } = await supplierTurn(hub, 'sqlite', 'dead-completed', '13900000004');
    const buyerLink = await linkFor(hub, id, 'signer:buyer');
    await signerCall(hub, link, '/otp', {});
    expect((await signerCall(hub, link, '', { read: true, otp: await codeFor(hub, id, mobile) })).status).toBe(200);
    const done = await hub.waitFor(id, (c) => c.status === 'completed', 60_000);
    expectDead(await everyRoute(hub, link), /signed by everyone/);
    expectDead(await everyRoute(hub, buyerLink), /signed by everyone/);

    // The completion notice carries the buyer's own download link, not the signing link.
    let notice: any;
    await expect
      .poll(async () => (notice = (await hub.call('GET', `/api/outbox?contractId=${id}&to=signer:buyer`)).body.items.find((m: any) => m.subject.includes('已完成签署'))), { timeout: 30_000 })
      .toBeTruthy();
    const copyToken = /\/api\/copies\/([A-Za-z0-9_-]{20,})/.exec(notice.body)![1];
    expect(copyToken).not.toBe(buyerLink);
    const copy = await hub.call('GET', `/api/copies/${copyToken}`, undefined, null);
    expect(copy.status).toBe(200);
    const days = (Date.parse(copy.body.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThanOrEqual(30);
    expect(copy.body.documents.map((d: any) => d.id)).toEqual(['contract']);
    const pdf = Buffer.from(await (await fetch(`${hub.url}${copy.body.documents[0].url}`)).arrayBuffer());
    expect(createHash('sha256').update(pdf).digest('hex')).toBe(done.documents[0].sha256);
    expect((await hub.call('GET', `/api/copies/${copyToken.slice(0, -2)}xx`, undefined, null)).status).toBe(404);
    // Its expiry passes (the unit tests move the clock; here the row's date moves back): 410.
    await hub.store.signerLinks.ensureCopy({ token: 'expired-copy-token-0123456789', contractId: id, signerId: 'buyer', expiresAt: new Date(Date.now() - 1000).toISOString() });
    const expired = await hub.call('GET', '/api/copies/expired-copy-token-0123456789', undefined, null);
    expect(expired.status).toBe(410);
    expect(expired.body.error.message).toMatch(/expired/);
  });
});

describe('SMS codes', () => {
  it.each(dialects)('counts a burst of 20 wrong codes at once as five failures, never more (%s)', { timeout: 120_000 }, async (dialect) => {
    const on = hubs[dialect];
    const { id, link, mobile } = await supplierTurn(on, dialect, `burst-${dialect}`, '13900000010');
    await signerCall(on, link, '/otp', {});
    const code = await codeFor(on, id, mobile);
    const answers = await Promise.all(Array.from({ length: 20 }, () => signerCall(on, link, '', { read: true, otp: wrongFor(code) })));
    const codes = answers.map((a) => a.body.error.code);
    expect(codes.filter((c) => c === 'otp_invalid')).toHaveLength(4);
    expect(codes.filter((c) => c === 'otp_locked')).toHaveLength(16);
    expect((await on.store.signerLinks.byToken(link))!.otpFailures).toBe(5);
    // the right code cannot sign after the burst either
    expect((await signerCall(on, link, '', { read: true, otp: code })).status).toBe(429);
    expect((await on.call('GET', `/api/contracts/${id}`)).body.signers[1].status).toBe('invited');
  });

  it('locks the link after three lockouts until the sender nudges (re-invites) the signer', { timeout: 120_000 }, async () => {
    const { id, link, mobile } = await supplierTurn(hub, 'sqlite', 'lockouts', '13900000011');
    for (let lockout = 1; lockout <= 3; lockout++) {
      expect((await signerCall(hub, link, '/otp', {})).status).toBe(200);
      const wrong = wrongFor(await codeFor(hub, id, mobile));
      for (let i = 0; i < 5; i++) await signerCall(hub, link, '', { read: true, otp: wrong });
      await aMinutePasses(hub, link);
    }
    const refused = await signerCall(hub, link, '/otp', {});
    expect(refused.status).toBe(423);
    expect(refused.body.error).toMatchObject({ code: 'link_locked' });
    expect(refused.body.error.message).toMatch(/sender/);
    expect((await signerCall(hub, link, '', { read: true, otp: '123456' })).body.error.code).toBe('link_locked');

    // The sender nudges the supplier: the link opens again, with a clean count.
    expect((await hub.call('POST', `/api/contracts/${id}/nudge`, { signer: 'supplier' })).body).toEqual({ nudged: ['supplier'] });
    expect((await signerCall(hub, link, '/otp', {})).status).toBe(200);
    expect((await signerCall(hub, link, '', { read: true, otp: await codeFor(hub, id, mobile) })).status).toBe(200);
  });

  it('sends a mobile number at most 10 codes a day, then answers 429 saying when', { timeout: 120_000 }, async () => {
    const { link } = await supplierTurn(hub, 'sqlite', 'daily-cap', '13900000012');
    for (let i = 0; i < 10; i++) {
      expect((await signerCall(hub, link, '/otp', {})).status).toBe(200);
      await aMinutePasses(hub, link);
    }
    const refused = await signerCall(hub, link, '/otp', {});
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('otp_daily_limit');
    // the next day in China begins at 16:00 UTC
    expect(refused.body.error.message).toMatch(/after \d{4}-\d\d-\d\dT16:00:00\.000Z/);
  });
});

describe('with real email and SMS delivery', () => {
  let real: TestHub;
  let smtp: LocalSmtpServer;
  let gateway: LocalSmsGateway;

  beforeAll(async () => {
    [smtp, gateway] = await Promise.all([startSmtpServer(), startSmsGateway()]);
    real = await startTestHub({ smtpUrl: smtp.url, smsWebhookUrl: gateway.url });
    await real.publish(flow());
  });
  afterAll(async () => {
    await real?.close();
    await smtp?.stop();
    await gateway?.close();
  });

  it('keeps invitations and codes in the outbox only with their links and codes masked', { timeout: 120_000 }, async () => {
    const team = { manager: await real.user('王经理', ['dept-manager']), finance: await real.user('赵总监', ['finance-director']) };
    const mobile = '13900000020';
    const id = await approvedContract(real, team, order('masked', mobile));
    await signerCall(real, await linkFor(real, id, 'signer:buyer'), '', { read: true });
    await expect.poll(() => gateway.requests.length, { timeout: 30_000 }).toBeGreaterThan(0);
    const link = linkIn(JSON.parse(gateway.requests[0].body).text)!;
    await readAll(real, link);
    expect((await signerCall(real, link, '/otp', {})).status).toBe(200);
    await expect.poll(() => gateway.requests.length).toBe(2);
    const code = /验证码 (\d{6})/.exec(JSON.parse(gateway.requests[1].body).text)![1];

    const outbox = (await real.call('GET', `/api/outbox?contractId=${id}`)).body.items.filter((m: any) => m.channel !== 'inbox');
    expect(outbox.map((m: any) => m.channel).sort()).toEqual(['email', 'sms', 'sms']);
    for (const message of outbox) {
      expect(message.body).not.toContain(link);
      expect(message.body).not.toContain(code);
    }
    expect(outbox.find((m: any) => m.subject === '签署验证码').body).toContain('验证码 ******');
    // what went out is whole: the signer can sign with it
    expect((await signerCall(real, link, '', { read: true, otp: code })).status).toBe(200);
  });
});

describe('face verification', () => {
  it('a hub without a face provider refuses to publish a flow that asks for it (the retired verify face reads as identity level face), naming /signers/N/verify', async () => {
    const base = flow();
    const face: FlowDefinition = { ...base, key: 'face-flow', signers: [...base.signers!, { id: 'witness', party: 'person', name: '张三', idNumber: '11010519491231002X', verify: 'face', order: 3, documents: ['contract'] }] };
    expect((await hub.call('POST', '/api/flows', face)).status).toBe(201);
    const refused = await hub.call('POST', '/api/flows/face-flow/publish');
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('identity_provider_missing');
    expect(refused.body.error.details).toEqual([{ path: '/signers/2/verify', message: expect.stringContaining('no identity provider of this hub offers') }]);
    expect((await hub.call('GET', '/api/flows/face-flow')).body.status).toBe('draft');
  });
});
