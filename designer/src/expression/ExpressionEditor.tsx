// A JSONata field: CodeMirror 6 with JSONata highlighting, completion of the flow's data
// fields and $functions, JSONata's parse errors inline, and the live result on the sample
// record (computed in a Web Worker, live.ts). Loaded on demand (ExpressionField.tsx).
import { acceptCompletion, autocompletion, closeBrackets, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, insertNewline } from '@codemirror/commands';
import { bracketMatching, HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { linter, type Diagnostic } from '@codemirror/lint';
import { Compartment, EditorState, Prec } from '@codemirror/state';
import { EditorView, keymap, placeholder } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { endTyping, useEditor } from '../store';
import { jsonataCompletion } from './complete';
import { setFocusedExpression } from './ExpressionField';
import { parseProblem } from './diagnose';
import { dataFields, type DataField } from './fields';
import { jsonataLanguage } from './language';
import { LIVE_TIME_LIMIT_MS, liveEvaluator, type LiveResult } from './live';
import { SampleEditor, useSample } from './sample';
import './expression.css';
import { external, typedByEditor, useOutsideValue } from './editing';

export interface ExpressionEditorProps {
  /** JSON path of the value in the flow. */
  path: string;
  /** The field's label: the editor's accessible name. */
  label: string;
  value: string;
  invalid: boolean;
  onChange(text: string): void;
  /** Take the focus at mount, with this selection: the user was typing in the field this editor replaces. */
  focusAt?: Caret | null;
}

export interface Caret {
  from: number;
  to: number;
}

const highlight = HighlightStyle.define([
  { tag: tags.meta, color: '#8a8f98' },
  { tag: [tags.keyword, tags.operatorKeyword], color: '#7c3aed', fontWeight: '600' },
  { tag: tags.string, color: '#0a7f3f' },
  { tag: tags.regexp, color: '#b45309' },
  { tag: [tags.number, tags.bool, tags.null], color: '#1d4ed8' },
  { tag: tags.comment, color: '#6b7280', fontStyle: 'italic' },
  { tag: tags.function(tags.variableName), color: '#b91c1c' },
  { tag: tags.variableName, color: '#9d174d' },
  { tag: tags.propertyName, color: '#0f3b66' },
  { tag: tags.operator, color: '#374151' },
]);

const theme = EditorView.theme({
  '&': { border: '1px solid #c9ced6', borderRadius: '4px', background: '#fff', fontSize: '13px' },
  '&.cm-focused': { outline: '2px solid #2563eb', outlineOffset: '0' },
  '&.sf-invalid': { borderColor: '#d4380d' },
  '.cm-tooltip-autocomplete': { fontSize: '12px' },
  '.cm-tooltip-autocomplete .cm-completionDetail': { color: '#4b5563', fontStyle: 'normal', marginLeft: '0.6em' },
  '.cm-tooltip-autocomplete ul li[aria-selected] .cm-completionDetail': { color: 'inherit' },
  '.cm-content': { fontFamily: 'var(--mono, monospace)', padding: '4px 0', minHeight: '1.6em' },
  '.cm-line': { padding: '0 6px' },
  '.cm-scroller': { maxHeight: '12em', overflow: 'auto' },
});

const MAX_SHOWN = 400;

export default function ExpressionEditor({ path, label, value, invalid, onChange, focusAt }: ExpressionEditorProps) {
  const { t } = useTranslation();
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const resultId = useId();
  const aria = useRef(new Compartment());

  const flowKey = useEditor((s) => s.flow?.key);
  const schema = useEditor((s) => s.flow?.data);
  const sample = useSample(flowKey, schema);
  const fields = useMemo(() => dataFields(schema, sample.value), [schema, sample.value]);
  const fieldsRef = useRef<readonly DataField[]>(fields);
  fieldsRef.current = fields;

  const contentAttributes = (isInvalid: boolean) => [
    EditorView.editorAttributes.of({ class: isInvalid ? 'sf-invalid' : '' }),
    EditorView.contentAttributes.of({ 'aria-label': label, 'aria-invalid': String(isInvalid), 'data-field': path, 'data-expression': 'true' }),
  ];

  // The view lives as long as the field; its text follows `value` (undo/redo change it from outside).
  // Made in the commit that shows the field (a layout effect), so a hand-over of the focus is immediate.
  useLayoutEffect(() => {
    const state = EditorState.create({
      doc: value,
      extensions: [
        jsonataLanguage,
        syntaxHighlighting(highlight),
        bracketMatching(),
        closeBrackets(),
        autocompletion({ override: [jsonataCompletion(() => fieldsRef.current)], icons: false, maxRenderedOptions: 60 }),
        linter(
          (v): Diagnostic[] => {
            const problem = parseProblem(v.state.doc.toString());
            return problem ? [{ from: problem.from, to: problem.to, severity: 'error', message: problem.message, source: problem.code }] : [];
          },
          { delay: 150 },
        ),
        // One line unless asked: Enter accepts a completion or does nothing, Shift-Enter breaks the line; Tab leaves the field.
        Prec.highest(keymap.of([{ key: 'Enter', run: acceptCompletion, shift: insertNewline }, { key: 'Enter', run: () => true }])),
        keymap.of([...completionKeymap, ...defaultKeymap]),
        typedByEditor,
        EditorView.lineWrapping,
        placeholder('=…'),
        theme,
        aria.current.of(contentAttributes(invalid)),
        EditorView.updateListener.of((update) => {
          if (update.focusChanged) {
            setFocusedExpression(path, update.view.hasFocus);
            if (!update.view.hasFocus) endTyping();
          }
          if (update.docChanged && !update.transactions.every((tr) => tr.annotation(external))) onChangeRef.current(update.state.doc.toString());
        }),
      ],
    });
    // In a shadow root: CodeMirror's styles then go in as a constructed style sheet, which the
    // page's CSP (style-src 'self', no nonce) allows; in the document they would be a <style> tag.
    const shadow = host.current!.shadowRoot ?? host.current!.attachShadow({ mode: 'open' });
    const parent = document.createElement('div');
    shadow.append(parent);
    const created = new EditorView({ state, parent, root: shadow });
    view.current = created;
    // The user was typing in the field this editor replaces: the stand-in input while this code
    // loaded, or a plain field that typing `=` turned into an expression. They type on here.
    const typedInto = focusAt ?? (value === '=' && (document.activeElement === document.body || document.activeElement === null) ? { from: 1, to: 1 } : null);
    if (typedInto) {
      created.focus();
      created.dispatch({ selection: { anchor: Math.min(typedInto.from, value.length), head: Math.min(typedInto.to, value.length) } });
    }
    return () => {
      // Closed (the drawer shut, another card opened): typing here again is a new undo step.
      // The editor's own blur update does not come when the view goes with its focus.
      endTyping();
      setFocusedExpression(path, false);
      created.destroy();
      parent.remove();
      view.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useOutsideValue(view, value);

  useEffect(() => {
    view.current?.dispatch({ effects: aria.current.reconfigure(contentAttributes(invalid)) });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [invalid, label, path]);

  const problem = useMemo(() => parseProblem(value), [value]);
  const result = useLiveResult(path, value, problem === null, sample.value);
  const [sampleOpen, setSampleOpen] = useState(false);

  let line: { text: string; kind: string };
  if (!value.startsWith('=')) line = { kind: 'literal', text: '' };
  else if (problem) line = { kind: 'invalid', text: t('expr.syntaxError', { column: problem.from, message: problem.message }) };
  else if (!sample.value) line = { kind: 'none', text: t('expr.noSample') };
  else if (!result) line = { kind: 'pending', text: '…' };
  else if (result.kind === 'value') line = { kind: 'value', text: '→ ' + (result.json.length > MAX_SHOWN ? result.json.slice(0, MAX_SHOWN) + ' …' : result.json) };
  else if (result.kind === 'none') line = { kind: 'value', text: t('expr.noValue') };
  else if (result.kind === 'timeout') line = { kind: 'timeout', text: t('expr.timedOut', { ms: LIVE_TIME_LIMIT_MS }) };
  else if (result.kind === 'budget') line = { kind: 'timeout', text: t('expr.budget', { message: result.message }) };
  else if (result.kind === 'error' || result.kind === 'invalid') line = { kind: 'error', text: t('expr.error', { message: result.message }) };
  else line = { kind: 'pending', text: '…' };

  return (
    <div className="expr">
      <div ref={host} className={invalid ? 'expr-editor bad' : 'expr-editor'} data-testid={`expression-${path}`} />
      <div className="expr-result-row">
        <output id={resultId} className={`expr-result ${line.kind}`} data-testid={`result-${path}`} data-kind={line.kind} aria-live="polite">
          {line.text}
        </output>
        {flowKey && value.startsWith('=') && (
          <button type="button" className="link expr-sample-toggle" aria-expanded={sampleOpen} data-testid={`sample-toggle-${path}`} onClick={() => setSampleOpen(!sampleOpen)}>
            {t(sample.source === 'none' ? 'expr.addSample' : 'expr.editSample')}
          </button>
        )}
      </div>
      {sampleOpen && flowKey && <SampleEditor flowKey={flowKey} sample={sample} />}
    </div>
  );
}

/** The live result of `value` on the sample, debounced; null while it is computed. */
function useLiveResult(path: string, value: string, parses: boolean, sample: Record<string, unknown> | undefined): LiveResult | null {
  const [result, setResult] = useState<LiveResult | null>(null);
  useEffect(() => {
    if (!parses || !sample || !value.startsWith('=')) return setResult(null);
    let live = true;
    setResult(null);
    const timer = setTimeout(() => {
      void liveEvaluator()
        .evaluate(path, value.slice(1), sample)
        .then((answer) => live && answer.kind !== 'superseded' && setResult(answer));
    }, 120);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [path, value, parses, sample]);
  return result;
}
