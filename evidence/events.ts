// A contract's evidence events: its timeline as the hash chain of signing/evidence covers it.
// One definition, used by the evidence report (archive step), the evidence package and the
// anchors, so that all three hash the same events the same way.
import type { ContractState } from '../flows';
import { chainEvents, chainGenesis, type ChainedEvent, type EvidenceEvent } from '../signing';

export function evidenceEventsOf(contract: Pick<ContractState, 'timeline'>): EvidenceEvent[] {
  return contract.timeline.map((event, index) => ({
    seq: index + 1,
    at: event.at,
    actor: event.actor,
    action: event.type,
    ip: event.ip ?? null,
    userAgent: event.userAgent ?? null,
    intent: event.intent ?? null,
    detail: { message: event.message },
  }));
}

/** The contract's events chained from its genesis, each with its hash and the hash before it. */
export function evidenceChainOf(contract: Pick<ContractState, 'id' | 'timeline'>): ChainedEvent[] {
  return chainEvents(evidenceEventsOf(contract), { genesis: chainGenesis(contract.id) });
}
