// The mapping's JSONata in CodeMirror 6, with the expression editor's pieces (designer/src/expression):
// its JSONata highlighting, completion of the sample record's fields (dotted) and of $functions,
// and JSONata's parse errors inline. The mapping is a whole expression (no leading `=`), spans
// lines (Enter breaks the line; Tab leaves the field), and its result is the hub's preview beside it.
import { autocompletion, closeBrackets, completionKeymap, type Completion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { bracketMatching, defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { linter, type Diagnostic } from '@codemirror/lint';
import { Compartment, EditorState } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { useEffect, useRef } from 'react';
import { functionOptions } from '../expression/complete';
import { parseProblem } from '../expression/diagnose';
import { dataFields, type DataField } from '../expression/fields';
import { insideLiteral, jsonataLanguage } from '../expression/language';
import { external, typedByEditor, useOutsideValue } from '../expression/editing';

const theme = EditorView.theme({
  '&': { border: '1px solid #c9ced6', borderRadius: '6px', background: '#fff', fontSize: '12.5px' },
  '&.cm-focused': { outline: '2px solid #245bdb', outlineOffset: '0' },
  '&.sf-invalid': { borderColor: '#d4380d' },
  '.cm-content': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', padding: '6px 0', minHeight: '14em' },
  '.cm-scroller': { maxHeight: '24em', overflow: 'auto' },
});


/** Fields of the sample record and $functions, as the expression editor offers them. */
function completion(fields: () => readonly DataField[]) {
  return (context: CompletionContext): CompletionResult | null => {
    const text = context.state.doc.toString();
    if (insideLiteral(text, context.pos)) return null;
    const variable = context.matchBefore(/\$[\p{L}\p{N}_]*/u);
    if (variable) return { from: variable.from, options: functionOptions, validFor: /^\$[\p{L}\p{N}_]*$/u };
    const word = context.matchBefore(/[\p{L}_`][\p{L}\p{N}_.`]*/u);
    if (!word && !context.explicit) return null;
    const options: Completion[] = fields().map((f) => ({ label: f.path, detail: f.type, type: 'property' }));
    return { from: word ? word.from : context.pos, options, validFor: /^[\p{L}\p{N}_.`]*$/u };
  };
}

export default function MappingEditor({ value, onChange, sample, label, invalid }: { value: string; onChange: (text: string) => void; sample: unknown; label: string; invalid: boolean }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const fieldsRef = useRef<readonly DataField[]>([]);
  fieldsRef.current = dataFields(undefined, sample);
  const attributes = useRef(new Compartment());
  const attrs = () => EditorView.contentAttributes.of({ 'aria-label': label, 'aria-multiline': 'true', 'data-testid': 'mapping' });

  useEffect(() => {
    const state = EditorState.create({
      doc: value,
      extensions: [
        jsonataLanguage,
        syntaxHighlighting(defaultHighlightStyle),
        bracketMatching(),
        closeBrackets(),
        history(),
        autocompletion({ override: [completion(() => fieldsRef.current)], icons: false, maxRenderedOptions: 60 }),
        linter((v): Diagnostic[] => {
          const problem = parseProblem('=' + v.state.doc.toString());
          return problem ? [{ from: Math.max(0, problem.from - 1), to: Math.max(0, problem.to - 1), severity: 'error', message: problem.message }] : [];
        }, { delay: 200 }),
        keymap.of([...completionKeymap, ...historyKeymap, ...defaultKeymap]),
        typedByEditor,
        EditorView.lineWrapping,
        theme,
        attributes.current.of(attrs()),
        EditorView.updateListener.of((update) => {
          if (update.docChanged && !update.transactions.every((tr) => tr.annotation(external))) onChangeRef.current(update.state.doc.toString());
        }),
      ],
    });
    // In a shadow root, CodeMirror's styles are constructed style sheets, which the CSP (style-src 'self') allows.
    const shadow = host.current!.shadowRoot ?? host.current!.attachShadow({ mode: 'open' });
    const parent = document.createElement('div');
    shadow.append(parent);
    view.current = new EditorView({ state, parent, root: shadow });
    return () => {
      view.current?.destroy();
      parent.remove();
      view.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useOutsideValue(view, value);

  useEffect(() => {
    view.current?.dispatch({ effects: attributes.current.reconfigure(attrs()) });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [label]);
  // Invalid or not changes with every preview: marked on the DOM, not by reconfiguring (which would close an open completion).
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    v.dom.classList.toggle('sf-invalid', invalid);
    v.contentDOM.setAttribute('aria-invalid', String(invalid));
  }, [invalid]);

  return <div ref={host} className="mapping-editor" data-testid="mapping-editor" />;
}
