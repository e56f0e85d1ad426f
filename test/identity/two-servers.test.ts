// Two servers over one database (issue 12 × issue 13): each has its own store connection, its own
// router and its own local provider, as two processes behind a load balancer would. A
// verification started through one is finished through the other, the 对公打款 rules (3 tries,
// 7 days) hold across both, and provider costs counted by both at once add up to every call.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIdentityRouter, createIdentityService, createLocalIdentityProvider, LOCAL_SMS_CODE, LOCAL_TRANSFER_FEN, type IdentityProvider, type IdentityRouter, type IdentityService } from '../../identity';
import { hashIdNumber } from '../../signing';
import { openStore, type Store } from '../../store';
import { createTestDatabase, dialects, type TestDatabase } from '../support/databases';

const zhang = { name: '张三', idNumber: '310101199003071230' };
const qiming = { name: '上海启明智能制造有限公司', creditCode: '91310000MA1FL0001R', legalRepresentative: '张三' };
const qimingAccount = { number: '31001234567890123456', bank: '中国建设银行上海张江支行' };
const idHashKey = Buffer.alloc(32, 7);
const DAY = 86_400_000;
/** What a vendor contract might say two factors and a telecom check cost, in fen. */
const PRICES = { 'person.two_factors': 30, 'person.telecom': 45 } as const;

interface Server {
  store: Store;
  router: IdentityRouter;
  identity: IdentityService;
}

describe.each(dialects)('identity across two servers (%s)', (dialect) => {
  let database: TestDatabase;
  let clock: number;
  const servers: Server[] = [];

  /** One server process: its own connection, router (health, memory) and local provider (flows). */
  async function server(): Promise<Server> {
    const store = await openStore(database.options);
    const provider: IdentityProvider = { ...createLocalIdentityProvider({ notForProduction: true }), prices: PRICES };
    const router = createIdentityRouter({ providers: [provider], costs: store.identityCosts, now: () => clock });
    const identity = createIdentityService({ store: store.identities, router, idHashKey, now: () => new Date(clock) });
    const made = { store, router, identity };
    servers.push(made);
    return made;
  }

  beforeEach(async () => {
    database = await createTestDatabase(dialect, { migrated: true });
    clock = Date.parse('2026-03-02T09:00:00.000Z');
  });
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.store.close();
    await database.drop();
  });

  it('an SMS verification started on A is finished on B, and its record is the one A reads', async () => {
    const a = await server();
    const b = await server();
    const started = await a.identity.startFlow({ capability: 'person.telecom', person: { ...zhang, mobile: '13800138000' } }, { idempotencyKey: 'start' });
    expect(started).toMatchObject({ level: 'telecom', status: 'pending', step: 'sms_code', triesLeft: 5 });

    expect(await b.identity.submitSmsCode(started.id, '000000', { idempotencyKey: 'code-1' })).toMatchObject({ status: 'pending', outcome: 'wrong_input', triesLeft: 4 });
    const passed = await b.identity.submitSmsCode(started.id, LOCAL_SMS_CODE, { idempotencyKey: 'code-2' });
    expect(passed).toMatchObject({ status: 'passed', step: 'done', record: { level: 'telecom', method: 'person.telecom', provider: 'local', subject: { name: '张三', idNumberHmac: hashIdNumber(zhang.idNumber, idHashKey) } } });

    // A sees the flow passed and the record, and a later check of the level finds it.
    expect(await a.identity.getFlow(started.id)).toMatchObject({ status: 'passed', record: { id: passed.record!.id } });
    expect((await a.identity.findVerifiedIdentity({ kind: 'person', ...zhang }, 'telecom'))?.id).toBe(passed.record!.id);
    // The provider's flow id says nothing of the person beyond a digest.
    const stored = await a.store.identities.getFlow(started.id);
    expect(stored!.providerFlowId).not.toContain(zhang.idNumber);
    expect(Buffer.from(stored!.providerFlowId.split('.')[1], 'base64url').toString()).not.toContain(zhang.idNumber);
  });

  it('对公打款 across servers: tries taken on either count together (3), the right amount on B passes, and the 7-day window holds on B', async () => {
    const a = await server();
    const b = await server();
    const first = await a.identity.startTransfer(qiming, qimingAccount, { idempotencyKey: 't1' });
    expect(first).toMatchObject({ level: 'company-transfer', step: 'transfer_amount', triesLeft: 3 });
    expect(await b.identity.submitTransferAmount(first.id, 1, { idempotencyKey: 'a1' })).toMatchObject({ status: 'pending', outcome: 'wrong_input', triesLeft: 2 });
    expect(await a.identity.submitTransferAmount(first.id, 2, { idempotencyKey: 'a2' })).toMatchObject({ status: 'pending', triesLeft: 1 });
    expect(await b.identity.submitTransferAmount(first.id, LOCAL_TRANSFER_FEN, { idempotencyKey: 'a3' })).toMatchObject({ status: 'passed', record: { level: 'company-transfer', subject: { creditCode: qiming.creditCode } } });

    // Three wrong amounts, spread over both servers, close the flow; a fourth try is refused on either.
    const second = await b.identity.startTransfer(qiming, qimingAccount, { idempotencyKey: 't2' });
    await a.identity.submitTransferAmount(second.id, 1, { idempotencyKey: 'b1' });
    await b.identity.submitTransferAmount(second.id, 2, { idempotencyKey: 'b2' });
    expect(await a.identity.submitTransferAmount(second.id, 3, { idempotencyKey: 'b3' })).toMatchObject({ status: 'failed', triesLeft: 0 });
    await expect(b.identity.submitTransferAmount(second.id, LOCAL_TRANSFER_FEN, { idempotencyKey: 'b4' })).rejects.toMatchObject({ code: 'FLOW_CLOSED' });

    // Started on A, the right amount reported on B after 7 days: expired, no record.
    const third = await a.identity.startTransfer(qiming, qimingAccount, { idempotencyKey: 't3' });
    clock += 7 * DAY - 1;
    expect(await b.identity.getFlow(third.id)).toMatchObject({ status: 'pending' });
    clock += 1;
    await expect(b.identity.submitTransferAmount(third.id, LOCAL_TRANSFER_FEN, { idempotencyKey: 'c1' })).rejects.toMatchObject({ code: 'FLOW_CLOSED' });
    const expired = await a.identity.getFlow(third.id);
    expect(expired.status).toBe('expired');
    expect(expired.record).toBeUndefined();
  });

  it('a server started after a restart continues a flow the old one began', async () => {
    const before = await server();
    const started = await before.identity.startFlow({ capability: 'person.telecom', person: { ...zhang, mobile: '13800138000' } }, { idempotencyKey: 'start' });
    await before.store.close();
    servers.splice(servers.indexOf(before), 1);
    const after = await server();
    expect(await after.identity.submitSmsCode(started.id, LOCAL_SMS_CODE, { idempotencyKey: 'code' })).toMatchObject({ status: 'passed' });
  });

  it('costs counted by two servers at once lose no call, and a server started later reads the same totals', async () => {
    const a = await server();
    const b = await server();
    const compare = (router: IdentityRouter, i: number) => router.compare({ capability: 'person.two_factors', person: zhang }, { idempotencyKey: `k${i}` });
    const start = (router: IdentityRouter, i: number) => router.start({ capability: 'person.telecom', person: { ...zhang, mobile: '13800138000' } }, { idempotencyKey: `s${i}` });
    await Promise.all([
      ...Array.from({ length: 25 }, (_, i) => compare(i % 2 ? a.router : b.router, i)),
      ...Array.from({ length: 10 }, (_, i) => start(i % 2 ? b.router : a.router, i)),
    ]);
    // A refused input (a wrong check digit) is a failed call, not billed.
    await expect(a.router.compare({ capability: 'person.two_factors', person: { ...zhang, idNumber: '310101199003071231' } }, { idempotencyKey: 'bad' })).rejects.toMatchObject({ code: 'PROVIDER_REJECTED' });

    const expected = {
      local: {
        answered: 35,
        failed: 1,
        fen: 25 * 30 + 10 * 45,
        byCapability: { 'person.two_factors': { answered: 25, failed: 1, fen: 750 }, 'person.telecom': { answered: 10, failed: 0, fen: 450 } },
      },
    };
    expect(await a.router.costs()).toEqual(expected);
    expect(await b.router.costs()).toEqual(expected);
    const later = await server();
    expect(await later.router.costs()).toEqual(expected);
  });
});
