// The picture of a flow, computed from the flow alone (no stored positions): top to bottom,
// trigger → one column per approval tier with its steps → documents → signers by round →
// signing deadline → archive. Fixed card sizes; branches side by side, then merged.
// "+" buttons sit on the connector lines where something may be inserted.
import type { FlowDefinition } from '../../../flows';
import { roundOrders, type InsertAction } from '../edits';

export const CARD = { width: 240, height: 92 } as const;
export const TIER = { width: 240, height: 56 } as const;
export const ADD = { width: 28, height: 28 } as const;
export const JOIN = { width: 2, height: 2 } as const;
export const ROUND = { width: 72, height: 32 } as const;
export const GAP = { column: 48, row: 32 } as const;

export type CardKind = 'trigger' | 'tier' | 'step' | 'document' | 'signer' | 'signing' | 'archive';

export interface CardNode {
  type: 'card';
  id: string;
  kind: CardKind;
  /** JSON path of the part of the flow the card shows and edits ('' is the flow itself). */
  path: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Tier column (tier and step cards) or signing round (signer cards), from 0. */
  column?: number;
  round?: number;
}
export interface AddNode {
  type: 'add';
  id: string;
  action: InsertAction;
  x: number;
  y: number;
  width: number;
  height: number;
}
export interface JoinNode {
  type: 'join';
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}
/** The label at the left of a signing round's row: what is dragged (or moved with Alt+↑/↓) to reorder rounds. */
export interface RoundNode {
  type: 'round';
  id: string;
  /** Position among the rounds, from 0, and the signers' `order` of this round. */
  index: number;
  order: number;
  x: number;
  y: number;
  width: number;
  height: number;
}
export type LayoutNode = CardNode | AddNode | JoinNode | RoundNode;
export interface LayoutEdge {
  id: string;
  source: string;
  target: string;
}
export interface FlowLayout {
  nodes: LayoutNode[];
  edges: LayoutEdge[];
  width: number;
  height: number;
}

/** The label of a tier column: "≤ 100,000", or null for the default tier (the page says "其他情况"). */
export function tierBound(upTo: number | undefined): string | null {
  return typeof upTo === 'number' ? `≤ ${upTo.toLocaleString('en-US')}` : null;
}

export function layoutFlow(flow: FlowDefinition): FlowLayout {
  const nodes: LayoutNode[] = [];
  const edges: LayoutEdge[] = [];
  const link = (source: string, target: string) => edges.push({ id: `${source}->${target}`, source, target });
  let y = 0;
  /** Places a row of same-size boxes centred on x = 0. */
  const row = (count: number, width: number) => {
    const total = count * width + Math.max(count - 1, 0) * GAP.column;
    return Array.from({ length: count }, (_, i) => -total / 2 + i * (width + GAP.column));
  };
  const card = (id: string, kind: CardKind, path: string, x: number, size: { width: number; height: number } = CARD, extra: Partial<CardNode> = {}): CardNode => {
    const node: CardNode = { type: 'card', id, kind, path, x, y, ...size, ...extra };
    nodes.push(node);
    return node;
  };
  const add = (id: string, action: InsertAction, centreX = 0, atY = y): AddNode => {
    const node: AddNode = { type: 'add', id, action, x: centreX - ADD.width / 2, y: atY, ...ADD };
    nodes.push(node);
    return node;
  };
  const join = (id: string): JoinNode => {
    const node: JoinNode = { type: 'join', id, x: -JOIN.width / 2, y, ...JOIN };
    nodes.push(node);
    return node;
  };
  const step = (height: number) => (y += height + GAP.row);

  // Trigger
  const trigger = card('trigger', 'trigger', '', -CARD.width / 2);
  step(CARD.height);

  // Approval: one column per tier
  const tiers = Array.isArray(flow.approval?.tiers) ? flow.approval.tiers : [];
  const addTier = add('add-tier', { type: 'tier', index: Math.max(tiers.length - 1, 0) });
  link(trigger.id, addTier.id);
  step(ADD.height);
  const columns = row(tiers.length, CARD.width);
  const columnTop = y;
  let bottom = y;
  const ends: string[] = [];
  tiers.forEach((tier, t) => {
    y = columnTop;
    const x = columns[t]!;
    const centre = x + CARD.width / 2;
    const header = card(`tier-${t}`, 'tier', `/approval/tiers/${t}`, x, TIER, { column: t });
    link(addTier.id, header.id);
    step(TIER.height);
    let previous = header.id;
    const steps = Array.isArray(tier?.steps) ? tier.steps : [];
    steps.forEach((_, s) => {
      const plus = add(`add-step-${t}-${s}`, { type: 'step', tier: t, index: s }, centre);
      link(previous, plus.id);
      step(ADD.height);
      const node = card(`step-${t}-${s}`, 'step', `/approval/tiers/${t}/steps/${s}`, x, CARD, { column: t });
      link(plus.id, node.id);
      step(CARD.height);
      previous = node.id;
    });
    const plus = add(`add-step-${t}-${steps.length}`, { type: 'step', tier: t, index: steps.length }, centre);
    link(previous, plus.id);
    step(ADD.height);
    ends.push(plus.id);
    bottom = Math.max(bottom, y);
  });
  y = bottom;
  const merged = join('merge');
  for (const end of ends) link(end, merged.id);
  step(JOIN.height);

  // Documents, side by side
  const addDocument = add('add-document', { type: 'document' });
  link(merged.id, addDocument.id);
  step(ADD.height);
  const documents = Array.isArray(flow.documents) ? flow.documents : [];
  let above: string[] = [addDocument.id];
  if (documents.length) {
    const xs = row(documents.length, CARD.width);
    above = documents.map((_, d) => {
      const node = card(`document-${d}`, 'document', `/documents/${d}`, xs[d]!);
      link(addDocument.id, node.id);
      return node.id;
    });
    step(CARD.height);
  }

  // Signers, one row per round; a "+" between rounds inserts a round, one at a row's end adds a parallel signer
  const signers = Array.isArray(flow.signers) ? flow.signers : [];
  const orders = roundOrders({ signers });
  orders.forEach((order, r) => {
    const gather = join(`join-${r}`);
    for (const id of above) link(id, gather.id);
    step(JOIN.height);
    const plus = add(`add-round-${r}`, { type: 'round', index: r });
    link(gather.id, plus.id);
    step(ADD.height);
    const inRound = signers.map((s, i) => ({ s, i })).filter(({ s }) => (s?.order ?? 1) === order);
    const xs = row(inRound.length, CARD.width);
    above = inRound.map(({ i }, k) => {
      const node = card(`signer-${i}`, 'signer', `/signers/${i}`, xs[k]!, CARD, { round: r });
      link(plus.id, node.id);
      return node.id;
    });
    nodes.push({ type: 'round', id: `round-${r}`, index: r, order, x: xs[0]! - GAP.column / 2 - ROUND.width, y: y + (CARD.height - ROUND.height) / 2, ...ROUND });
    const last = xs[xs.length - 1]! + CARD.width;
    add(`add-signer-${r}`, { type: 'signer', order }, last + GAP.column / 2 + ADD.width / 2, y + (CARD.height - ADD.height) / 2);
    step(CARD.height);
  });
  const gather = join('join-end');
  for (const id of above) link(id, gather.id);
  step(JOIN.height);
  const lastRound = add('add-round-end', { type: 'round', index: orders.length });
  link(gather.id, lastRound.id);
  step(ADD.height);

  // Signing deadline and reminders, then the archive
  const signing = card('signing', 'signing', '/signing', -CARD.width / 2);
  link(lastRound.id, signing.id);
  step(CARD.height);
  const archive = card('archive', 'archive', '/archive', -CARD.width / 2);
  link(signing.id, archive.id);
  y += CARD.height;

  const left = Math.min(...nodes.map((n) => n.x));
  const right = Math.max(...nodes.map((n) => n.x + n.width));
  return { nodes, edges, width: right - left, height: y };
}

/** The card a problem at `path` belongs to: the card whose path is the longest prefix of it. */
export function cardForPath(layout: FlowLayout, path: string): CardNode | undefined {
  let best: CardNode | undefined;
  for (const node of layout.nodes) {
    if (node.type !== 'card') continue;
    const own = node.path;
    const under = own === '' || path === own || path.startsWith(own + '/');
    if (under && (!best || own.length > best.path.length)) best = node;
  }
  return best;
}
