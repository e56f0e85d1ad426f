// What one persist of a running contract sends to the store: the top-level fields that
// changed since the previous persist and the timeline events added since, not the whole
// state. A contract's timeline only grows, so sending it whole at every step made each
// contract's Temporal history grow with the square of its timeline (every activity input
// is kept in the history). Pure code: the workflow computes changes, the store applies them.
import type { ContractState, TimelineEvent } from './contract';

type Fields = Omit<ContractState, 'timeline'>;

export interface ContractChanges {
  id: string;
  /** The revision these changes make. */
  revision: number;
  /** The revision they apply to: the store refuses them on any other. */
  base: number;
  /** Top-level fields that differ from `base`, each whole. */
  set: Partial<Fields>;
  /** Events added to the timeline since `base`, which had `timelineFrom` events. */
  appended: TimelineEvent[];
  timelineFrom: number;
}

/** What the last persist sent: each field's JSON and the timeline's length. */
export interface PersistedBaseline {
  revision: number;
  fields: Record<string, string | undefined>;
  timelineLength: number;
}

/** The baseline a whole state gives (after the first persist of a run, which sends everything). */
export function baselineOf(state: ContractState): PersistedBaseline {
  const fields: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(state)) if (key !== 'timeline') fields[key] = JSON.stringify(value);
  return { revision: state.revision, fields, timelineLength: state.timeline.length };
}

/** The changes from `baseline` to `state` (whose revision is already the new one), and the baseline they leave. */
export function changesSince(baseline: PersistedBaseline, state: ContractState): { changes: ContractChanges; baseline: PersistedBaseline } {
  const next = baselineOf(state);
  const set: Record<string, unknown> = {};
  for (const [key, json] of Object.entries(next.fields)) {
    if (key !== 'revision' && json !== undefined && json !== baseline.fields[key]) set[key] = JSON.parse(json);
  }
  const appended = state.timeline.slice(baseline.timelineLength).map((event) => ({ ...event }));
  return { changes: { id: state.id, revision: state.revision, base: baseline.revision, set: set as Partial<Fields>, appended, timelineFrom: baseline.timelineLength }, baseline: next };
}

export type AppliedChanges = { outcome: 'applied'; state: ContractState } | { outcome: 'already-applied' } | { outcome: 'out-of-order'; stored: number };

/** The stored state with the changes applied, or why not: a retry of changes already in, or changes whose base is not what is stored. */
export function applyContractChanges(stored: ContractState, changes: ContractChanges): AppliedChanges {
  if (stored.revision >= changes.revision) return { outcome: 'already-applied' };
  if (stored.revision !== changes.base || stored.timeline.length !== changes.timelineFrom) return { outcome: 'out-of-order', stored: stored.revision };
  return { outcome: 'applied', state: { ...stored, ...changes.set, timeline: [...stored.timeline, ...changes.appended], revision: changes.revision } };
}

/** The failure type with which the store refuses changes computed from another revision than it holds. */
export const PROJECTION_OUT_OF_ORDER = 'projection_out_of_order';
