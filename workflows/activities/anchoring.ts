// The anchoring activity: evidence/ does the work; the worker wires the TSA in.
import { anchorNewEvents, type AnchorOutcome } from '../../evidence';
import type { TimestampClient } from '../../signing';
import type { Store } from '../../store';

export interface AnchoringActivityOptions {
  store: Store;
  /** SEALFLOW_ANCHOR_TSA_URL's client, else the hub's own timestamps. */
  timestamps: TimestampClient;
  /** The TSA's URL, or 'sealflow' for the hub's own. */
  tsa: string;
}

export function createAnchoringActivities({ store, timestamps, tsa }: AnchoringActivityOptions) {
  return {
    async anchorEvidence(): Promise<AnchorOutcome> {
      return anchorNewEvents({ store, timestamps, tsa });
    },
  };
}

export type AnchoringActivities = ReturnType<typeof createAnchoringActivities>;
