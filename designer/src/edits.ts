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
