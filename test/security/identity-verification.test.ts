// Real-name verification as the hub keeps it: records on both databases, the 对公打款 rules
// (3 tries, 7-day window) on a fake clock, reuse while valid, and no failover on a mismatch.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createIdentityRouter,
  createIdentityService,
  createLocalIdentityProvider,
  IdentityProviderError,
  LOCAL_SMS_CODE,
  LOCAL_TRANSFER_FEN,
  type IdentityProvider,
  type IdentityService,
} from '../../identity';
import { hashIdNumber } from '../../signing';
import { openStore, type Store } from '../../store';
import { createTestDatabase, dialects, readTable, type TestDatabase } from '../support/databases';

const zhang = { name: '张三', idNumber: '310101199003071230' };
const qiming = { name: '上海启明智能制造有限公司', creditCode: '91310000MA1FL0001R', legalRepresentative: '张三' };
const qimingAccount = { number: '31001234567890123456', bank: '中国建设银行上海张江支行' };
const idHashKey = Buffer.alloc(32, 7);
const DAY = 86_400_000;

/** Wraps a provider to count what reaches it (the outside world: each call costs money). */
function counted(provider: IdentityProvider, override?: Partial<IdentityProvider>) {
  const calls: string[] = [];
  const wrapped: IdentityProvider = {
    ...provider,
    ...override,
    compare: async (request, context) => (calls.push(`compare ${request.capability}`), (override?.compare ?? provider.compare)(request, context)),
    start: async (request, context) => (calls.push(`start ${request.capability}`), (override?.start ?? provider.start)(request, context)),
    advance: async (flowId, input, context) => (calls.push(`advance ${input.kind}`), (override?.advance ?? provider.advance)(flowId, input, context)),
  };
  return { provider: wrapped, calls };
}

describe.each(dialects)('identity verification (%s)', (dialect) => {
  let database: TestDatabase;
  let store: Store;
  let clock: number;
  beforeEach(async () => {
    database = await createTestDatabase(dialect, { migrated: true });
    store = await openStore(database.options);
    clock = Date.parse('2026-03-02T09:00:00.000Z');
  });
  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  const service = (providers: IdentityProvider[]): IdentityService =>
    createIdentityService({ store: store.identities, router: createIdentityRouter({ providers, now: () => clock }), idHashKey, now: () => new Date(clock) });
  const local = () => counted(createLocalIdentityProvider({ notForProduction: true }));

  it('records a two-factor match with the ID number only as the HMAC certificates use, and reuses it while valid', async () => {
    const { provider, calls } = local();
    const identity = service([provider]);
    const first = await identity.verifyPerson(zhang, { idempotencyKey: 'v1' });
    expect(first).toMatchObject({ outcome: 'match', reused: false, record: { level: 'two-factor', method: 'person.two_factors', provider: 'local', subject: { kind: 'person', name: '张三' } } });
    if (first.outcome !== 'match') throw new Error('unreachable');
    expect(first.record.subject.idNumberHmac).toBe(hashIdNumber(zhang.idNumber, idHashKey));
    expect(first.record.evidenceDigest).toMatch(/^[0-9a-f]{64}$/);
    const rows = await readTable(database, 'identity_records');
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(zhang.idNumber);

    clock += 300 * DAY;
    expect(await identity.verifyPerson(zhang, { idempotencyKey: 'v2' })).toMatchObject({ outcome: 'match', reused: true, record: { id: first.record.id } });
    expect(calls).toEqual(['compare person.two_factors']);
    // Under another name the record proves nothing: the provider is asked, and says mismatch.
    expect(await identity.verifyPerson({ ...zhang, name: '张四' }, { idempotencyKey: 'v3' })).toMatchObject({ outcome: 'mismatch' });
    expect(await identity.findVerifiedIdentity({ kind: 'person', name: '张四', idNumber: zhang.idNumber }, 'two-factor')).toBeNull();

    clock += 66 * DAY; // past 365 days
    expect(await identity.findVerifiedIdentity({ kind: 'person', ...zhang }, 'two-factor')).toBeNull();
    expect(await identity.verifyPerson(zhang, { idempotencyKey: 'v4' })).toMatchObject({ outcome: 'match', reused: false });
    expect(calls).toHaveLength(3);
  });

  it('refuses a malformed ID number with its JSON path before any provider is asked (and charged)', async () => {
    const { provider, calls } = local();
    const error = await service([provider]).verifyPerson({ name: '张三', idNumber: '310101199003071231' }, { idempotencyKey: 'v' }).catch((e) => e);
    expect(error).toMatchObject({ code: 'INVALID_INPUT', details: [{ path: '/idNumber', message: expect.stringContaining('GB 11643') }] });
    const company = await service([provider]).verifyCompany({ ...qiming, creditCode: '91310000MA1FL0001S' }, { idempotencyKey: 'c' }).catch((e) => e);
    expect(company).toMatchObject({ code: 'INVALID_INPUT', details: [{ path: '/creditCode' }] });
    expect(calls).toEqual([]);
  });

  it('never asks the second provider after the first says mismatch, and stores nothing', async () => {
    const first = local();
    const second = counted(createLocalIdentityProvider({ notForProduction: true }), {
      id: 'would-say-match',
      compare: async () => ({ outcome: 'match', reference: 'x', evidence: '{}' }),
    });
    const result = await service([first.provider, second.provider]).verifyPerson({ ...zhang, name: '王五' }, { idempotencyKey: 'probe' });
    expect(result).toEqual({ outcome: 'mismatch', provider: 'local' });
    expect(second.calls).toEqual([]);
    expect(await readTable(database, 'identity_records')).toHaveLength(0);
  });

  it('falls over to the second provider when the first is down, and records who verified', async () => {
    const down = counted(createLocalIdentityProvider({ notForProduction: true }), {
      id: 'vendor-down',
      compare: async () => {
        throw new IdentityProviderError('server', '502 Bad Gateway');
      },
    });
    const backup = local();
    const result = await service([down.provider, backup.provider]).verifyCompany({ ...qiming, legalRepresentativeIdNumber: zhang.idNumber }, { idempotencyKey: 'c1' });
    expect(result).toMatchObject({ outcome: 'match', record: { provider: 'local', level: 'company-four-factor', subject: { kind: 'company', creditCode: qiming.creditCode, legalRepresentative: '张三' } } });
    expect(down.calls).toEqual(['compare company.four_factors']);
  });

  it('对公打款: three wrong amounts close the transfer; a fourth, even the right one, is refused', async () => {
    const { provider, calls } = local();
    const identity = service([provider]);
    const flow = await identity.startTransfer(qiming, qimingAccount, { idempotencyKey: 't1' });
    expect(flow).toMatchObject({ level: 'company-transfer', status: 'pending', step: 'transfer_amount', triesLeft: 3, windowEndsAt: new Date(clock + 7 * DAY).toISOString() });
    expect(await identity.submitTransferAmount(flow.id, 1, { idempotencyKey: 'a1' })).toMatchObject({ status: 'pending', triesLeft: 2, outcome: 'wrong_input' });
    expect(await identity.submitTransferAmount(flow.id, 2, { idempotencyKey: 'a2' })).toMatchObject({ status: 'pending', triesLeft: 1 });
    expect(await identity.submitTransferAmount(flow.id, 3, { idempotencyKey: 'a3' })).toMatchObject({ status: 'failed', triesLeft: 0 });
    await expect(identity.submitTransferAmount(flow.id, LOCAL_TRANSFER_FEN, { idempotencyKey: 'a4' })).rejects.toMatchObject({ code: 'FLOW_CLOSED' });
    expect(calls.filter((c) => c.startsWith('advance'))).toHaveLength(3);
    expect(await identity.findVerifiedIdentity({ kind: 'company', name: qiming.name, creditCode: qiming.creditCode }, 'company-transfer')).toBeNull();
  });

  it('对公打款: the same amount sent twice with one idempotency key (a double click) takes one try and asks the provider once', async () => {
    const { provider, calls } = local();
    const identity = service([provider]);
    const flow = await identity.startTransfer(qiming, qimingAccount, { idempotencyKey: 't1' });
    expect(await identity.submitTransferAmount(flow.id, 5, { idempotencyKey: 'click-1' })).toMatchObject({ status: 'pending', triesLeft: 2 });
    expect(await identity.submitTransferAmount(flow.id, 5, { idempotencyKey: 'click-1' })).toMatchObject({ status: 'pending', triesLeft: 2 });
    expect(await identity.submitTransferAmount(flow.id, LOCAL_TRANSFER_FEN, { idempotencyKey: 'click-2' })).toMatchObject({ status: 'passed' });
    expect(await identity.submitTransferAmount(flow.id, LOCAL_TRANSFER_FEN, { idempotencyKey: 'click-2' })).toMatchObject({ status: 'passed' });
    expect(calls.filter((c) => c.startsWith('advance'))).toHaveLength(2);
  });

  it('对公打款: concurrent guesses cannot take more than the three tries', async () => {
    const identity = service([local().provider]);
    const flow = await identity.startTransfer(qiming, qimingAccount, { idempotencyKey: 't1' });
    const results = await Promise.allSettled([1, 2, 3, 4, 5, 6].map((n) => identity.submitTransferAmount(flow.id, n, { idempotencyKey: `g${n}` })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect((await identity.getFlow(flow.id)).status).toBe('failed');
  });

  it('对公打款: the right amount within the window verifies the company, at transfer level (which also proves three factors)', async () => {
    const identity = service([local().provider]);
    const flow = await identity.startTransfer(qiming, qimingAccount, { idempotencyKey: 't1' });
    await identity.submitTransferAmount(flow.id, 99, { idempotencyKey: 'a1' });
    clock += 7 * DAY - 1;
    const passed = await identity.submitTransferAmount(flow.id, LOCAL_TRANSFER_FEN, { idempotencyKey: 'a2' });
    expect(passed).toMatchObject({ status: 'passed', step: 'done', record: { level: 'company-transfer', method: 'company.transfer', provider: 'local' } });
    const company = { kind: 'company' as const, name: qiming.name, creditCode: qiming.creditCode };
    expect((await identity.findVerifiedIdentity(company, 'company-three-factor'))?.id).toBe(passed.record!.id);
    expect(await identity.findVerifiedIdentity(company, 'company-four-factor')).toBeNull();
    await expect(identity.submitTransferAmount(flow.id, LOCAL_TRANSFER_FEN, { idempotencyKey: 'a3' })).rejects.toMatchObject({ code: 'FLOW_CLOSED' });
    expect(await readTable(database, 'identity_records')).toHaveLength(1);
  });

  it('对公打款: an amount the provider never judged (it was down) costs no try', async () => {
    const real = createLocalIdentityProvider({ notForProduction: true });
    let down = true;
    const flaky = counted(real, {
      advance: async (flowId, input, context) => {
        if (down) throw new IdentityProviderError('transport', 'connection reset');
        return real.advance(flowId, input, context);
      },
    });
    const identity = service([flaky.provider]);
    const flow = await identity.startTransfer(qiming, qimingAccount, { idempotencyKey: 't1' });
    for (const n of [1, 2, 3, 4]) await expect(identity.submitTransferAmount(flow.id, LOCAL_TRANSFER_FEN, { idempotencyKey: `a${n}` })).rejects.toMatchObject({ code: 'PROVIDERS_UNAVAILABLE' });
    expect((await identity.getFlow(flow.id)).triesLeft).toBe(3);
    down = false;
    expect(await identity.submitTransferAmount(flow.id, LOCAL_TRANSFER_FEN, { idempotencyKey: 'a5' })).toMatchObject({ status: 'passed' });
  });

  it('对公打款: after 7 days the transfer accepts nothing, not even the right amount', async () => {
    const { provider, calls } = local();
    const identity = service([provider]);
    const flow = await identity.startTransfer(qiming, qimingAccount, { idempotencyKey: 't1' });
    clock += 7 * DAY;
    await expect(identity.submitTransferAmount(flow.id, LOCAL_TRANSFER_FEN, { idempotencyKey: 'late' })).rejects.toMatchObject({ code: 'FLOW_CLOSED', message: expect.stringContaining('expired') });
    expect(await identity.getFlow(flow.id)).toMatchObject({ status: 'expired', outcome: 'expired' });
    expect(calls).toEqual(['start company.transfer']);
  });

  it('telecom three factors: the SMS step verifies the person and the record keeps the mobile masked', async () => {
    const identity = service([local().provider]);
    const flow = await identity.startFlow({ capability: 'person.telecom', person: { ...zhang, mobile: '13800138000' } }, { idempotencyKey: 's1' });
    expect(flow).toMatchObject({ status: 'pending', step: 'sms_code', triesLeft: 5 });
    await expect(identity.submitSmsCode(flow.id, 'abc', { idempotencyKey: 'c0' })).rejects.toMatchObject({ code: 'INVALID_INPUT', details: [{ path: '/code' }] });
    const passed = await identity.submitSmsCode(flow.id, LOCAL_SMS_CODE, { idempotencyKey: 'c1' });
    expect(passed.record).toMatchObject({ level: 'telecom', subject: { mobileMasked: '138****8000', name: '张三' } });
    expect(JSON.stringify(await readTable(database, 'identity_flows'))).not.toContain('13800138000');
    expect(await identity.findVerifiedIdentity({ kind: 'person', ...zhang }, 'two-factor')).not.toBeNull();
    expect(await identity.findVerifiedIdentity({ kind: 'person', ...zhang }, 'face')).toBeNull();
  });

  it('a flow the provider refuses at once (mobile not theirs) is stored as failed, with no record', async () => {
    const identity = service([local().provider]);
    const flow = await identity.startFlow({ capability: 'person.telecom', person: { ...zhang, mobile: '13900139000' } }, { idempotencyKey: 's1' });
    expect(flow).toMatchObject({ status: 'failed', outcome: 'mismatch' });
    expect(await readTable(database, 'identity_records')).toHaveLength(0);
  });
});
