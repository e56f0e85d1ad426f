// PAdES B-LTA renewal of an archived contract: a durable workflow timer per contract (not a
// schedule scanning every archive) sleeps until the margin before the newest archive
// timestamp's TSA certificate expires, then has renewArchive add fresh validation data and
// a new document timestamp, and sleeps again. Started by the archive step; its id is
// derived from the contract's, so a retried archive step finds it running.
import { continueAsNew, proxyActivities, sleep } from '@temporalio/workflow';
import type { ArchiveVersions, SigningActivities } from './activities/signing';

export interface ArchiveRenewalInput extends ArchiveVersions {
  contractId: string;
  /** ISO time of the next renewal. */
  renewAt: string;
}

export const archiveRenewalId = (contractId: string) => `archive-renewal:${contractId}`;

const { renewArchive } = proxyActivities<SigningActivities>({
  startToCloseTimeout: '10 minutes',
  // It heartbeats after each document and every 5 s: a worker that died is noticed within this.
  heartbeatTimeout: '1 minute',
  // The TSA or the database may be down for a while; the margin leaves weeks to get through.
  retry: { initialInterval: '30 seconds', backoffCoefficient: 2, maximumInterval: '1 hour' },
});

/** Renewals per run before the history is started afresh (continue-as-new). */
const RENEWALS_PER_RUN = 50;

export async function archiveRenewal(input: ArchiveRenewalInput): Promise<void> {
  let current = input;
  for (let round = 0; round < RENEWALS_PER_RUN; round++) {
    const wait = Date.parse(current.renewAt) - Date.now();
    if (wait > 0) await sleep(wait);
    const renewed = await renewArchive({ contractId: current.contractId, documents: current.documents, evidenceSha256: current.evidenceSha256 });
    current = { ...current, ...renewed };
  }
  await continueAsNew<typeof archiveRenewal>(current);
}
