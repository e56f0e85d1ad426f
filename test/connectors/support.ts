// Test doubles for what lies outside the connectors: the idempotent contract start (same
// flow + sourceKey → same contract) and the change recorder.
import type { SourceChange, StartContract, StartRequest } from '../../connectors';

export function createContractBook() {
  const contracts = new Map<string, { contractId: string; request: StartRequest }>();
  const calls: StartRequest[] = [];
  const changes: SourceChange[] = [];
  let failOnCall: number | undefined;
  const startContract: StartContract = async (request) => {
    calls.push(request);
    if (failOnCall !== undefined && calls.length === failOnCall) {
      throw Object.assign(new Error('Temporal unavailable'), { retryable: true });
    }
    const key = `${request.flow}\u0000${request.sourceKey}`;
    const existing = contracts.get(key);
    if (existing) return { contractId: existing.contractId, created: false };
    const contractId = `c-${contracts.size + 1}`;
    contracts.set(key, { contractId, request });
    return { contractId, created: true };
  };
  return {
    startContract,
    onChange: (change: SourceChange) => void changes.push(change),
    contracts,
    calls,
    changes,
    /** The n-th call to startContract (1-based) fails with a retryable error. */
    failOnCall(n: number | undefined) {
      failOnCall = n === undefined ? undefined : calls.length + n;
    },
    sourceKeys: () => [...contracts.values()].map((c) => c.request.sourceKey),
  };
}
