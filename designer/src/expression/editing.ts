// What the page's CodeMirror editors (expression fields, connector mappings) share about
// editing under the page's CSP.
import { Annotation } from '@codemirror/state';
import { EditorView } from '@codemirror/view';

/**
 * Typed text goes in through the editor, not the browser: Chrome, replacing highlighted text,
 * would carry the old text's colours over as a style attribute, which the page's CSP refuses
 * (an error in the console at each such keystroke). Input handlers (closing brackets) still run.
 */
export const typedByEditor = EditorView.domEventHandlers({
  beforeinput(event, view) {
    if (event.inputType !== 'insertText' || !event.data || view.composing || view.state.readOnly) return false;
    event.preventDefault();
    const { from, to } = view.state.selection.main;
    const text = event.data;
    const insert = () => view.state.update({ changes: { from, to, insert: text }, selection: { anchor: from + text.length }, userEvent: 'input.type', scrollIntoView: true });
    if (!view.state.facet(EditorView.inputHandler).some((handler) => handler(view, from, to, text, insert))) view.dispatch(insert());
    return true;
  },
});

/** Marks an editor's own copy of an outside change (undo, redo, a JSON edit), which is not an edit. */
export const external = Annotation.define<boolean>();
