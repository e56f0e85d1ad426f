import { describe, expect, it } from 'vitest';
import { applyContractChanges, baselineOf, changesSince } from './contract-changes';
import type { ContractState } from './contract';

const state = (): ContractState =>
  ({
    id: 'c1', flowKey: 'f', flowVersion: 1, flowName: 'F', sourceKey: null, title: 'T', status: 'in_approval', amount: 10,
    tier: { index: 0 }, data: { big: 'x'.repeat(1000) }, steps: [], currentStep: null, documents: [], signers: [],
    signingDeadline: null, evidenceSha256: null, archiveFolder: null, timeline: [{ at: '2026-01-01T00:00:00Z', type: 'started', actor: 'u', message: 'Started' }],
    startedBy: 'u', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', revision: 1,
  }) as unknown as ContractState;

describe('contract changes', () => {
  it('sends only the fields that changed and the events added, never the data again', () => {
    const s = state();
    const first = baselineOf(s);
    s.status = 'approved';
    s.timeline.push({ at: '2026-01-01T00:01:00Z', type: 'approved', actor: 'system', message: 'ok' });
    s.updatedAt = '2026-01-01T00:01:00Z';
    s.revision = 2;
    const { changes } = changesSince(first, s);
    expect(Object.keys(changes.set).sort()).toEqual(['status', 'updatedAt']);
    expect(changes.appended.map((e) => e.type)).toEqual(['approved']);
    expect(JSON.stringify(changes)).not.toContain('xxxx');
    expect(changes).toMatchObject({ revision: 2, base: 1, timelineFrom: 1 });
  });

  it('applies on the revision it was computed from, ignores a retry, and refuses any other base', () => {
    const stored = state();
    const s = state();
    s.revision = 2;
    s.status = 'signing';
    s.timeline.push({ at: '2026-01-01T00:02:00Z', type: 'signing_started', actor: 'system', message: 'go' });
    const { changes } = changesSince(baselineOf(stored), s);
    const applied = applyContractChanges(stored, changes);
    expect(applied.outcome).toBe('applied');
    if (applied.outcome !== 'applied') return;
    expect(applied.state).toEqual(s);
    expect(applyContractChanges(applied.state, changes).outcome).toBe('already-applied');
    expect(applyContractChanges({ ...stored, revision: 0 }, changes)).toEqual({ outcome: 'out-of-order', stored: 0 });
  });
});
