import { describe, expect, it } from 'vitest';
import type { SignerState } from './contract';
import { CONTRACT_STATUSES, ContractStatusSchema, hasReached, SETTLED_STATUSES, waitOutcome } from './status';

const signer = (id: string, order: number, status: SignerState['status'], invitationSentAt?: string): SignerState => ({
  id, party: 'company', name: id, order, documents: ['contract'], email: null, mobile: null, creditCode: null, idNumber: null, seal: null,
  verify: 'none', mustRead: false, prompt: null, status, invitedAt: status === 'waiting' ? null : '2026-01-01T00:00:00Z', signedAt: null,
  declineReason: null, reminders: 0, lastNudgeAt: null, ...(invitationSentAt ? { invitationSentAt } : {}),
});
const sent = '2026-01-01T00:00:01Z';

describe('contract statuses', () => {
  it('lists nine statuses once, and the schema enumerates exactly those', () => {
    expect(CONTRACT_STATUSES).toHaveLength(9);
    expect(new Set(CONTRACT_STATUSES).size).toBe(9);
    expect(ContractStatusSchema.enum).toEqual([...CONTRACT_STATUSES]);
    for (const status of CONTRACT_STATUSES) expect(ContractStatusSchema.description).toContain(`"${status}"`);
  });

  it('counts a contract further along the way as having reached an earlier status, never one that ended elsewhere', () => {
    expect(hasReached('completed', 'signing')).toBe(true);
    expect(hasReached('signing', 'approved')).toBe(true);
    expect(hasReached('approved', 'signing')).toBe(false);
    expect(hasReached('rejected', 'approved')).toBe(false);
    expect(hasReached('declined', 'declined')).toBe(true);
  });
});

describe('waitOutcome', () => {
  it('answers "signing" only once the first round was invited and its invitations went out', () => {
    expect(waitOutcome({ status: 'approved', signers: [] }, { status: 'signing' })).toBeNull();
    // The stage has started; nobody invited yet: an empty round must not count as "all sent".
    expect(waitOutcome({ status: 'signing', signers: [signer('buyer', 1, 'waiting'), signer('supplier', 2, 'waiting')] }, { status: 'signing' })).toBeNull();
    // Invited (the link works) but the invitation is still on its way.
    expect(waitOutcome({ status: 'signing', signers: [signer('buyer', 1, 'invited'), signer('supplier', 2, 'waiting')] }, { status: 'signing' })).toBeNull();
    expect(waitOutcome({ status: 'signing', signers: [signer('buyer', 1, 'invited', sent), signer('supplier', 2, 'waiting')] }, { status: 'signing' })).toBe('reached');
  });

  it('between rounds waits for the next round, and with a signer for that signer', () => {
    const between = { status: 'signing' as const, signers: [signer('buyer', 1, 'signed', sent), signer('supplier', 2, 'waiting')] };
    expect(waitOutcome(between, { status: 'signing' })).toBeNull();
    expect(waitOutcome(between, { status: 'signing', signer: 'buyer' })).toBe('reached');
    expect(waitOutcome(between, { status: 'signing', signer: 'supplier' })).toBeNull();
    const supplierInvited = { status: 'signing' as const, signers: [signer('buyer', 1, 'signed', sent), signer('supplier', 2, 'invited', sent)] };
    expect(waitOutcome(supplierInvited, { status: 'signing', signer: 'supplier' })).toBe('reached');
    expect(waitOutcome({ status: 'signing', signers: [signer('buyer', 1, 'signed', sent), signer('supplier', 2, 'signed', sent)] }, { status: 'signing' })).toBe('reached');
  });

  it('answers at once for a contract that ended in another status, and waits on one still going', () => {
    for (const status of SETTLED_STATUSES.filter((s) => s !== 'completed')) expect(waitOutcome({ status, signers: [] }, { status: 'completed' })).toBe('settled');
    expect(waitOutcome({ status: 'completed', signers: [] }, { status: 'signing', signer: 'supplier' })).toBe('reached');
    expect(waitOutcome({ status: 'in_approval', signers: [] }, { status: 'completed' })).toBeNull();
    expect(waitOutcome({ status: 'in_approval', signers: [] }, { status: 'in_approval' })).toBe('reached');
  });
});
