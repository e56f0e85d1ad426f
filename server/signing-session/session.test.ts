// The signing-session rules on a real store (SQLite and PostgreSQL) with a fake clock: no
// HTTP, no Temporal. The contract service is the one thing faked (it talks to Temporal);
// its shape is ContractService's, checked by the type.
import { createHmac, createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContractState, SignerState } from '../../flows';
import { createNotifier, type Message } from '../../notify';
import { openStore, type Store } from '../../store';
import { contractState } from '../../test/store/fixtures';
import { createTestDatabase, dialects, readTable, type TestDatabase } from '../../test/support/databases';
import type { ContractService } from '../contracts';
import { AppError } from '../errors';
import { createSigningSession, OTP_DAILY_MAX, OTP_MAX_FAILURES, OTP_MAX_LOCKOUTS, OTP_RESEND_MS, type SigningSession } from '.';

const TOKEN = 'tok_supplier_0123456789abcdefghijklmnop';
const MOBILE = '13800138000';
const secret = Buffer.alloc(32, 7);

function supplier(overrides: Partial<SignerState> = {}): SignerState {
  return {
    id: 'supplier', party: 'company', name: '深圳市华强电子有限公司', order: 1, documents: ['contract'], email: null, mobile: MOBILE, creditCode: null, idNumber: null,
    seal: null, verify: 'sms-otp', mustRead: false, prompt: null, status: 'invited', invitedAt: null, signedAt: null, declineReason: null, reminders: 0, lastNudgeAt: null,
    ...overrides,
  };
}

/** What an AppError-throwing call answered: its code and status, or 'ok'. */
async function answer(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'ok';
  } catch (error) {
    if (error instanceof AppError) return `${error.status} ${error.code}`;
    throw error;
  }
}

describe.each(dialects)('signing session (%s)', (dialect) => {
  let database: TestDatabase;
  let store: Store;
  let now: number;
  let sent: Message[];
  let signed: string[];
  let session: SigningSession;
  let contract: ContractState;

  const codeSent = () => /验证码 (\d{6})/.exec(sent.filter((m) => m.channel === 'sms').at(-1)!.body)![1];
  const later = (ms: number) => (now += ms);
  async function setStatus(status: ContractState['status']) {
    contract = { ...contract, status, revision: contract.revision + 1 };
    await store.contracts.save(contract);
  }

  beforeEach(async () => {
    database = await createTestDatabase(dialect, { migrated: true });
    store = await openStore(database.options);
    now = Date.parse('2026-03-01T02:00:00.000Z');
    sent = [];
    signed = [];
    contract = contractState({ id: 'c-1', status: 'signing', steps: [], currentStep: null, signers: [supplier()] });
    await store.contracts.insertIfAbsent(contract);
    await store.signerLinks.ensure({ token: TOKEN, contractId: 'c-1', signerId: 'supplier', expiresAt: '2026-03-08T00:00:00.000Z' });
    // The real notifier with a real SMS transport (a provider that accepts everything): the outbox masks.
    const real = createNotifier({ store, outbox: true, sms: { send: async () => ({ id: 'sms-1' }) } });
    const contracts = {
      sign: async (id: string, input: { signerId: string }) => {
        signed.push(`${id}/${input.signerId}`);
        return contract;
      },
      decline: async () => contract,
      nudge: async (_id: string, input: { signerId: string | null }) => ({ nudged: [input.signerId ?? 'supplier'], revision: contract.revision }),
    } as Pick<ContractService, 'sign' | 'decline' | 'nudge'> as ContractService;
    session = createSigningSession({
      store,
      contracts,
      notifier: { send: async (message, key) => (sent.push(message), real.send(message, key)) },
      secret,
      clock: () => new Date(now),
    });
  });
  afterEach(async () => {
    await store?.close();
    await database?.drop();
  });

  const signWith = (otp: string) => session.sign(TOKEN, { otp, authorization: undefined }, { ip: null, userAgent: null });

  it('counts a parallel burst of 20 wrong codes as five failures, never more', async () => {
    await session.sendCode(TOKEN);
    const code = codeSent();
    const wrong = code === '000000' ? '111111' : '000000';
    const answers = await Promise.all(Array.from({ length: 20 }, () => answer(signWith(wrong))));
    expect(answers.filter((a) => a === '400 otp_invalid')).toHaveLength(OTP_MAX_FAILURES - 1);
    expect(answers.filter((a) => a === '429 otp_locked')).toHaveLength(20 - (OTP_MAX_FAILURES - 1));
    const [row] = await readTable(database, 'signer_links');
    expect(Number(row.otp_failures)).toBe(OTP_MAX_FAILURES);
    expect(Number(row.otp_lockouts)).toBe(1);
    expect(await answer(signWith(code))).toBe('429 otp_locked');
    expect(signed).toEqual([]);
  });

  it('lets a right code sign once, also when it is sent twice at the same time', async () => {
    await session.sendCode(TOKEN);
    const answers = await Promise.all([answer(signWith(codeSent())), answer(signWith(codeSent()))]);
    // The other finds the code used: at the check (otp_required) or when using it (otp_used).
    expect(answers.filter((a) => a === 'ok')).toHaveLength(1);
    expect(answers.find((a) => a !== 'ok')).toMatch(/^(409 otp_used|400 otp_required)$/);
    expect(signed).toEqual(['c-1/supplier']);
  });

  it('locks the link after three lockouts until the sender nudges the signer', async () => {
    for (let lockout = 1; lockout <= OTP_MAX_LOCKOUTS; lockout++) {
      await session.sendCode(TOKEN);
      const wrong = codeSent() === '000000' ? '111111' : '000000';
      for (let i = 0; i < OTP_MAX_FAILURES; i++) await answer(signWith(wrong));
      later(OTP_RESEND_MS + 1000);
    }
    expect(await answer(session.sendCode(TOKEN))).toBe('423 link_locked');
    expect(await answer(signWith('123456'))).toBe('423 link_locked');
    expect(sent.filter((m) => m.channel === 'sms')).toHaveLength(OTP_MAX_LOCKOUTS);

    await session.nudge('c-1', { actor: { id: 'u_1' } as never, signerId: 'supplier' });
    await session.sendCode(TOKEN);
    expect(await answer(signWith(codeSent()))).toBe('ok');
  });

  it("shares lockouts and pages read between a signer's two links (the email's and the SMS's)", async () => {
    const SMS_TOKEN = 'tok_sms_supplier_0123';
    await store.signerLinks.ensure({ token: SMS_TOKEN, contractId: 'c-1', signerId: 'supplier', expiresAt: '2026-03-08T00:00:00.000Z' });
    const signWithOn = (token: string, otp: string) => session.sign(token, { otp, authorization: undefined }, { ip: null, userAgent: null });
    // Three lockouts, spread over both links, lock both: a second link is no second set of tries.
    for (let lockout = 1; lockout <= OTP_MAX_LOCKOUTS; lockout++) {
      const token = lockout % 2 ? TOKEN : SMS_TOKEN;
      await session.sendCode(token);
      const wrong = codeSent() === '000000' ? '111111' : '000000';
      for (let i = 0; i < OTP_MAX_FAILURES; i++) await answer(signWithOn(token, wrong));
      later(OTP_RESEND_MS + 1000);
    }
    expect(await answer(session.sendCode(TOKEN))).toBe('423 link_locked');
    expect(await answer(session.sendCode(SMS_TOKEN))).toBe('423 link_locked');

    const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
    await store.signerLinks.markRead(hashOf(SMS_TOKEN), 'contract', 1);
    await store.signerLinks.markRead(hashOf(TOKEN), 'contract', 1);
    await store.signerLinks.markRead(hashOf(TOKEN), 'contract', 2);
    expect(await store.signerLinks.pagesRead(hashOf(SMS_TOKEN))).toEqual({ contract: [1, 2] });
  });

  it('sends one mobile number at most the daily number of codes, then says when to ask again', async () => {
    for (let i = 0; i < OTP_DAILY_MAX; i++) {
      expect(await answer(session.sendCode(TOKEN))).toBe('ok');
      later(OTP_RESEND_MS + 1000);
    }
    const refused = await session.sendCode(TOKEN).catch((error: AppError) => error);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ status: 429, code: 'otp_daily_limit' });
    // The next day in China begins at 16:00 UTC.
    expect((refused as AppError).message).toContain('2026-03-01T16:00:00.000Z');
    now = Date.parse('2026-03-01T16:00:01.000Z');
    expect(await answer(session.sendCode(TOKEN))).toBe('ok');
  });

  it('counts codes per number in one statement: a parallel burst gets exactly the cap', async () => {
    const counts = await Promise.all(Array.from({ length: 20 }, () => store.signerLinks.countCodeSent(MOBILE, '2026-03-01', OTP_DAILY_MAX)));
    expect(counts.filter((c) => c !== null).sort((a, b) => a! - b!)).toEqual(Array.from({ length: OTP_DAILY_MAX }, (_, i) => i + 1));
  });

  it('keeps a code only as a keyed hash, and the outbox of a real SMS delivery without it', async () => {
    await session.sendCode(TOKEN);
    const code = codeSent();
    const [link] = await readTable(database, 'signer_links');
    expect(JSON.stringify(link)).not.toContain(code);
    const tokenHash = createHash('sha256').update(TOKEN).digest('hex');
    expect(link.otp_hash).toBe(createHmac('sha256', secret).update(`sealflow/otp/v1\0${tokenHash}\0${code}`).digest('hex'));
    expect(link.otp_hash).not.toBe(createHash('sha256').update(code).digest('hex'));
    const outbox = await readTable(database, 'outbox');
    expect(outbox).toHaveLength(1);
    expect(outbox[0].body).not.toContain(code);
    expect(outbox[0].body).toContain('验证码 ******');
  });

  it.each(['completed', 'cancelled', 'declined', 'expired'] as const)('answers 410 on every call once the contract is %s', async (status) => {
    await setStatus(status);
    const evidence = { ip: null, userAgent: null };
    const calls: Record<string, () => Promise<unknown>> = {
      page: () => session.checkLink(TOKEN),
      view: () => session.view(TOKEN),
      document: () => session.document(TOKEN, 'contract'),
      read: () => session.read(TOKEN, { document: 'contract', page: 1 }),
      otp: () => session.sendCode(TOKEN),
      sign: () => signWith('123456'),
      decline: () => session.decline(TOKEN, 'no', evidence),
      batchOtp: () => session.sendBatchCode([TOKEN]),
      batchSign: () => session.signBatch([TOKEN], { otp: '123456', authorization: undefined }, evidence),
    };
    for (const [name, call] of Object.entries(calls)) expect(`${name}: ${await answer(call())}`).toBe(`${name}: 410 link_closed`);
    const error = await session.view(TOKEN).catch((e: AppError) => e);
    expect((error as AppError).message).toMatch(/no longer works/);
  });

  it('serves the signed copy through its own link until it expires', async () => {
    await store.documents.put(Buffer.from('%PDF-1.7 signed'), 'application/pdf');
    const sha256 = createHash('sha256').update('%PDF-1.7 signed').digest('hex');
    contract = { ...contract, documents: [{ id: 'contract', template: 't', title: '采购合同', sha256, size: 15, pages: 1, signers: ['supplier'], signatureAreas: [], generatedAt: '2026-03-01T00:00:00.000Z' }] };
    await setStatus('completed');
    await store.signerLinks.ensureCopy({ token: 'copy_0123456789abcdefghijkl', contractId: 'c-1', signerId: 'supplier', expiresAt: '2026-03-31T02:00:00.000Z' });
    expect(await session.copy('copy_0123456789abcdefghijkl')).toMatchObject({ expiresAt: '2026-03-31T02:00:00.000Z', documents: [{ id: 'contract', sha256 }] });
    expect(Buffer.from((await session.copyDocument('copy_0123456789abcdefghijkl', 'contract')).content).toString()).toBe('%PDF-1.7 signed');
    expect(await answer(session.copy('copy_unknown_0123456789abcdef'))).toBe('404 copy_not_found');
    now = Date.parse('2026-03-31T02:00:01.000Z');
    expect(await answer(session.copy('copy_0123456789abcdefghijkl'))).toBe('410 copy_expired');
    expect(await answer(session.copyDocument('copy_0123456789abcdefghijkl', 'contract'))).toBe('410 copy_expired');
  });

  it('refuses a signer of the retired verify "face" until a verified identity at level face is bound on their link', async () => {
    contract = { ...contract, signers: [supplier({ verify: 'face', idNumber: '11010519491231002X' })] };
    await setStatus('signing');
    expect(await answer(session.sign(TOKEN, { authorization: undefined }, { ip: null, userAgent: null }))).toBe('409 identity_required');
    expect(signed).toEqual([]);
  });
});
