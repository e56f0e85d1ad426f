import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FlowDefinition } from '../../../flows';
import { litCards, roundsOf } from './path';
import { documentVariables, simulate } from './run';

const example = (): FlowDefinition => JSON.parse(readFileSync(new URL('../../../examples/supplier-purchase.flow.json', import.meta.url), 'utf8'));
const order = () => JSON.parse(readFileSync(new URL('../../../examples/purchase-order-4500000001.json', import.meta.url), 'utf8')).data;

describe('simulate in the page', () => {
  it('routes a typed amount with the engine: 2,000,000 takes the default tier and its three steps', async () => {
    const outcome = await simulate(example(), { amount: 2_000_000 });
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.by).toBe('page');
    expect(outcome.simulation.tier).toEqual({ index: 2, upTo: null });
    expect([...litCards(example(), outcome.simulation)].sort()).toEqual(['archive', 'document-0', 'round-0', 'round-1', 'signer-0', 'signer-1', 'signing', 'step-2-0', 'step-2-1', 'step-2-2', 'tier-2', 'trigger'].sort());
  });

  it('a bound is inclusive: 100,000 is the first tier', async () => {
    const outcome = await simulate(example(), { amount: 100_000 });
    expect(outcome.ok && outcome.simulation.tier.index).toBe(0);
  });

  it('lights the NDA for a new supplier and leaves out a signer with nothing to sign', async () => {
    const flow = example();
    flow.signers!.push({ id: 'witness', party: 'person', name: '=supplier.contact', order: 3, documents: ['nda'] });
    const outcome = await simulate(flow, { data: { ...order(), supplier: { ...order().supplier, isNew: false } } });
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const lit = litCards(flow, outcome.simulation);
    expect(lit.has('document-1')).toBe(false);
    expect(lit.has('signer-2')).toBe(false);
    expect([lit.has('round-1'), lit.has('round-2')]).toEqual([true, false]); // the witness's round has no one signing
    expect(roundsOf(outcome.simulation).map((round) => round.map((s) => s.id))).toEqual([['buyer'], ['supplier']]);
  });

  it('names the expression that fails, and gives a document the variables its data mapping makes', async () => {
    // where ajv can compile the data schema (not in the page: see run.ts) the record is checked first
    expect(await simulate(example(), { data: {} })).toEqual({ ok: false, issues: expect.arrayContaining([{ path: '/data/items', message: 'is required' }]) });
    const { data: _schema, ...unchecked } = example();
    const outcome = await simulate(unchecked, { data: {} });
    expect(outcome).toEqual({ ok: false, issues: [expect.objectContaining({ path: '/approval/amount' })] });
    expect(await documentVariables(example(), 1, order())).toMatchObject({ agreementNo: 'NDA-4500000001', termYears: 3 });
  });
});
