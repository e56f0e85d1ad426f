// The editor's state. The flow value is the only state the picture depends on; undo/redo
// is zundo's stack of flow values (selection, tab and server answers are not undone).
import { create } from 'zustand';
import { temporal } from 'zundo';
import { validateFlow, type FlowDefinition, type ValidationIssue } from '../../flows';
import { setAt } from './pointer';

export interface Editor {
  flow: FlowDefinition | null;
  setFlow(flow: FlowDefinition): void;
  /** Replaces the value at a JSON path of the flow ('' for the whole flow). */
  setField(path: string, value: unknown): void;
}

export const useEditor = create<Editor>()(
  temporal(
    (set, get) => ({
      flow: null,
      setFlow: (flow) => set({ flow }),
      setField: (path, value) => {
        const flow = get().flow;
        if (flow) set({ flow: setAt(flow, path, value) });
      },
    }),
    { limit: 200, partialize: (state) => ({ flow: state.flow }), equality: (a, b) => a.flow === b.flow },
  ),
);

/** Opens a flow: a fresh undo history starts from it. */
export function openFlow(flow: FlowDefinition) {
  useEditor.getState().setFlow(flow);
  useEditor.temporal.getState().clear();
}

export const undo = () => useEditor.temporal.getState().undo();
export const redo = () => useEditor.temporal.getState().redo();

// Validation is a pure function of the flow: memoised on the flow object.
let lastFlow: unknown;
let lastIssues: ValidationIssue[] = [];
export function issuesOf(flow: FlowDefinition | null): ValidationIssue[] {
  if (flow === lastFlow) return lastIssues;
  lastFlow = flow;
  if (!flow) return (lastIssues = []);
  const result = validateFlow(flow);
  lastIssues = result.ok ? [] : result.issues;
  return lastIssues;
}
