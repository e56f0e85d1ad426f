// What the "+" buttons and the drawer's delete buttons do to a flow: pure functions from a
// flow value to the next one, so undo/redo is just the stack of values.
import type { ApprovalStep, FlowDefinition, FlowDocument, FlowSigner } from '../../flows';

export type InsertAction =
  | { type: 'step'; tier: number; index: number }
  | { type: 'tier'; index: number }
  | { type: 'document' }
  | { type: 'signer'; order: number }
  | { type: 'round'; index: number };

const newStep = (): ApprovalStep => ({ name: '审批', approvers: [] });

function freeId(taken: string[], base: string): string {
  for (let i = 1; ; i++) if (!taken.includes(`${base}${i}`)) return `${base}${i}`;
}

/** The signing rounds of a flow: its distinct signer orders, lowest first (a signer without one is in round 1). */
export function roundOrders(flow: Pick<FlowDefinition, 'signers'>): number[] {
  return [...new Set((flow.signers ?? []).map((s) => s.order ?? 1))].sort((a, b) => a - b);
}

/** The flow after the insertion, and the JSON path of what was inserted (the card to open). */
export function insert(flow: FlowDefinition, action: InsertAction): { flow: FlowDefinition; path: string } {
  const tiers = flow.approval?.tiers ?? [];
  switch (action.type) {
    case 'step': {
      const next = tiers.map((tier, t) => (t === action.tier ? { ...tier, steps: [...tier.steps.slice(0, action.index), newStep(), ...tier.steps.slice(action.index)] } : tier));
      return { flow: { ...flow, approval: { ...flow.approval, tiers: next } }, path: `/approval/tiers/${action.tier}/steps/${action.index}` };
    }
    case 'tier': {
      // A new tier goes before the default one; its bound lies between its neighbours'.
      const index = Math.min(action.index, Math.max(tiers.length - 1, 0));
      const below = tiers[index - 1]?.upTo ?? 0;
      const above = tiers[index]?.upTo;
      const upTo = above !== undefined ? Math.round((below + above) / 2) : below > 0 ? below * 10 : 100000;
      const tier = { upTo, steps: [newStep()] };
      return { flow: { ...flow, approval: { ...flow.approval, tiers: [...tiers.slice(0, index), tier, ...tiers.slice(index)] } }, path: `/approval/tiers/${index}` };
    }
    case 'document': {
      const documents = flow.documents ?? [];
      const id = freeId(documents.map((d) => d.id), 'doc');
      const doc: FlowDocument = { id, template: '' };
      return { flow: { ...flow, documents: [...documents, doc] }, path: `/documents/${documents.length}` };
    }
    case 'signer': {
      const signers = flow.signers ?? [];
      const signer: FlowSigner = { id: freeId(signers.map((s) => s.id), 'signer'), party: 'company', name: '', order: action.order, documents: (flow.documents ?? []).map((d) => d.id) };
      return { flow: { ...flow, signers: [...signers, signer] }, path: `/signers/${signers.length}` };
    }
    case 'round': {
      // A round before round `index`: that round and every later one move one order down.
      const orders = roundOrders(flow);
      const at = orders[action.index] ?? (orders.length ? orders[orders.length - 1]! + 1 : 1);
      const signers = (flow.signers ?? []).map((s) => ((s.order ?? 1) >= at && action.index < orders.length ? { ...s, order: (s.order ?? 1) + 1 } : s));
      const added = insert({ ...flow, signers }, { type: 'signer', order: at });
      return added;
    }
  }
}

/** The flow without the card at `path` (a step, tier, document or signer), or null when it cannot go (the last step of a tier, the last tier). */
export function remove(flow: FlowDefinition, path: string): FlowDefinition | null {
  const step = /^\/approval\/tiers\/(\d+)\/steps\/(\d+)$/.exec(path);
  if (step) {
    const [t, s] = [Number(step[1]), Number(step[2])];
    const tier = flow.approval.tiers[t];
    if (!tier || tier.steps.length < 2) return null;
    const tiers = flow.approval.tiers.map((x, i) => (i === t ? { ...x, steps: x.steps.filter((_, j) => j !== s) } : x));
    return { ...flow, approval: { ...flow.approval, tiers } };
  }
  const tier = /^\/approval\/tiers\/(\d+)$/.exec(path);
  if (tier) {
    if (flow.approval.tiers.length < 2) return null;
    const tiers = flow.approval.tiers.filter((_, i) => i !== Number(tier[1]));
    // The last tier is the default one: it has no bound.
    const last = tiers[tiers.length - 1]!;
    if (last.upTo !== undefined) {
      const { upTo: _upTo, ...rest } = last;
      tiers[tiers.length - 1] = rest;
    }
    return { ...flow, approval: { ...flow.approval, tiers } };
  }
  const doc = /^\/documents\/(\d+)$/.exec(path);
  if (doc) {
    const gone = flow.documents?.[Number(doc[1])]?.id;
    return {
      ...flow,
      documents: (flow.documents ?? []).filter((_, i) => i !== Number(doc[1])),
      signers: flow.signers?.map((s) => ({ ...s, documents: s.documents.filter((d) => d !== gone) })),
    };
  }
  const signer = /^\/signers\/(\d+)$/.exec(path);
  if (signer) return { ...flow, signers: (flow.signers ?? []).filter((_, i) => i !== Number(signer[1])) };
  return null;
}

// ---- Reordering: steps within and between tiers, signers within and between rounds, rounds.

/** `items` with the item at `from` moved to index `to` (the others keep their order). */
export function arrayMove<T>(items: readonly T[], from: number, to: number): T[] {
  const copy = [...items];
  const [item] = copy.splice(from, 1);
  copy.splice(Math.max(0, Math.min(to, copy.length)), 0, item!);
  return copy;
}

export interface StepAt {
  tier: number;
  index: number;
}

/**
 * The flow with the step at `from` moved so that it ends at `to` (in the same tier: it takes the
 * place of the step there; in another tier: it goes before the step at `to.index`, or last).
 * Null when nothing moves or when the step is the only one of its tier (a tier needs a step).
 */
export function moveStep(flow: FlowDefinition, from: StepAt, to: StepAt): { flow: FlowDefinition; path: string } | null {
  const tiers = flow.approval?.tiers ?? [];
  const source = tiers[from.tier]?.steps;
  const target = tiers[to.tier]?.steps;
  if (!source || !target || !source[from.index]) return null;
  if (from.tier === to.tier) {
    const index = Math.max(0, Math.min(to.index, source.length - 1));
    if (index === from.index) return null;
    const next = tiers.map((tier, t) => (t === from.tier ? { ...tier, steps: arrayMove(tier.steps, from.index, index) } : tier));
    return { flow: { ...flow, approval: { ...flow.approval, tiers: next } }, path: `/approval/tiers/${to.tier}/steps/${index}` };
  }
  if (source.length < 2) return null;
  const step = source[from.index]!;
  const index = Math.max(0, Math.min(to.index, target.length));
  const next = tiers.map((tier, t) =>
    t === from.tier ? { ...tier, steps: tier.steps.filter((_, i) => i !== from.index) } : t === to.tier ? { ...tier, steps: [...tier.steps.slice(0, index), step, ...tier.steps.slice(index)] } : tier,
  );
  return { flow: { ...flow, approval: { ...flow.approval, tiers: next } }, path: `/approval/tiers/${to.tier}/steps/${index}` };
}

/** A signer with the given order; `order` stays absent when it was absent and still means round 1. */
function withOrder(signer: FlowSigner, order: number): FlowSigner {
  if ((signer.order ?? 1) === order) return signer;
  return { ...signer, order };
}

/**
 * The flow with signer `from` dropped on signer `to`: it takes that signer's place in the list
 * and joins its round (the order of signers within a round is their order in the list).
 */
export function moveSigner(flow: FlowDefinition, from: number, to: number): { flow: FlowDefinition; path: string } | null {
  const signers = flow.signers ?? [];
  const target = signers[to];
  if (from === to || !signers[from] || !target) return null;
  const moved = arrayMove(signers, from, to);
  moved[to] = withOrder(moved[to]!, target.order ?? 1);
  return { flow: { ...flow, signers: moved }, path: `/signers/${to}` };
}

/**
 * The flow with signer `from` moved to the end of round `round` (an index into roundOrders);
 * `round` equal to the number of rounds makes a new last round for it. Null when nothing changes.
 */
export function moveSignerToRound(flow: FlowDefinition, from: number, round: number): { flow: FlowDefinition; path: string } | null {
  const signers = flow.signers ?? [];
  const signer = signers[from];
  if (!signer || round < 0) return null;
  const orders = roundOrders(flow);
  const own = orders.indexOf(signer.order ?? 1);
  const alone = signers.filter((s) => (s.order ?? 1) === (signer.order ?? 1)).length === 1;
  if (round === own || (round >= orders.length && alone) || round > orders.length) return null;
  const order = round < orders.length ? orders[round]! : orders[orders.length - 1]! + 1;
  const rest = signers.filter((_, i) => i !== from);
  // After the round's last signer; a new round's only signer goes last.
  const last = rest.map((s) => s.order ?? 1).lastIndexOf(order);
  const at = last >= 0 ? last + 1 : rest.length;
  const next = [...rest.slice(0, at), withOrder(signer, order), ...rest.slice(at)];
  return { flow: { ...flow, signers: next }, path: `/signers/${at}` };
}

/** The flow with signing round `from` moved to position `to`: the rounds swap their orders, the set of order numbers stays. */
export function moveRound(flow: FlowDefinition, from: number, to: number): FlowDefinition | null {
  const orders = roundOrders(flow);
  if (from === to || from < 0 || to < 0 || from >= orders.length || to >= orders.length) return null;
  const positions = arrayMove(orders.map((_, i) => i), from, to); // positions[new] = old
  const signers = (flow.signers ?? []).map((s) => withOrder(s, orders[positions.indexOf(orders.indexOf(s.order ?? 1))]!));
  return { ...flow, signers };
}

// ---- Copy and paste of steps and signers.

export type Clip = { kind: 'step'; value: ApprovalStep } | { kind: 'signer'; value: FlowSigner };

/** What Ctrl-C takes from the card at `path`: a copy of a step or a signer, or null for other cards. */
export function copyAt(flow: FlowDefinition, path: string): Clip | null {
  const step = /^\/approval\/tiers\/(\d+)\/steps\/(\d+)$/.exec(path);
  if (step) {
    const value = flow.approval?.tiers?.[Number(step[1])]?.steps?.[Number(step[2])];
    return value ? { kind: 'step', value: structuredClone(value) } : null;
  }
  const signer = /^\/signers\/(\d+)$/.exec(path);
  if (signer) {
    const value = flow.signers?.[Number(signer[1])];
    return value ? { kind: 'signer', value: structuredClone(value) } : null;
  }
  return null;
}

/** An id like `id` that no signer has: "buyer" → "buyer2", "signer1" → "signer2". */
export function freshSignerId(taken: string[], id: string): string {
  const base = id.replace(/\d+$/, '') || 'signer';
  for (let i = 2; ; i++) if (!taken.includes(`${base}${i}`)) return `${base}${i}`;
}

/**
 * The flow with the clip pasted at the card at `path` (Ctrl-V on it): a step goes after a
 * focused step or at the end of a focused tier; a signer goes after a focused signer, in its
 * round, with a fresh id and only the documents this flow has. Null when it does not fit there.
 */
export function pasteAt(flow: FlowDefinition, path: string, clip: Clip): { flow: FlowDefinition; path: string } | null {
  if (clip.kind === 'step') {
    const step = /^\/approval\/tiers\/(\d+)(?:\/steps\/(\d+))?$/.exec(path);
    if (!step) return null;
    const t = Number(step[1]);
    const tier = flow.approval?.tiers?.[t];
    if (!tier) return null;
    const index = step[2] === undefined ? tier.steps.length : Number(step[2]) + 1;
    const tiers = flow.approval.tiers.map((x, i) => (i === t ? { ...x, steps: [...x.steps.slice(0, index), structuredClone(clip.value), ...x.steps.slice(index)] } : x));
    return { flow: { ...flow, approval: { ...flow.approval, tiers } }, path: `/approval/tiers/${t}/steps/${index}` };
  }
  const signer = /^\/signers\/(\d+)$/.exec(path);
  const signers = flow.signers ?? [];
  if (!signer || !signers[Number(signer[1])]) return null;
  const after = Number(signer[1]);
  const documents = (flow.documents ?? []).map((d) => d.id);
  const value: FlowSigner = { ...structuredClone(clip.value), id: freshSignerId(signers.map((s) => s.id), clip.value.id), documents: clip.value.documents.filter((d) => documents.includes(d)) };
  const pasted = withOrder(value, signers[after]!.order ?? 1);
  return { flow: { ...flow, signers: [...signers.slice(0, after + 1), pasted, ...signers.slice(after + 1)] }, path: `/signers/${after + 1}` };
}
