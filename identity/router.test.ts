import { describe, expect, it } from 'vitest';
import { IdentityError } from './errors';
import { COMPARISONS, FLOWS, IdentityProviderError, type CallContext, type ComparisonRequest, type ComparisonResult, type FlowInput, type FlowRequest, type FlowState, type IdentityProvider } from './provider';
import { createIdentityRouter } from './router';

type Behaviour = 'match' | 'mismatch' | 'no_record' | 'transport' | 'server' | 'balance' | 'rejected' | 'hang';

/** A provider that stands for a vendor's service: it answers as told and records every call. */
function fakeProvider(id: string, behaviour: () => Behaviour, prices: Partial<Record<string, number>> = {}) {
  const calls: { method: string; idempotencyKey: string; flowId?: string }[] = [];
  const act = async (): Promise<'match' | 'mismatch' | 'no_record'> => {
    const b = behaviour();
    if (b === 'hang') return new Promise(() => {});
    if (b === 'transport' || b === 'server' || b === 'balance' || b === 'rejected') throw new IdentityProviderError(b, `${id}: ${b}`);
    return b;
  };
  const provider: IdentityProvider = {
    id,
    production: true,
    capabilities: [...COMPARISONS, ...FLOWS],
    prices,
    async compare(request: ComparisonRequest, context: CallContext): Promise<ComparisonResult> {
      calls.push({ method: 'compare', idempotencyKey: context.idempotencyKey });
      const outcome = await act();
      return { outcome, reference: `${id}-ref`, evidence: `{"by":"${id}"}` };
    },
    async start(request: FlowRequest, context: CallContext): Promise<FlowState> {
      calls.push({ method: 'start', idempotencyKey: context.idempotencyKey });
      await act();
      return { flowId: `${id}-flow`, step: 'sms_code', status: 'pending', evidence: '{}' };
    },
    async advance(flowId: string, input: FlowInput, context: CallContext): Promise<FlowState> {
      calls.push({ method: 'advance', idempotencyKey: context.idempotencyKey, flowId });
      await act();
      return { flowId, step: 'done', status: 'passed', outcome: 'match', evidence: '{}' };
    },
  };
  return { provider, calls };
}

const twoFactors: ComparisonRequest = { capability: 'person.two_factors', person: { name: '张三', idNumber: '310101199003071230' } };
const telecom: FlowRequest = { capability: 'person.telecom', person: { name: '张三', idNumber: '310101199003071230', mobile: '13800138000' } };

describe('identity router', () => {
  it.each(['mismatch', 'no_record'] as const)('never asks the next provider after a %s, so nobody can probe an identity provider by provider', async (answer) => {
    const first = fakeProvider('first', () => answer);
    const second = fakeProvider('second', () => 'match');
    const router = createIdentityRouter({ providers: [first.provider, second.provider] });
    const routed = await router.compare(twoFactors, { idempotencyKey: 'k1' });
    expect(routed).toMatchObject({ provider: 'first', result: { outcome: answer }, failedOver: [] });
    expect(first.calls).toHaveLength(1);
    expect(second.calls).toHaveLength(0);
  });

  it.each(['transport', 'server', 'balance'] as const)('asks the next provider when the first fails with %s, passing the same idempotency key', async (failure) => {
    const first = fakeProvider('first', () => failure);
    const second = fakeProvider('second', () => 'match');
    const router = createIdentityRouter({ providers: [first.provider, second.provider] });
    const routed = await router.compare(twoFactors, { idempotencyKey: 'attempt-42' });
    expect(routed).toMatchObject({ provider: 'second', result: { outcome: 'match' }, failedOver: [{ provider: 'first', failure }] });
    expect(first.calls.map((c) => c.idempotencyKey)).toEqual(['attempt-42']);
    expect(second.calls.map((c) => c.idempotencyKey)).toEqual(['attempt-42']);
  });

  it('treats a provider that does not answer in time as a transport failure and fails over', async () => {
    const first = fakeProvider('first', () => 'hang');
    const second = fakeProvider('second', () => 'mismatch');
    const router = createIdentityRouter({ providers: [first.provider, second.provider], timeoutMs: 50 });
    const routed = await router.compare(twoFactors, { idempotencyKey: 'k' });
    expect(routed).toMatchObject({ provider: 'second', result: { outcome: 'mismatch' }, failedOver: [{ provider: 'first', failure: 'transport' }] });
  });

  it('treats an adapter that throws something untyped as a failed provider, not as an answer', async () => {
    const broken = fakeProvider('broken', () => 'match');
    const second = fakeProvider('second', () => 'match');
    const router = createIdentityRouter({ providers: [{ ...broken.provider, compare: async () => JSON.parse('<html>') }, second.provider] });
    const routed = await router.compare(twoFactors, { idempotencyKey: 'k' });
    expect(routed).toMatchObject({ provider: 'second', failedOver: [{ provider: 'broken', failure: 'transport' }] });
    await expect(createIdentityRouter({ providers: [{ ...broken.provider, advance: async () => { throw new TypeError('x is undefined'); } }] }).advance('broken', 'f', { kind: 'poll' }, { idempotencyKey: 'k', capability: 'person.face' })).rejects.toMatchObject({ code: 'PROVIDERS_UNAVAILABLE' });
  });

  it('does not fail over when a provider refuses the input, and says so with a typed error', async () => {
    const first = fakeProvider('first', () => 'rejected');
    const second = fakeProvider('second', () => 'match');
    const router = createIdentityRouter({ providers: [first.provider, second.provider] });
    await expect(router.compare(twoFactors, { idempotencyKey: 'k' })).rejects.toMatchObject({ code: 'PROVIDER_REJECTED' });
    expect(second.calls).toHaveLength(0);
  });

  it('reports every provider down when all of them fail', async () => {
    const router = createIdentityRouter({ providers: [fakeProvider('a', () => 'server').provider, fakeProvider('b', () => 'balance').provider] });
    const error = await router.compare(twoFactors, { idempotencyKey: 'k' }).catch((e) => e);
    expect(error).toBeInstanceOf(IdentityError);
    expect(error).toMatchObject({ code: 'PROVIDERS_UNAVAILABLE', message: expect.stringContaining('a (server), b (balance)') });
  });

  it('keeps a started flow with the provider that started it, even after that provider starts failing', async () => {
    let firstDown = true;
    const first = fakeProvider('first', () => (firstDown ? 'server' : 'match'));
    const second = fakeProvider('second', () => 'match');
    const third = fakeProvider('third', () => 'match');
    const router = createIdentityRouter({ providers: [first.provider, second.provider, third.provider] });
    const started = await router.start(telecom, { idempotencyKey: 'start-1' });
    expect(started.provider).toBe('second');
    firstDown = false;
    const state = await router.advance('second', started.result.flowId, { kind: 'sms_code', code: '123456' }, { idempotencyKey: 'code-1', capability: 'person.telecom' });
    expect(state.status).toBe('passed');
    expect(second.calls).toEqual([
      { method: 'start', idempotencyKey: 'start-1' },
      { method: 'advance', idempotencyKey: 'code-1', flowId: 'second-flow' },
    ]);
    expect(first.calls.filter((c) => c.method === 'advance')).toHaveLength(0);
    expect(third.calls).toHaveLength(0);

    // The holder failing does not send the flow elsewhere: the caller hears that it failed.
    const broken = fakeProvider('holder', () => 'transport');
    const backup = fakeProvider('backup', () => 'match');
    const router2 = createIdentityRouter({ providers: [broken.provider, backup.provider] });
    await expect(router2.advance('holder', 'holder-flow', { kind: 'sms_code', code: '1' }, { idempotencyKey: 'k', capability: 'person.telecom' })).rejects.toMatchObject({ code: 'PROVIDERS_UNAVAILABLE' });
    expect(backup.calls).toHaveLength(0);
  });

  it('skips a provider that failed N times in a row for the cool-down, then asks it again', async () => {
    let clock = 1_000_000;
    let firstFails = true;
    const first = fakeProvider('first', () => (firstFails ? 'transport' : 'match'));
    const second = fakeProvider('second', () => 'match');
    const router = createIdentityRouter({ providers: [first.provider, second.provider], now: () => clock, failureThreshold: 2, coolDownMs: 30_000 });
    await router.compare(twoFactors, { idempotencyKey: 'k1' });
    await router.compare(twoFactors, { idempotencyKey: 'k2' });
    expect(first.calls).toHaveLength(2);
    expect(router.health().first).toEqual({ consecutiveFailures: 2, skippedUntil: 1_030_000 });
    firstFails = false;
    await router.compare(twoFactors, { idempotencyKey: 'k3' });
    expect(first.calls).toHaveLength(2); // skipped while cooling down
    expect(second.calls).toHaveLength(3);
    clock += 30_000;
    const routed = await router.compare(twoFactors, { idempotencyKey: 'k4' });
    expect(routed.provider).toBe('first');
    expect(router.health().first).toEqual({ consecutiveFailures: 0, skippedUntil: null });
  });

  it('counts answered calls and their price per provider and capability; failed calls are not billed', async () => {
    let firstFails = true;
    const first = fakeProvider('first', () => (firstFails ? 'balance' : 'mismatch'), { 'person.two_factors': 30 });
    const second = fakeProvider('second', () => 'match', { 'person.two_factors': 50, 'person.telecom': 120 });
    const router = createIdentityRouter({ providers: [first.provider, second.provider] });
    await router.compare(twoFactors, { idempotencyKey: 'k1' });
    firstFails = false;
    await router.compare(twoFactors, { idempotencyKey: 'k2' });
    await router.start(telecom, { idempotencyKey: 'k3' });
    const costs = await router.costs();
    expect(costs.first).toEqual({ answered: 2, failed: 1, fen: 30, byCapability: { 'person.two_factors': { answered: 1, failed: 1, fen: 30 }, 'person.telecom': { answered: 1, failed: 0, fen: 0 } } });
    expect(costs.second).toEqual({ answered: 1, failed: 0, fen: 50, byCapability: { 'person.two_factors': { answered: 1, failed: 0, fen: 50 } } });
  });

  it('refuses a capability no provider offers', async () => {
    const only = fakeProvider('only', () => 'match');
    const router = createIdentityRouter({ providers: [{ ...only.provider, capabilities: ['person.two_factors'] }] });
    await expect(router.start(telecom, { idempotencyKey: 'k' })).rejects.toMatchObject({ code: 'CAPABILITY_UNAVAILABLE' });
  });
});
