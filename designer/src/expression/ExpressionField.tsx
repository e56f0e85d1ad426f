// What the drawer renders for a `=` value: the JSONata editor, loaded on demand (CodeMirror
// stays out of the first load); until it has loaded, a plain text input edits the value.
import { lazy, Suspense } from 'react';

const ExpressionEditor = lazy(() => import('./ExpressionEditor'));

/** Fields whose value is always a JSONata expression (the schema's `^=` pattern). */
const ALWAYS = [/^\/approval\/amount$/, /^\/documents\/\d+\/(when|data)$/];
export const isAlwaysExpression = (path: string) => ALWAYS.some((re) => re.test(path));

/** A `=` value, or a field that only takes one. */
export const wantsExpressionEditor = (path: string, value: unknown) => isAlwaysExpression(path) || (typeof value === 'string' && value.startsWith('='));

export function ExpressionField({ id, path, label, value, invalid, onChange }: { id: string; path: string; label: string; value: string; invalid: boolean; onChange(text: string): void }) {
  const fallback = <input id={id} data-field={path} type="text" value={value} spellCheck={false} className="expression" aria-invalid={invalid} onChange={(e) => onChange(e.target.value)} />;
  return (
    <Suspense fallback={fallback}>
      <ExpressionEditor path={path} label={label} value={value} invalid={invalid} onChange={onChange} />
    </Suspense>
  );
}
