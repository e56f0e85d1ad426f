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

/**
 * Typing in one field is one undo step, not one per key: edits of the same field with less
 * than this between them join the step the first of them began.
 */
export const TYPING_PAUSE_MS = 1000;
/** The field being typed in, and when it last changed; any other change ends the typing. */
let typing: { path: string; at: number } | null = null;

export const useEditor = create<Editor>()(
  temporal(
    (set, get) => ({
      flow: null,
      setFlow: (flow) => {
        typing = null;
        set({ flow });
      },
      setField: (path, value) => {
        const flow = get().flow;
        if (!flow) return;
        const now = Date.now();
        const goesOn = typing?.path === path && now - typing.at < TYPING_PAUSE_MS;
        typing = { path, at: now };
        if (!goesOn) return set({ flow: setAt(flow, path, value) });
        const history = useEditor.temporal.getState();
        history.pause();
        set({ flow: setAt(flow, path, value) });
        history.resume();
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

/** The field lost the focus: typing in it again is a new undo step. */
export function endTyping() {
  typing = null;
}

export function undo() {
  typing = null;
  useEditor.temporal.getState().undo();
}
export function redo() {
  typing = null;
  useEditor.temporal.getState().redo();
}

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
