// Parse errors of a flow value's JSONata, as ranges in the value's text (its `=` included),
// from JSONata's own parser: the position it reports is where the offending token ends.
import jsonata from 'jsonata';

export interface ParseProblem {
  from: number;
  to: number;
  /** JSONata's code (S0201…) and message. */
  code?: string;
  message: string;
}

/** `text` is the whole value (`=expr`); null when it parses (or is not an expression). */
export function parseProblem(text: string): ParseProblem | null {
  if (!text.startsWith('=')) return null;
  const source = text.slice(1);
  if (source.trim() === '') return { from: text.length, to: text.length, message: 'Empty expression' };
  try {
    jsonata(source);
    return null;
  } catch (error) {
    const e = error as { code?: string; position?: number; token?: unknown; message?: string };
    const length = source.length;
    let from: number;
    let to: number;
    if (typeof e.position !== 'number') [from, to] = [0, length];
    else if (e.token === '(end)') [from, to] = [length, length];
    else if (e.token !== undefined && e.token !== null) {
      to = Math.min(Math.max(e.position, 0), length);
      from = Math.max(0, to - String(e.token).length);
    } else {
      // No token (an unterminated string or comment): from where JSONata stopped to the end.
      from = Math.min(Math.max(e.position, 0), length);
      to = length;
    }
    // An unterminated comment or string: from its opening to the end.
    if (e.code === 'S0106') [from, to] = [Math.max(0, source.lastIndexOf('/*')), length];
    if (e.code === 'S0101') [from, to] = [Math.max(0, source.lastIndexOf('"'), source.lastIndexOf("'")), length];
    return { from: from + 1, to: to + 1, code: e.code, message: e.message ?? String(error) };
  }
}
