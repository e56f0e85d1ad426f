// Which contract stages a persist ended, and how long each took, read from the stored state
// before and after it. Approval and signing end with a change of status; documents and the
// archive are single activities that time themselves.
import type { ContractState } from '../flows';
import type { ContractStage } from './metrics';

export interface EndedStage {
  stage: ContractStage;
  seconds: number;
  outcome: string;
}

const at = (iso: string | null | undefined) => (iso ? Date.parse(iso) : NaN);
const latest = (times: number[]) => times.filter(Number.isFinite).reduce((a, b) => Math.max(a, b), -Infinity);
const earliest = (times: number[]) => times.filter(Number.isFinite).reduce((a, b) => Math.min(a, b), Infinity);

export function stagesEnded(previous: ContractState, next: ContractState): EndedStage[] {
  const ended: EndedStage[] = [];
  const end = at(next.updatedAt);
  // Approval: from the start to the last step's end (documents are generated after it, before the status moves on).
  if (previous.status === 'in_approval' && next.status !== 'in_approval') {
    const lastStep = latest(next.steps.map((s) => at(s.endedAt)));
    const finished = next.status === 'approved' || next.status === 'signing' ? (Number.isFinite(lastStep) ? lastStep : at(next.createdAt)) : end;
    ended.push({ stage: 'approval', seconds: (finished - at(next.createdAt)) / 1000, outcome: next.status === 'signing' ? 'approved' : next.status });
  }
  // Signing: from the first invitation to the last signature (or to the decline, expiry, cancellation).
  if (previous.status === 'signing' && next.status !== 'signing') {
    const invited = earliest(next.signers.map((s) => at(s.invitedAt)));
    const lastSigned = latest(next.signers.map((s) => at(s.signedAt)));
    const finished = next.status === 'completed' && Number.isFinite(lastSigned) ? lastSigned : end;
    if (Number.isFinite(invited)) ended.push({ stage: 'signing', seconds: (finished - invited) / 1000, outcome: next.status });
  }
  return ended.filter((e) => Number.isFinite(e.seconds) && e.seconds >= 0);
}
