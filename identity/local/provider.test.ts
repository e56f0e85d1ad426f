import { describe, expect, it } from 'vitest';
import { identityProvidersFor } from '../index';
import type { CallContext, IdentityProvider } from '../provider';
import { createLocalIdentityProvider, LOCAL_SMS_CODE, LOCAL_TRANSFER_FEN, loadLocalFixtures } from './provider';

const ctx: CallContext = { idempotencyKey: 'k', signal: new AbortController().signal };
const zhang = { name: '张三', idNumber: '310101199003071230' };
const qiming = { name: '上海启明智能制造有限公司', creditCode: '91310000MA1FL0001R', legalRepresentative: '张三' };
const local = (): IdentityProvider => createLocalIdentityProvider({ notForProduction: true });

describe('local development identity provider', () => {
  it('cannot be built without saying it is not for production, and exists only when the setting names it', () => {
    expect(() => createLocalIdentityProvider({} as never)).toThrow(/checks nobody/);
    expect(identityProvidersFor([])).toEqual([]);
    const [provider] = identityProvidersFor(['local']);
    expect(provider).toMatchObject({ id: 'local', production: false });
  });

  it('ships fixtures whose numbers pass their check characters', () => {
    const fixtures = loadLocalFixtures();
    expect(fixtures.people.length).toBeGreaterThanOrEqual(2);
    expect(fixtures.companies.length).toBeGreaterThanOrEqual(2);
  });

  it('answers two factors from the fixtures: match, mismatch on another name, no record for an unknown valid number', async () => {
    const provider = local();
    expect((await provider.compare({ capability: 'person.two_factors', person: zhang }, ctx)).outcome).toBe('match');
    expect((await provider.compare({ capability: 'person.two_factors', person: { ...zhang, name: '张四' } }, ctx)).outcome).toBe('mismatch');
    // 11010519491231002X: the GB 11643 example number, valid but in nobody's fixtures.
    expect((await provider.compare({ capability: 'person.two_factors', person: { name: '张三', idNumber: '11010519491231002X' } }, ctx)).outcome).toBe('no_record');
  });

  it('refuses an ID number or a credit code whose check character is wrong, as input it will not compare', async () => {
    const provider = local();
    await expect(provider.compare({ capability: 'person.two_factors', person: { ...zhang, idNumber: '310101199003071231' } }, ctx)).rejects.toMatchObject({ failure: 'rejected', failsOver: false });
    await expect(provider.compare({ capability: 'company.three_factors', company: { ...qiming, creditCode: '91310000MA1FL0001S' } }, ctx)).rejects.toMatchObject({ failure: 'rejected' });
  });

  it('answers company three and four factors', async () => {
    const provider = local();
    expect((await provider.compare({ capability: 'company.three_factors', company: qiming }, ctx)).outcome).toBe('match');
    expect((await provider.compare({ capability: 'company.three_factors', company: { ...qiming, legalRepresentative: '李四' } }, ctx)).outcome).toBe('mismatch');
    expect((await provider.compare({ capability: 'company.four_factors', company: { ...qiming, legalRepresentativeIdNumber: zhang.idNumber } }, ctx)).outcome).toBe('match');
    expect((await provider.compare({ capability: 'company.four_factors', company: { ...qiming, legalRepresentativeIdNumber: '440304199208152017' } }, ctx)).outcome).toBe('mismatch');
  });

  it('walks telecom three factors through its fixed SMS code; a wrong code leaves the flow pending', async () => {
    const provider = local();
    const started = await provider.start({ capability: 'person.telecom', person: { ...zhang, mobile: '13800138000' } }, ctx);
    expect(started).toMatchObject({ step: 'sms_code', status: 'pending' });
    expect(await provider.advance(started.flowId, { kind: 'sms_code', code: '000000' }, ctx)).toMatchObject({ status: 'pending', outcome: 'wrong_input' });
    expect(await provider.advance(started.flowId, { kind: 'sms_code', code: LOCAL_SMS_CODE }, ctx)).toMatchObject({ status: 'passed', step: 'done' });
    expect(await provider.start({ capability: 'person.telecom', person: { ...zhang, mobile: '13900139000' } }, ctx)).toMatchObject({ status: 'failed', outcome: 'mismatch' });
  });

  it('walks bank four factors, face (per fixture) and the company flows', async () => {
    const provider = local();
    const bank = await provider.start({ capability: 'person.bank', person: { ...zhang, mobile: '13800138000', bankCard: '6222 0202 0011 2233 445' } }, ctx);
    expect((await provider.advance(bank.flowId, { kind: 'sms_code', code: LOCAL_SMS_CODE }, ctx)).status).toBe('passed');

    const face = await provider.start({ capability: 'person.face', person: zhang, returnUrl: 'https://hub.example/back' }, ctx);
    expect(face).toMatchObject({ step: 'face', status: 'pending', redirectUrl: expect.stringContaining('return=https%3A%2F%2Fhub.example%2Fback') });
    expect((await provider.advance(face.flowId, { kind: 'poll' }, ctx)).status).toBe('passed');
    const liFace = await provider.start({ capability: 'person.face', person: { name: '李四', idNumber: '110105198506120042' }, returnUrl: 'https://hub.example/back' }, ctx);
    expect(await provider.advance(liFace.flowId, { kind: 'poll' }, ctx)).toMatchObject({ status: 'failed', outcome: 'mismatch' });

    const transfer = await provider.start({ capability: 'company.transfer', company: qiming, account: { number: '31001234567890123456', bank: '中国建设银行上海张江支行' } }, ctx);
    expect(transfer).toMatchObject({ step: 'transfer_amount', status: 'pending' });
    expect((await provider.advance(transfer.flowId, { kind: 'transfer_amount', amountFen: LOCAL_TRANSFER_FEN + 1 }, ctx)).status).toBe('pending');
    expect((await provider.advance(transfer.flowId, { kind: 'transfer_amount', amountFen: LOCAL_TRANSFER_FEN }, ctx)).status).toBe('passed');

    const reverse = await provider.start({ capability: 'company.reverse_payment', company: qiming }, ctx);
    expect(reverse.payTo).toMatchObject({ amountFen: expect.any(Number) });
    expect((await provider.advance(reverse.flowId, { kind: 'poll' }, ctx)).status).toBe('passed');

    const yuanhang = { name: '深圳远航贸易有限公司', creditCode: '91440300MA5G000020', legalRepresentative: '王五', legalRepresentativeIdNumber: '440304199208152017' };
    const authorisation = await provider.start({ capability: 'company.authorisation', company: yuanhang, legalRepresentativeMobile: '13700137000', returnUrl: 'https://hub.example/back' }, ctx);
    expect(authorisation.redirectUrl).toBeTruthy();
    expect(await provider.advance(authorisation.flowId, { kind: 'poll' }, ctx)).toMatchObject({ status: 'failed', outcome: 'declined' });
    await expect(provider.advance('nope', { kind: 'poll' }, ctx)).rejects.toMatchObject({ failure: 'unknown_flow' });
  });

  it('keeps no flow: another instance (another server, or this one restarted) continues it from its id alone', async () => {
    const started = await local().start({ capability: 'person.telecom', person: { ...zhang, mobile: '13800138000' } }, ctx);
    expect(started.flowId).not.toContain(zhang.idNumber);
    expect(Buffer.from(started.flowId.split('.')[1], 'base64url').toString()).not.toContain(zhang.idNumber);
    const elsewhere = local();
    expect(await elsewhere.advance(started.flowId, { kind: 'sms_code', code: '000000' }, ctx)).toMatchObject({ status: 'pending', step: 'sms_code', outcome: 'wrong_input' });
    expect(await elsewhere.advance(started.flowId, { kind: 'sms_code', code: LOCAL_SMS_CODE }, ctx)).toMatchObject({ status: 'passed', step: 'done' });
    const reverse = await local().start({ capability: 'company.reverse_payment', company: qiming }, ctx);
    expect(await elsewhere.advance(reverse.flowId, { kind: 'sms_code', code: LOCAL_SMS_CODE }, ctx).catch((e) => e)).toMatchObject({ failure: 'rejected' });
    // A flow that failed at its start stays failed wherever it is asked.
    const failed = await local().start({ capability: 'person.telecom', person: { ...zhang, mobile: '13900139000' } }, ctx);
    expect(await elsewhere.advance(failed.flowId, { kind: 'poll' }, ctx)).toMatchObject({ status: 'failed', outcome: 'mismatch' });
    await expect(elsewhere.advance(`${started.flowId.split('.')[0]}.not-json`, { kind: 'poll' }, ctx)).rejects.toMatchObject({ failure: 'unknown_flow' });
  });
});
