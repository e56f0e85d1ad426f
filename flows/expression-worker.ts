// The body of an expression worker process: evaluates one expression per message, under the
// same EXPRESSION_LIMITS as in place, and answers with the value or the ExpressionError's
// fields. It shares nothing with the server but these messages, so the pool can kill it at
// any moment (a step that runs too long), and a heap that runs out ends only this process.
import { serialize } from 'node:v8';
import { budgetError, compileExpression, ExpressionError, type BoundedExpression } from './expression';
import type { EvaluationRequest, EvaluationResponse, ExpressionWorkerData } from './expression-pool';

const { maxResultBytes } = JSON.parse(process.argv[2] ?? '{}') as ExpressionWorkerData;
const send = (message: EvaluationResponse | { ready: true }) => process.send!(message);
// The server went away (stopped, killed): nothing is left to answer.
process.on('disconnect', () => process.exit(0));

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

/**
 * The value as bytes the main thread deserializes; bounded, because a value of hundreds of
 * megabytes (many distinct arrays of 100,000 items) would hold the main thread while it is read.
 */
function pack(value: unknown, source: string, path: string): Uint8Array {
  let bytes: Buffer;
  try {
    bytes = serialize(value);
  } catch {
    // A function in the value (a JSONata lambda, or a built-in) cannot cross threads: what JSON keeps
    // of the value without its functions, as a stored contract would.
    const json = JSON.stringify(value, (_key, v) => (typeof v === 'function' || (v && typeof v === 'object' && '_jsonata_lambda' in v) ? undefined : v));
    bytes = serialize(json === undefined ? undefined : JSON.parse(json));
  }
  if (bytes.length > maxResultBytes) throw budgetError(path, source, `produced a value of ${bytes.length} bytes, more than ${maxResultBytes}`);
  return bytes;
}

process.on('message', async ({ id, source, path, input }: EvaluationRequest) => {
  let response: EvaluationResponse;
  try {
    const value = pack(await compiledFor(source, path).evaluate(input), source, path);
    response = { id, ok: true, value };
  } catch (error) {
    const e = error instanceof ExpressionError ? error : new ExpressionError(path, `expression failed: ${(error as Error)?.message ?? String(error)}`);
    response = { id, ok: false, error: { path: e.path, reason: e.reason, kind: e.kind, position: e.position, token: e.token, problem: e.problem } };
  }
  send(response);
});
send({ ready: true });
