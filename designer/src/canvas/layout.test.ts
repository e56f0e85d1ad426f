import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FlowDefinition } from '../../../flows';
import { insert } from '../edits';
import { CARD, cardForPath, layoutFlow, tierBound, type CardNode } from './layout';

const example = (): FlowDefinition => JSON.parse(readFileSync(new URL('../../../examples/supplier-purchase.flow.json', import.meta.url), 'utf8'));
const cards = (flow: FlowDefinition, kind: CardNode['kind']) => layoutFlow(flow).nodes.filter((n): n is CardNode => n.type === 'card' && n.kind === kind);
const overlaps = (a: { x: number; y: number; width: number; height: number }, b: typeof a) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('layoutFlow', () => {
  it('puts each tier in its own column, side by side, with its steps below it in order', () => {
    const tiers = cards(example(), 'tier');
    expect(tiers.map((t) => t.path)).toEqual(['/approval/tiers/0', '/approval/tiers/1', '/approval/tiers/2']);
    expect(new Set(tiers.map((t) => t.y)).size).toBe(1);
    expect(tiers[0]!.x).toBeLessThan(tiers[1]!.x);
    expect(tiers[1]!.x - tiers[0]!.x).toBeGreaterThanOrEqual(CARD.width);
    const steps = cards(example(), 'step');
    expect(steps.map((s) => s.path)).toEqual(['/approval/tiers/0/steps/0', '/approval/tiers/1/steps/0', '/approval/tiers/1/steps/1', '/approval/tiers/2/steps/0', '/approval/tiers/2/steps/1', '/approval/tiers/2/steps/2']);
    const third = steps.filter((s) => s.column === 2);
    expect(third.every((s) => s.x === tiers[2]!.x)).toBe(true);
    expect(third[0]!.y).toBeLessThan(third[1]!.y);
    expect(third[1]!.y).toBeLessThan(third[2]!.y);
  });

  it('merges the branches: documents start below the longest column, signers by round below them', () => {
    const layout = layoutFlow(example());
    const lowestStep = Math.max(...cards(example(), 'step').map((s) => s.y + s.height));
    const documents = cards(example(), 'document');
    expect(documents).toHaveLength(2);
    expect(documents[0]!.y).toBe(documents[1]!.y);
    expect(documents[0]!.y).toBeGreaterThan(lowestStep);
    const signers = cards(example(), 'signer');
    expect(signers.map((s) => s.round)).toEqual([0, 1]);
    expect(signers[1]!.y).toBeGreaterThan(signers[0]!.y);
    expect(signers[0]!.y).toBeGreaterThan(documents[0]!.y);
    const [signing, archive] = [cards(example(), 'signing')[0]!, cards(example(), 'archive')[0]!];
    expect(signing.y).toBeGreaterThan(signers[1]!.y);
    expect(archive.y).toBeGreaterThan(signing.y);
    expect(layout.height).toBe(archive.y + archive.height);
  });

  it('puts signers of the same order side by side in one round', () => {
    const flow = example();
    flow.signers![1]!.order = 1;
    const signers = cards(flow, 'signer');
    expect(signers.map((s) => s.round)).toEqual([0, 0]);
    expect(signers[0]!.y).toBe(signers[1]!.y);
    expect(overlaps(signers[0]!, signers[1]!)).toBe(false);
  });

  it('never overlaps two boxes, and links every node to the one before', () => {
    const layout = layoutFlow(example());
    for (const [i, a] of layout.nodes.entries()) for (const b of layout.nodes.slice(i + 1)) expect(overlaps(a, b), `${a.id} overlaps ${b.id}`).toBe(false);
    const ids = new Set(layout.nodes.map((n) => n.id));
    expect(layout.edges.length).toBeGreaterThan(10);
    for (const edge of layout.edges) expect(ids.has(edge.source) && ids.has(edge.target)).toBe(true);
    const targets = new Set(layout.edges.map((e) => e.target));
    const unlinked = layout.nodes.filter((n) => !targets.has(n.id) && n.id !== 'trigger' && !n.id.startsWith('add-signer-') && n.type !== 'round');
    expect(unlinked.map((n) => n.id)).toEqual([]);
  });

  it('offers a "+" for each insertion the flow allows', () => {
    const actions = layoutFlow(example()).nodes.flatMap((n) => (n.type === 'add' ? [n.action] : []));
    expect(actions.filter((a) => a.type === 'step')).toHaveLength(6 + 3);
    expect(actions.filter((a) => a.type === 'tier')).toHaveLength(1);
    expect(actions.filter((a) => a.type === 'document')).toHaveLength(1);
    expect(actions.filter((a) => a.type === 'round')).toHaveLength(3);
    expect(actions.filter((a) => a.type === 'signer')).toEqual([{ type: 'signer', order: 1 }, { type: 'signer', order: 2 }]);
  });

  it('is a function of the flow: the same flow gives the same picture, an inserted step grows its column only', () => {
    expect(layoutFlow(example())).toEqual(layoutFlow(example()));
    const grown = insert(example(), { type: 'step', tier: 0, index: 1 }).flow;
    expect(cards(grown, 'step').filter((s) => s.column === 0)).toHaveLength(2);
    expect(cards(grown, 'tier').map((t) => t.x)).toEqual(cards(example(), 'tier').map((t) => t.x));
  });

  it('draws a half-written flow without throwing', () => {
    const partial = { key: 'x', name: 'x', approval: { amount: '=a', tiers: [{ steps: [] }] } } as unknown as FlowDefinition;
    const layout = layoutFlow(partial);
    expect(layout.nodes.filter((n) => n.type === 'card').map((n) => (n as CardNode).kind)).toEqual(['trigger', 'tier', 'signing', 'archive']);
  });

  it('finds the card a problem belongs to', () => {
    const layout = layoutFlow(example());
    expect(cardForPath(layout, '/signers/1/name')?.id).toBe('signer-1');
    expect(cardForPath(layout, '/approval/tiers/1/upTo')?.id).toBe('tier-1');
    expect(cardForPath(layout, '/approval/tiers/2/steps/2/approvers/0')?.id).toBe('step-2-2');
    expect(cardForPath(layout, '/approval/amount')?.id).toBe('trigger');
  });

  it('labels bounded tiers with their amount and leaves the default one to the page', () => {
    expect(tierBound(100000)).toBe('≤ 100,000');
    expect(tierBound(undefined)).toBeNull();
  });
});

describe('round labels', () => {
  it('puts a label left of each round of signers, centred on its row', () => {
    const layout = layoutFlow(example());
    const labels = layout.nodes.filter((n) => n.type === 'round');
    const signers = cards(example(), 'signer');
    expect(labels.map((l) => (l.type === 'round' ? [l.index, l.order] : null))).toEqual([[0, 1], [1, 2]]);
    labels.forEach((label, r) => {
      expect(label.x + label.width).toBeLessThan(signers[r]!.x);
      expect(label.y + label.height / 2).toBe(signers[r]!.y + signers[r]!.height / 2);
    });
  });
});
