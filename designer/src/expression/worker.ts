// The live result of an expression, computed off the page's thread: flows/'s bounded
// evaluation (the engine's own steps, depth and clock budget) on the sample record. What no
// budget catches (a regex that backtracks for ever runs in one step) the page ends by
// terminating this worker (live.ts).
import { compileExpression, ExpressionError } from '../../../flows/expression';
import type { LiveRequest, LiveAnswer } from './live';

/** JSON text of a result; functions and other values JSON cannot hold are named, not dropped. */
function show(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'function' ? '<function>' : typeof v === 'bigint' ? String(v) : v), 2) ?? 'null';
}

self.onmessage = async (event: MessageEvent<LiveRequest>) => {
  const { id, source, sample } = event.data;
  let answer: LiveAnswer;
  try {
    const value = await compileExpression(source, '').evaluate(sample);
    answer = value === undefined ? { id, kind: 'none' } : { id, kind: 'value', json: show(value), type: Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value };
  } catch (error) {
    if (error instanceof ExpressionError) answer = { id, kind: error.kind === 'budget' ? 'budget' : error.kind === 'invalid' ? 'invalid' : 'error', message: error.problem, position: error.position };
    else answer = { id, kind: 'error', message: error instanceof Error ? error.message : String(error) };
  }
  (self as unknown as Worker).postMessage(answer);
};

(self as unknown as Worker).postMessage('ready');
