// Several providers per capability, in priority order. A one-shot comparison or the start of a
// flow goes to the first healthy provider and falls over to the next one only when the
// provider failed (no answer, 5xx, exhausted balance) — never on a mismatch or no-record, which
// would let a caller probe an identity against every provider until one said yes. A started
// flow stays with the provider that holds it.
import { costsByProvider, memoryCostCounter, type CostCounter, type ProviderCosts } from './costs';
import { IdentityError } from './errors';
import { IdentityProviderError, type CallContext, type Capability, type ComparisonRequest, type ComparisonResult, type FlowInput, type FlowRequest, type FlowState, type IdentityProvider } from './provider';

export interface RouterOptions {
  /** In priority order; each is asked only for the capabilities it lists. */
  providers: IdentityProvider[];
  /** Milliseconds since the epoch. */
  now?: () => number;
  /** A call without an answer after this long counts as a transport failure (default 10 s). */
  timeoutMs?: number;
  /** Failures in a row after which a provider is skipped (default 3)… */
  failureThreshold?: number;
  /** …for this long (default 60 s); then it is asked again, and one more failure skips it again. */
  coolDownMs?: number;
  /**
   * Where calls are counted: the hub passes store.identityCosts, so every server adds to the same
   * count (default: this router's memory). Health stays in this process (README: why).
   */
  costs?: CostCounter;
}

export type { ProviderCosts };

export interface ProviderHealth {
  consecutiveFailures: number;
  /** Skipped until then (ms since the epoch); null when healthy. */
  skippedUntil: number | null;
}

export interface Routed<T> {
  provider: string;
  result: T;
  /** Providers asked before the one that answered, and why each failed. */
  failedOver: { provider: string; failure: string }[];
}

export interface IdentityRouter {
  compare(request: ComparisonRequest, context: { idempotencyKey: string }): Promise<Routed<ComparisonResult>>;
  start(request: FlowRequest, context: { idempotencyKey: string }): Promise<Routed<FlowState>>;
  /** Only the provider that started the flow is asked, healthy or not. `capability`: the flow's, under which a failure is counted. */
  advance(provider: string, flowId: string, input: FlowInput, context: { idempotencyKey: string; capability: Capability }): Promise<FlowState>;
  /** Calls per provider and capability, as counted (by every server, when the counter is the database's). */
  costs(): Promise<Record<string, ProviderCosts>>;
  health(): Record<string, ProviderHealth>;
}

export function createIdentityRouter(options: RouterOptions): IdentityRouter {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const threshold = options.failureThreshold ?? 3;
  const coolDownMs = options.coolDownMs ?? 60_000;
  const ids = new Set<string>();
  for (const provider of options.providers) {
    if (ids.has(provider.id)) throw new Error(`identity provider "${provider.id}" is listed twice`);
    ids.add(provider.id);
  }
  const health = new Map<string, ProviderHealth>(options.providers.map((p) => [p.id, { consecutiveFailures: 0, skippedUntil: null }]));
  const costs = options.costs ?? memoryCostCounter();

  const answered = async (provider: IdentityProvider, capability: Capability) => {
    const h = health.get(provider.id)!;
    h.consecutiveFailures = 0;
    h.skippedUntil = null;
    await costs.count({ provider: provider.id, capability, outcome: 'answered', fen: provider.prices?.[capability] ?? 0 });
  };
  const failed = async (provider: IdentityProvider, capability: Capability, error: unknown) => {
    await costs.count({ provider: provider.id, capability, outcome: 'failed', fen: 0 });
    // Only the provider's own trouble makes it unhealthy; a refused input says nothing about it.
    if (error instanceof IdentityProviderError && error.failsOver) {
      const h = health.get(provider.id)!;
      h.consecutiveFailures += 1;
      if (h.consecutiveFailures >= threshold) h.skippedUntil = now() + coolDownMs;
    }
  };
  const healthy = (provider: IdentityProvider) => {
    const until = health.get(provider.id)!.skippedUntil;
    return until === null || until <= now();
  };

  /** One call with our time limit; a provider that does not answer in time failed in transport. */
  async function call<T>(run: (context: CallContext) => Promise<T>, idempotencyKey: string): Promise<T> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new IdentityProviderError('transport', `no answer within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([run({ idempotencyKey, signal: controller.signal }), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function route<T>(capability: Capability, idempotencyKey: string, run: (provider: IdentityProvider, context: CallContext) => Promise<T>): Promise<Routed<T>> {
    const able = options.providers.filter((p) => p.capabilities.includes(capability));
    if (able.length === 0) throw new IdentityError('CAPABILITY_UNAVAILABLE', `no identity provider offers ${capability}`);
    const candidates = able.filter(healthy);
    if (candidates.length === 0) throw new IdentityError('PROVIDERS_UNAVAILABLE', `every provider of ${capability} failed recently; try again later`);
    const failedOver: Routed<T>['failedOver'] = [];
    for (const provider of candidates) {
      try {
        const result = await call((context) => run(provider, context), idempotencyKey);
        await answered(provider, capability);
        return { provider: provider.id, result, failedOver };
      } catch (thrown) {
        const error = typed(thrown);
        await failed(provider, capability, error);
        if (!error.failsOver) throw asIdentityError(error);
        failedOver.push({ provider: provider.id, failure: error.failure });
      }
    }
    throw new IdentityError('PROVIDERS_UNAVAILABLE', `no provider of ${capability} answered: ${failedOver.map((f) => `${f.provider} (${f.failure})`).join(', ')}`);
  }

  return {
    compare(request, context) {
      return route(request.capability, context.idempotencyKey, (provider, ctx) => provider.compare(request, ctx));
    },
    start(request, context) {
      return route(request.capability, context.idempotencyKey, (provider, ctx) => provider.start(request, ctx));
    },
    async advance(providerId, flowId, input, context) {
      const provider = options.providers.find((p) => p.id === providerId);
      if (!provider) throw new IdentityError('PROVIDERS_UNAVAILABLE', `the provider "${providerId}" that started this verification is no longer configured`);
      try {
        const state = await call((ctx) => provider.advance(flowId, input, ctx), context.idempotencyKey);
        // Advancing a flow is billed with its start; count the answer for health only.
        health.get(provider.id)!.consecutiveFailures = 0;
        health.get(provider.id)!.skippedUntil = null;
        return state;
      } catch (thrown) {
        const error = typed(thrown);
        await failed(provider, context.capability, error);
        throw asIdentityError(error);
      }
    },
    costs: async () => costsByProvider(await costs.totals(), options.providers.map((p) => p.id)),
    health: () => structuredClone(Object.fromEntries(health)),
  };
}

/**
 * An adapter that throws something untyped (a bug, a parse error of a garbled answer) gave no
 * answer: that is the provider side failing, like a transport error, not a verdict on the person.
 */
function typed(error: unknown): IdentityProviderError {
  if (error instanceof IdentityProviderError) return error;
  return new IdentityProviderError('transport', `the provider adapter failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

function asIdentityError(error: IdentityProviderError): IdentityError {
  if (error.failure === 'rejected') return new IdentityError('PROVIDER_REJECTED', error.message, { cause: error });
  if (error.failure === 'unknown_flow') return new IdentityError('FLOW_NOT_FOUND', error.message, { cause: error });
  return new IdentityError('PROVIDERS_UNAVAILABLE', error.message, { cause: error });
}
