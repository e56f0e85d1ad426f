// One anchoring run (全链路存证): seals the evidence events recorded since the last anchor
// under a Merkle root stamped by the anchor TSA. Started by a Temporal Schedule
// (anchor-schedule.ts), so the period survives restarts and each tick runs once however
// many workers poll the queue; the database's unique anchor seq keeps a concurrent
// `npx sealflow anchor` from sealing the same events twice.
import { proxyActivities } from '@temporalio/workflow';
import type { AnchoringActivities } from './activities/anchoring';

const { anchorEvidence } = proxyActivities<AnchoringActivities>({
  startToCloseTimeout: '10 minutes',
  // A TSA or database that is down: the next tick tries again anyway, so give up within the hour.
  retry: { initialInterval: '30 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 6 },
});

export async function evidenceAnchoring(): Promise<{ seq: number; leafCount: number } | null> {
  const { anchor } = await anchorEvidence();
  return anchor ? { seq: anchor.seq, leafCount: anchor.leafCount } : null;
}
