// How contractFlow writes its projection. The first write of a run sends the whole state;
// every later one sends only what changed since the previous one (flows/contract-changes.ts),
// so a contract's Temporal history grows with its timeline, not with its square. Writes go
// out one at a time, in order: each one's changes apply to the revision the previous one made.
// Workflow code: deterministic, imports only flows/ and activity types.
import { ActivityFailure, ApplicationFailure, patched, proxyActivities } from '@temporalio/workflow';
import { baselineOf, changesSince, PROJECTION_OUT_OF_ORDER, type ContractState, type PersistedBaseline } from '../flows';
import type { ContractActivities } from './activities';

const { saveContract, saveContractChanges } = proxyActivities<ContractActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Patch id: persists after the first send the changes, not the whole state; contracts that persisted before sent it whole. */
const PERSIST_CHANGES = 'persist-changes';

/**
 * Patch id: a write that another follows at once, with nothing anyone could see in between
 * (documents generated → approved; signing started → first round invited), is left to that one.
 */
export const FEWER_PERSISTS = 'fewer-persists';

const refusedOutOfOrder = (error: unknown) => error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === PROJECTION_OUT_OF_ORDER;

/** Writes the contract's state and answers it as written; `settled` waits for the writes already sent. */
export type Persist = (() => Promise<ContractState>) & { settled(): Promise<unknown> };

/** The persist of one contract's state: bumps the revision, writes, and answers the state as written. */
export function createPersist(state: ContractState): Persist {
  let baseline: PersistedBaseline | null = null;
  let writing: Promise<unknown> = Promise.resolve();
  const persist = async () => {
    state.revision += 1;
    // A copy, so the activity and the update caller see this revision even as the state moves on.
    const snapshot: ContractState = JSON.parse(JSON.stringify(state));
    let write: () => Promise<void>;
    if (baseline === null || !patched(PERSIST_CHANGES)) {
      baseline = baselineOf(snapshot);
      write = () => saveContract(snapshot);
    } else {
      const { changes, baseline: next } = changesSince(baseline, snapshot);
      baseline = next;
      // A projection that moved under us (restored from a backup, written by hand) takes the whole state instead.
      write = () => saveContractChanges(changes).catch((error) => (refusedOutOfOrder(error) ? saveContract(snapshot) : Promise.reject(error)));
    }
    const written = writing.then(write);
    writing = written.catch(() => undefined);
    await written;
    return snapshot;
  };
  return Object.assign(persist, { settled: () => writing });
}
