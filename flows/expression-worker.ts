// The body of an expression worker process: evaluates one expression per job, under the
// same EXPRESSION_LIMITS as in place, and answers with the value or the ExpressionError's
// fields. It shares nothing with the server but these messages, so the pool can kill it at
// any moment (a step that runs too long), and a heap that runs out ends only this process.
import { serveJobs } from '../sandbox/worker';
import { compileExpression, ExpressionError, type BoundedExpression } from './expression';
import type { EvaluationRequest, EvaluationResponse } from './expression-pool';

// Flows evaluate the same few expressions over and over (a connector maps every record with
// one mapping): parsing each once per worker keeps a cheap evaluation cheap.
const CACHED_EXPRESSIONS = 500;
const compiled = new Map<string, BoundedExpression>();

function compiledFor(source: string, path: string): BoundedExpression {
  const key = `${path}\n${source}`;
  let expression = compiled.get(key);
  if (!expression) {
    expression = compileExpression(source, path);
    if (compiled.size >= CACHED_EXPRESSIONS) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, expression);
  }
  return expression;
}

async function evaluate({ source, path, input }: EvaluationRequest): Promise<EvaluationResponse> {
  try {
    return { ok: true, value: await compiledFor(source, path).evaluate(input) };
  } catch (error) {
    const e = error instanceof ExpressionError ? error : new ExpressionError(path, `expression failed: ${(error as Error)?.message ?? String(error)}`);
    return { ok: false, error: { path: e.path, reason: e.reason, kind: e.kind, position: e.position, token: e.token, problem: e.problem } };
  }
}

/**
 * A function in the value (a JSONata lambda, or a built-in) cannot cross to the server: what
 * JSON keeps of the value without its functions, as a stored contract would.
 */
function withoutFunctions(response: unknown): unknown {
  const { value } = response as { value: unknown };
  const json = JSON.stringify(value, (_key, v) => (typeof v === 'function' || (v && typeof v === 'object' && '_jsonata_lambda' in v) ? undefined : v));
  return { ok: true, value: json === undefined ? undefined : JSON.parse(json) };
}

serveJobs<unknown, EvaluationRequest>(() => evaluate, { cloneable: withoutFunctions });
