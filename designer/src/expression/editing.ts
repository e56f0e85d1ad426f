// What the page's CodeMirror editors (expression fields, connector mappings) share about
// editing under the page's CSP and about following a value kept outside the editor.
import { Annotation } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { useLayoutEffect, type RefObject } from 'react';

/** Where a typed text goes: the range the browser itself was about to replace. */
function targetOf(event: InputEvent, view: EditorView): { from: number; to: number } {
  // The editor's own selection can be a step behind the page's: a selection made by a script or
  // an automation tool (select all, then insert) reaches CodeMirror on `selectionchange`, which
  // comes after this event. The event's target range is what the user sees selected.
  const [range] = event.getTargetRanges();
  if (range) {
    try {
      const a = view.posAtDOM(range.startContainer, range.startOffset);
      const b = view.posAtDOM(range.endContainer, range.endOffset);
      return { from: Math.min(a, b), to: Math.max(a, b) };
    } catch {
      // A range outside the editor's content: fall back to its selection.
    }
  }
  return view.state.selection.main;
}

/**
 * Typed text goes in through the editor, not the browser: Chrome, replacing highlighted text,
 * would carry the old text's colours over as a style attribute, which the page's CSP refuses
 * (an error in the console at each such keystroke). Input handlers (closing brackets) still run.
 */
export const typedByEditor = EditorView.domEventHandlers({
  beforeinput(event, view) {
    if (event.inputType !== 'insertText' || !event.data || view.composing || view.state.readOnly) return false;
    event.preventDefault();
    const { from, to } = targetOf(event, view);
    const text = event.data;
    const insert = () => view.state.update({ changes: { from, to, insert: text }, selection: { anchor: from + text.length }, userEvent: 'input.type', scrollIntoView: true });
    if (!view.state.facet(EditorView.inputHandler).some((handler) => handler(view, from, to, text, insert))) view.dispatch(insert());
    return true;
  },
});

/** Marks an editor's own copy of an outside change (undo, redo, a JSON edit), which is not an edit. */
export const external = Annotation.define<boolean>();

/**
 * Keeps the editor's text equal to `value` when the value changes from outside (undo, redo, a
 * JSON edit); the editor's own edits come back as the same text and change nothing.
 * A layout effect, not a passive one: it runs in the task of the render that read `value`. A
 * passive effect can run after the next keystroke has reached the editor, put the older text
 * back, and the keystroke after that lands in the old text: typed characters were lost.
 */
export function useOutsideValue(view: RefObject<EditorView | null>, value: string) {
  useLayoutEffect(() => {
    const v = view.current;
    if (!v) return;
    const current = v.state.doc.toString();
    if (current !== value) v.dispatch({ changes: { from: 0, to: current.length, insert: value }, annotations: external.of(true) });
  }, [view, value]);
}
