// Completion in a JSONata field: the flow's data fields where a path may be written, and
// JSONata's $functions (with their signatures) and the expression's own $variables after `$`.
import type { Completion, CompletionContext, CompletionResult, CompletionSource } from '@codemirror/autocomplete';
import type { DataField } from './fields';
import { JSONATA_FUNCTIONS } from './functions';
import { insideLiteral } from './language';

const KEYWORDS = ['and', 'or', 'in', 'true', 'false', 'null', 'function'];

/** Inserts `$name()` with the cursor between the parentheses (after them when it takes no argument). */
function callOf(name: string, args: string): Completion['apply'] {
  return (view, _completion, from, to) => {
    const text = `$${name}()`;
    const cursor = from + text.length - (args ? 1 : 0);
    view.dispatch({ changes: { from, to, insert: text }, selection: { anchor: cursor }, userEvent: 'input.complete' });
  };
}

export const functionOptions: Completion[] = JSONATA_FUNCTIONS.map((f) => ({
  label: '$' + f.name,
  detail: `(${f.args})`,
  type: 'function',
  section: 'JSONata',
  apply: callOf(f.name, f.args),
}));

/** `$name :=` bindings in the text, offered after `$` next to the built-ins. */
function variablesIn(text: string): Completion[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/\$([\p{L}_][\p{L}\p{N}_]*)\s*:=/gu)) names.add(m[1]!);
  return [...names].map((name) => ({ label: '$' + name, type: 'variable', boost: 10 }));
}

/**
 * The completion source of a JSONata field; `fields` is read at each completion, so the
 * options follow the flow's schema and the sample record as they change.
 */
export function jsonataCompletion(fields: () => readonly DataField[]): CompletionSource {
  return (context: CompletionContext): CompletionResult | null => {
    const text = context.state.doc.toString();
    if (!text.startsWith('=') || context.pos < 1) return null;
    if (insideLiteral(text, context.pos)) return null;
    const variable = context.matchBefore(/\$[\p{L}\p{N}_]*/u);
    if (variable) {
      const own = variablesIn(text).filter((v) => v.label !== variable.text || context.explicit);
      return { from: variable.from, options: [...own, { label: '$$', type: 'variable', detail: 'root', info: undefined }, ...functionOptions], validFor: /^\$[\p{L}\p{N}_]*$/u };
    }
    const word = context.matchBefore(/[\p{L}_`][\p{L}\p{N}_.`]*/u);
    if (!word && !context.explicit) return null;
    const from = word ? word.from : context.pos;
    // A path after `.` continues another one (`$x.`, `).`): the whole dotted word is typed here.
    const options: Completion[] = fields().map((f) => ({ label: f.path, detail: f.type, info: f.info, type: 'property' }));
    if (!word || !word.text.includes('.')) options.push(...KEYWORDS.map((k) => ({ label: k, type: 'keyword', boost: -10 })));
    if (context.explicit && !word) options.push(...functionOptions);
    return { from, options, validFor: /^[\p{L}\p{N}_.`]*$/u };
  };
}
