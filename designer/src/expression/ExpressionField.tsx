// What the drawer renders for a `=` value: the JSONata editor, loaded on demand (CodeMirror
// stays out of the first load); until it has loaded, a plain text input edits the value.
import { lazy, Suspense } from 'react';

const ExpressionEditor = lazy(() => import('./ExpressionEditor'));

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
  const fallback = <input id={id} data-field={path} type="text" value={value} spellCheck={false} className="expression" aria-invalid={invalid} onChange={(e) => onChange(e.target.value)} />;
  return (
    <Suspense fallback={fallback}>
      <ExpressionEditor path={path} label={label} value={value} invalid={invalid} onChange={onChange} />
    </Suspense>
  );
}
