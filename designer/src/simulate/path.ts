// Which cards a simulation passes through, by the canvas's card ids (canvas/layout.ts):
// the trigger, the chosen tier and each of its steps, the documents whose `when` holds, the
// signers who have something to sign (a signer left with no document takes no part, as in
// flows/signers.ts) and the labels of their rounds, then the signing deadline and the archive.
import type { FlowDefinition, Simulation } from '../../../flows';
import { roundOrders } from '../edits';

export function litCards(flow: FlowDefinition, simulation: Simulation): Set<string> {
  const lit = new Set(['trigger', `tier-${simulation.tier.index}`, 'signing', 'archive']);
  simulation.steps.forEach((_, s) => lit.add(`step-${simulation.tier.index}-${s}`));
  simulation.documents.forEach((doc, d) => doc.included && lit.add(`document-${d}`));
  const signing = new Set(simulation.signers.filter((s) => s.documents.length > 0).map((s) => s.id));
  (flow.signers ?? []).forEach((signer, i) => signing.has(signer.id) && lit.add(`signer-${i}`));
  const signingOrders = new Set((flow.signers ?? []).filter((s) => signing.has(s.id)).map((s) => s.order ?? 1));
  roundOrders(flow).forEach((order, r) => signingOrders.has(order) && lit.add(`round-${r}`));
  return lit;
}

/** The signing rounds of the simulation: signers who sign, grouped by `order`, in order. */
export function roundsOf(simulation: Simulation): Simulation['signers'][] {
  const byOrder = new Map<number, Simulation['signers']>();
  for (const signer of simulation.signers) if (signer.documents.length) byOrder.set(signer.order, [...(byOrder.get(signer.order) ?? []), signer]);
  return [...byOrder.keys()].sort((a, b) => a - b).map((order) => byOrder.get(order)!);
}

/** The flow as simulated for an amount typed in: the amount replaces the flow's amount expression, so the engine's own tier choice runs on it. */
export function withAmount(flow: FlowDefinition, amount: number): FlowDefinition {
  return { ...flow, approval: { ...flow.approval, amount: String(amount) } };
}
