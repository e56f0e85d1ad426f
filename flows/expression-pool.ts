// Evaluates untrusted expressions off the event loop: a few warm worker processes, one
// evaluation at a time each, with a heap limit and a wall-time limit after which the worker
// is killed and replaced: a sandbox (../sandbox) of processes, with this pool's messages and
// errors only.
//
// The step budget, depth limit and clock check of expression.ts still run inside the worker;
// they cannot see one built-in call that works for seconds or builds gigabytes (a `$merge`
// of 20,000 big objects, a `$string` of 100,000 references to one long text). Here such a
// call costs a worker, never the process that serves HTTP.
//
// Processes, not worker threads: a thread's resourceLimits end it gracefully only when the
// heap grows in small steps; one allocation far over the limit (`[$join($a), $join($a)]` of
// two 530-million-character texts) is V8's fatal out-of-memory, which aborts the whole
// process, server included (seen with Node 20 at a 256 MB thread heap). A child process
// under --max-old-space-size dies alone. The price is IPC instead of postMessage (see
// bench/expressions.bench.ts: tens of microseconds an evaluation).
import { availableParallelism } from 'node:os';
import { createSandbox, SandboxError, type SandboxLimits } from '../sandbox';
import { budgetError, EXPRESSION_LIMITS, ExpressionError, runExpressionsWith, type ExpressionErrorOptions, type ExpressionRunner } from './expression';

/** Time, heap (of a worker process), result size and queue of the pool. */
export type ExpressionPoolLimits = SandboxLimits;

/**
 * Three times the in-worker clock (EXPRESSION_LIMITS.timeMs), so a heavy but legitimate
 * expression meets its own budget's clearer verdict first; 256 MB is thirty times what the
 * heaviest legitimate expression of the test suite needs ($map over 10,000 items).
 */
export const EXPRESSION_POOL_LIMITS: Readonly<ExpressionPoolLimits> = Object.freeze({
  timeoutMs: EXPRESSION_LIMITS.timeMs * 3,
  maxHeapMb: 256,
  maxResultBytes: 8 * 1024 * 1024,
  maxQueue: 500,
});

export interface ExpressionPoolOptions {
  limits?: Partial<ExpressionPoolLimits>;
  /** Worker processes (default: one per core but one, at least two, at most four). */
  workers?: number;
}

export interface ExpressionPool {
  /** Evaluates `source` (JSONata without the `=`) on `input`; rejects with ExpressionError, or ExpressionBusyError when no evaluator is free. */
  evaluate: ExpressionRunner;
  readonly limits: Readonly<ExpressionPoolLimits>;
  /** Terminates the workers; pending evaluations are refused. */
  close(): Promise<void>;
}

// The messages between pool and worker (expression-worker.ts).
export interface EvaluationRequest {
  source: string;
  path: string;
  input: unknown;
}
export type EvaluationResponse = { ok: true; value: unknown } | { ok: false; error: ExpressionErrorOptions & { path: string; reason: string } };

/**
 * No evaluator free (a full queue, or one that cannot start now): try again shortly (HTTP 503).
 * Not an ExpressionError, which is a verdict on the expression: a workflow activity that gets
 * this one is retried, where an ExpressionError fails the contract.
 */
export class ExpressionBusyError extends Error {
  readonly busy = true;
  constructor(message: string) {
    super(message);
    this.name = 'ExpressionBusyError';
  }
}

const WORKER_ENTRY = new URL('./expression-worker.mjs', import.meta.url);

export function createExpressionPool(options: ExpressionPoolOptions = {}): ExpressionPool {
  const limits: Readonly<ExpressionPoolLimits> = Object.freeze({ ...EXPRESSION_POOL_LIMITS, ...options.limits });
  // Two at least: one runaway holds its worker up to the time limit, the other keeps answering.
  const workers = Math.max(1, options.workers ?? Math.max(2, Math.min(4, availableParallelism() - 1)));
  const sandbox = createSandbox<EvaluationRequest, EvaluationResponse>({ kind: 'process', entry: WORKER_ENTRY, init: null, limits, workers });

  /** The pool's refusal as the ExpressionError every caller of an evaluation expects. */
  function refusal(error: SandboxError, source: string, path: string): Error {
    switch (error.reason) {
      case 'timeout':
      case 'memory':
      case 'too_large':
        // 'was stopped after …', 'needed more than … of memory', 'produced a value of … bytes': the expression's budget.
        return budgetError(path, source, error.message);
      case 'busy':
        return new ExpressionBusyError(`${path}: could not be evaluated now: ${error.waiting} evaluations are waiting already; try again shortly`);
      case 'unavailable':
        return new ExpressionBusyError(`the expression evaluator could not start: ${error.message}`);
      case 'closed':
        return new Error('the expression evaluator is closed');
      case 'crashed':
        return new ExpressionError(path, `the expression evaluator stopped while evaluating it: ${error.message}`);
    }
  }

  return {
    limits,
    async evaluate(source, path, input) {
      let response: EvaluationResponse;
      try {
        response = await sandbox.run({ source, path, input });
      } catch (error) {
        throw error instanceof SandboxError ? refusal(error, source, path) : error;
      }
      if (response.ok) return response.value;
      const { path: at, reason, ...rest } = response.error;
      throw new ExpressionError(at, reason, rest);
    },
    close: () => sandbox.close(),
  };
}

let shared: ExpressionPool | null = null;

/**
 * Sends every evaluation of this process to one shared pool, made on the first call (later
 * calls return it). Its idle workers never keep the process alive, so nobody has to close it;
 * one pool per process, because the runner it installs is per process too.
 */
export function useExpressionPool(options?: ExpressionPoolOptions): ExpressionPool {
  if (!shared) {
    shared = createExpressionPool(options);
    runExpressionsWith(shared.evaluate);
  }
  return shared;
}
