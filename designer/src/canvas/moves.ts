// What dragging a card, Alt+arrows on a focused card and Ctrl-C / Ctrl-V do: each is one
// change of the flow value through the store (so one undo step), after which the moved or
// pasted card is selected if a card was, and keeps the keyboard focus.
import { create } from 'zustand';
import type { FlowDefinition } from '../../../flows';
import { copyAt, moveRound, moveSigner, moveSignerToRound, moveStep, pasteAt, roundOrders, type Clip, type InsertAction } from '../edits';
import { useEditor } from '../store';
import { useUi } from '../ui';

/** What can be picked up: a step, a signer (by their card's path) or a signing round (by its position). */
export type Grip = { kind: 'step'; tier: number; index: number } | { kind: 'signer'; index: number } | { kind: 'round'; index: number };
/** Where it can be put down: a card (by path), a round's label, or a "+" on a line (a step's or a parallel signer's). */
export type Spot = { kind: 'card'; path: string } | { kind: 'round'; index: number } | { kind: 'gap'; action: InsertAction };

export function gripOf(path: string): Grip | null {
  const step = /^\/approval\/tiers\/(\d+)\/steps\/(\d+)$/.exec(path);
  if (step) return { kind: 'step', tier: Number(step[1]), index: Number(step[2]) };
  const signer = /^\/signers\/(\d+)$/.exec(path);
  if (signer) return { kind: 'signer', index: Number(signer[1]) };
  return null;
}

/** A change and what to focus after it: a card's path, or a round label's position. */
export interface Outcome {
  flow: FlowDefinition;
  focus: Spot;
}

const card = (r: { flow: FlowDefinition; path: string } | null): Outcome | null => (r ? { flow: r.flow, focus: { kind: 'card', path: r.path } } : null);

/** The flow after dropping `grip` on `spot`, or null when it cannot go there. */
export function dropOn(flow: FlowDefinition, grip: Grip, spot: Spot): Outcome | null {
  if (spot.kind === 'gap') {
    const { action } = spot;
    // a step on a "+" of a tier's line: it goes where that "+" inserts
    if (grip.kind === 'step' && action.type === 'step') {
      const index = action.tier === grip.tier && grip.index < action.index ? action.index - 1 : action.index;
      return card(moveStep(flow, grip, { tier: action.tier, index }));
    }
    // a signer on a round's "+" (beside its signers): last in that round
    if (grip.kind === 'signer' && action.type === 'signer') return card(moveSignerToRound(flow, grip.index, roundOrders(flow).indexOf(action.order)));
    return null;
  }
  if (grip.kind === 'round') {
    if (spot.kind !== 'round') return null;
    const next = moveRound(flow, grip.index, spot.index);
    return next && { flow: next, focus: spot };
  }
  if (grip.kind === 'signer') {
    if (spot.kind === 'round') return card(moveSignerToRound(flow, grip.index, spot.index));
    const target = gripOf(spot.path);
    return target?.kind === 'signer' ? card(moveSigner(flow, grip.index, target.index)) : null;
  }
  if (spot.kind !== 'card') return null;
  const target = gripOf(spot.path);
  if (target?.kind === 'step') return card(moveStep(flow, grip, { tier: target.tier, index: target.index }));
  const tier = /^\/approval\/tiers\/(\d+)$/.exec(spot.path);
  if (tier) {
    // on a tier's label: first in that tier
    return card(moveStep(flow, grip, { tier: Number(tier[1]), index: 0 }));
  }
  return null;
}

export type Arrow = 'ArrowUp' | 'ArrowDown' | 'ArrowLeft' | 'ArrowRight';

/**
 * Alt+arrow on a focused card. Steps: ↑/↓ within their tier, ←/→ to the neighbouring tier.
 * Signers: ←/→ within their round (side by side), ↑/↓ to the round above or below (below the
 * last one: a new round). Round labels: ↑/↓ swap with the neighbouring round.
 */
export function keyMove(flow: FlowDefinition, grip: Grip, key: Arrow): Outcome | null {
  const delta = key === 'ArrowUp' || key === 'ArrowLeft' ? -1 : 1;
  const vertical = key === 'ArrowUp' || key === 'ArrowDown';
  if (grip.kind === 'round') {
    if (!vertical) return null;
    const next = moveRound(flow, grip.index, grip.index + delta);
    return next && { flow: next, focus: { kind: 'round', index: grip.index + delta } };
  }
  if (grip.kind === 'step') {
    if (vertical) return card(moveStep(flow, grip, { tier: grip.tier, index: grip.index + delta }));
    const tier = grip.tier + delta;
    if (tier < 0 || tier >= (flow.approval?.tiers?.length ?? 0)) return null;
    return card(moveStep(flow, grip, { tier, index: grip.index }));
  }
  const signers = flow.signers ?? [];
  const order = signers[grip.index]?.order ?? 1;
  if (vertical) {
    const round = roundOrders(flow).indexOf(order) + delta;
    return round < 0 ? null : card(moveSignerToRound(flow, grip.index, round));
  }
  const mates = signers.map((s, i) => ({ s, i })).filter(({ s }) => (s.order ?? 1) === order).map(({ i }) => i);
  const neighbour = mates[mates.indexOf(grip.index) + delta];
  return neighbour === undefined ? null : card(moveSigner(flow, grip.index, neighbour));
}

// ---- The clipboard (in the page: a copied step or signer can be pasted into any flow opened here).

let clip: Clip | null = null;
export const clipboard = {
  copy(flow: FlowDefinition, path: string): Clip | null {
    const taken = copyAt(flow, path);
    if (taken) clip = taken;
    return taken;
  },
  paste(flow: FlowDefinition, path: string): Outcome | null {
    return clip ? card(pasteAt(flow, path, clip)) : null;
  },
  get current() {
    return clip;
  },
};

// ---- Applying an outcome, and what the canvas says about it (a live region for screen readers and eyes).

export type Note = { key: 'moved' | 'cannotMove' | 'copied' | 'pasted' | 'cannotPaste' | 'nothingToCopy'; kind?: string; at: number };
export const useCanvasNote = create<{ note: Note | null; focus: Spot | null }>()(() => ({ note: null, focus: null }));

export function tell(key: Note['key'], kind?: string) {
  useCanvasNote.setState({ note: { key, kind, at: Date.now() } });
}

/** Makes the outcome the flow's new value (one undo step); the moved card keeps the focus and, if a card was open, opens. */
export function apply(outcome: Outcome, note: Note['key']) {
  useEditor.getState().setFlow(outcome.flow);
  const ui = useUi.getState();
  // (a round's move changes only orders: every card keeps its path, and the open one stays open)
  if (ui.selected !== null && outcome.focus.kind === 'card') ui.select(outcome.focus.path);
  useCanvasNote.setState({ focus: outcome.focus, note: { key: note, at: Date.now() } });
}

/** The CSS selector of a spot's element on the canvas. */
export const spotSelector = (spot: Spot) => (spot.kind === 'card' ? `[data-path="${spot.path}"]` : spot.kind === 'round' ? `[data-round="${spot.index}"]` : '[data-none]');
