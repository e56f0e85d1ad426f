// What the drawer renders for a `=` value: the JSONata editor, loaded on demand (CodeMirror
// stays out of the first load); until it has loaded, a plain text input edits the value.
import { useEffect, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import type { Caret, default as ExpressionEditorComponent } from './ExpressionEditor';

type Editor = typeof ExpressionEditorComponent;
let loaded: Editor | null = null;
let loading: Promise<Editor> | null = null;

/** Loads the editor's code; the flow editor starts it when a flow opens, so a field seldom waits. */
export function preloadExpressionEditor(): Promise<Editor> {
  return (loading ??= import('./ExpressionEditor').then((module) => (loaded = module.default)));
}

/** Fields whose value is always a JSONata expression (the schema's `^=` pattern). */
const ALWAYS = [/^\/approval\/amount$/, /^\/documents\/\d+\/(when|data)$/];
export const isAlwaysExpression = (path: string) => ALWAYS.some((re) => re.test(path));
/** Fields the engine evaluates when their value starts with `=` (flows/validation.ts checks the same ones). */
const MAYBE = [/^\/title$/, /^\/archive\/folder$/, /^\/archive\/expiry\/date$/, /^\/documents\/\d+\/title$/, /^\/signers\/\d+\/(name|creditCode|idNumber|contact\/email|contact\/mobile)$/];
const mayBeExpression = (path: string) => MAYBE.some((re) => re.test(path));

/** The field whose expression editor has the focus: it stays an editor while the `=` is retyped. */
let focusedPath: string | null = null;
export const setFocusedExpression = (path: string, focused: boolean) => {
  if (focused) focusedPath = path;
  else if (focusedPath === path) focusedPath = null;
};

/** A field that only takes an expression, or one that may and holds a `=` value (or is being typed in). */
export const wantsExpressionEditor = (path: string, value: unknown) => isAlwaysExpression(path) || (mayBeExpression(path) && ((typeof value === 'string' && value.startsWith('=')) || focusedPath === path));

export function ExpressionField({ id, path, label, value, invalid, onChange }: { id: string; path: string; label: string; value: string; invalid: boolean; onChange(text: string): void }) {
  const [Editor, setEditor] = useState<Editor | null>(() => loaded);
  const input = useRef<HTMLInputElement>(null);
  const caret = useRef<Caret | null>(null);

  useEffect(() => {
    if (Editor) return;
    let live = true;
    void preloadExpressionEditor().then((component) => {
      if (!live) return;
      // Someone typing in the stand-in field goes on typing in the editor, at the same place:
      // the swap, the focus and the caret happen in this one task, so no keystroke falls between
      // (removing a focused input sends the focus to the page, and the next keys went nowhere).
      const el = input.current;
      caret.current = el && document.activeElement === el ? { from: el.selectionStart ?? el.value.length, to: el.selectionEnd ?? el.value.length } : null;
      flushSync(() => setEditor(() => component));
    });
    return () => {
      live = false;
    };
  }, [Editor]);

  if (!Editor) return <input ref={input} id={id} data-field={path} type="text" value={value} spellCheck={false} className="expression" aria-invalid={invalid} onChange={(e) => onChange(e.target.value)} />;
  return <Editor path={path} label={label} value={value} invalid={invalid} onChange={onChange} focusAt={caret.current} />;
}
