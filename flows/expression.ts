// Values in a flow are literals or JSONata expressions over the contract data ("=amount").
//
// Expressions are code written by flow designers and connector admins, and JSONata runs on
// microtasks only: a loop never yields, so one runaway expression would hold the server's
// event loop, or a workflow task, for ever (tail recursion does not even grow the stack).
// Every evaluation therefore goes through `compileExpression`, which bounds it.
import jsonata from 'jsonata';
import { registerBoundedBuiltins } from './builtins';
import { LinearRegExp } from './linear-regex';

/**
 * The budget of one evaluation. Steps and depth are counted, so their verdict does not depend
 * on the machine's load, and it holds where `Date.now()` stands still (Temporal workflow code,
 * during a task). Measured on the 2-core dev machine: the step budget ends a tail-recursive
 * loop in 0.1 to 0.2 s, while `$map` over 10,000 items with a small function takes about
 * 30,000 steps and `$sum(items.(quantity*price))` over 1,000 items about 6,000.
 *
 * Contract workflows evaluate their expressions in activities, not in workflow code: the
 * workflow sandbox records a stack trace for every promise, which makes JSONata about a
 * hundred times slower there (a `$map` over 1,000 items took 0.8 s), so a legitimate
 * expression would outlast the sandbox's time limit per task long before this budget.
 */
export const EXPRESSION_LIMITS = Object.freeze({
  /** Evaluation steps (one per node JSONata evaluates, function bodies included). */
  steps: 250_000,
  /** Nesting of evaluation: a recursion that does not end runs into this at once. */
  depth: 1_000,
  /**
   * Wall clock, where a real clock exists (server, activities): a backstop for steps that
   * cost more than most (a sort with a comparator function). Workflow code never trips it.
   */
  timeMs: 500,
  /**
   * The longest array or string one step may produce. A built-in function (`$map` with a
   * built-in callback, a range `[1..10000000]`) does its work in one step, so the step
   * budget alone would not bound it.
   */
  items: 100_000,
  chars: 1_000_000,
});

export type ExpressionFailure = 'invalid' | 'failed' | 'budget';

export interface ExpressionErrorOptions {
  /** `invalid`: the text does not parse; `failed`: it failed on this data; `budget`: it ran out of its budget. */
  kind?: ExpressionFailure;
  /** Character offset in the expression, when JSONata knows it. */
  position?: number;
  /** The token JSONata stumbled on, when it knows it. */
  token?: string;
  /** What went wrong inside the expression, without path or source (JSONata's message, or which budget ran out). */
  problem?: string;
}

/** An expression that could not give a value; `path` is the JSON pointer of the expression in its document. */
export class ExpressionError extends Error {
  readonly kind: ExpressionFailure;
  readonly position?: number;
  readonly token?: string;
  readonly problem: string;

  constructor(
    readonly path: string,
    /** What went wrong, without the path. */
    readonly reason: string,
    options: ExpressionErrorOptions = {},
  ) {
    super(`${path}: ${reason}`);
    this.name = 'ExpressionError';
    this.kind = options.kind ?? 'failed';
    this.position = options.position;
    this.token = options.token;
    this.problem = options.problem ?? reason;
  }
}

/**
 * The type of the ApplicationFailure an activity throws for an ExpressionError, so workflow code
 * (which sees only the failure) can tell a flow expression's failure from any other.
 */
export const expressionFailureType = (kind: ExpressionFailure) => `expression_${kind}`;
export const isExpressionFailureType = (type: string | null | undefined) => typeof type === 'string' && type.startsWith('expression_');

export function isExpression(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('=');
}

/**
 * Runs one evaluation somewhere else: the server installs a pool of worker threads (see
 * expression-pool.ts), because one built-in call can hold the event loop for seconds or take
 * gigabytes between two of the checks below. Process-wide rather than passed in, because
 * expressions are evaluated deep inside the flow functions (simulate, routing, signers,
 * documents) that routes and activities share; workflow code never installs one, so the
 * deterministic sandbox evaluates in place as before.
 */
export type ExpressionRunner = (source: string, path: string, input: unknown) => Promise<unknown>;
let runner: ExpressionRunner | null = null;

/** Sends every later evaluation of this process (this thread) to `next`; null evaluates in place again. */
export function runExpressionsWith(next: ExpressionRunner | null): void {
  runner = next;
}

/** A parsed expression; each `evaluate` runs under EXPRESSION_LIMITS. */
export interface BoundedExpression {
  readonly source: string;
  evaluate(input: unknown): Promise<unknown>;
}

/** Thrown from JSONata's evaluation hooks; recognised on the way out, wrapped or not. */
class BudgetExhausted extends Error {}

interface JsonataFailure {
  message?: string;
  position?: number;
  token?: string;
  /** `$eval` wraps the failure of the expression it evaluated. */
  error?: unknown;
}

/** JSONata's evaluation state, shared by every frame of one `evaluate` call (its `base`). */
interface EvaluationFrame {
  base: { depth: number };
}

// JSONata (2.x) looks these up in the expression's environment around every node it evaluates.
const ENTRY = Symbol.for('jsonata.__evaluate_entry') as unknown as string;
const EXIT = Symbol.for('jsonata.__evaluate_exit') as unknown as string;

function budgetExhaustion(error: unknown): BudgetExhausted | null {
  for (let e = error as JsonataFailure | undefined, hops = 0; e && typeof e === 'object' && hops < 10; e = (e as JsonataFailure).error as JsonataFailure, hops++) {
    if (e instanceof BudgetExhausted) return e;
    // A deep recursion inside a built-in may still reach the engine's own stack limit first.
    if (e instanceof RangeError && /call stack/i.test(e.message)) return new BudgetExhausted(`nested too deep (${e.message}); does a recursion never end?`);
  }
  return null;
}

const excerpt = (source: string) => (source.length > 160 ? source.slice(0, 157) + '...' : source);

/** The failure of an expression that ran out of a limit; `what` completes "it …" (e.g. "ran longer than 500 ms"). */
export function budgetError(path: string, source: string, what: string): ExpressionError {
  const problem = `ran out of its budget: it ${what}`;
  return new ExpressionError(path, `expression =${excerpt(source)} ${problem}`, { kind: 'budget', problem });
}

/**
 * Parses `source` (JSONata, without the leading `=`) and returns it bounded; every failure,
 * a syntax error included, is an ExpressionError naming `path`.
 */
export function compileExpression(source: string, path: string): BoundedExpression {
  let compiled: ReturnType<typeof jsonata>;
  try {
    // Regexes in linear time (see linear-regex.ts): a backtracking one would run inside a single step, beyond the budget.
    compiled = jsonata(source, { RegexEngine: LinearRegExp as unknown as RegExpConstructor });
  } catch (error) {
    const e = error as JsonataFailure;
    const problem = e.message ?? String(error);
    throw new ExpressionError(path, `is not a valid JSONata expression: ${problem}`, { kind: 'invalid', position: e.position, token: e.token, problem });
  }

  // One compiled expression may run several evaluations at once (a connector maps records
  // concurrently): each evaluation has its own JSONata base frame, and its own count.
  const runs = new WeakMap<object, { steps: number; startedAt: number }>();
  const runOf = (frame: EvaluationFrame) => {
    let run = runs.get(frame.base);
    if (!run) runs.set(frame.base, (run = { steps: 0, startedAt: Date.now() }));
    return run;
  };
  const checkClock = (run: { startedAt: number }) => {
    if (Date.now() - run.startedAt > EXPRESSION_LIMITS.timeMs) throw new BudgetExhausted(`ran longer than ${EXPRESSION_LIMITS.timeMs} ms; does it loop forever?`);
  };
  // In place of built-ins that are quadratic in one step (see builtins.ts).
  registerBoundedBuiltins(compiled);
  compiled.assign(ENTRY, (_node: unknown, _input: unknown, frame: EvaluationFrame) => {
    const run = runOf(frame);
    run.steps += 1;
    if (run.steps > EXPRESSION_LIMITS.steps) throw new BudgetExhausted(`took more than ${EXPRESSION_LIMITS.steps} evaluation steps; does it loop forever?`);
    if (frame.base.depth > EXPRESSION_LIMITS.depth) throw new BudgetExhausted(`nested deeper than ${EXPRESSION_LIMITS.depth} levels; does a recursion never end?`);
    checkClock(run);
  });
  compiled.assign(EXIT, (_node: unknown, _input: unknown, _frame: EvaluationFrame, result: unknown) => {
    if (Array.isArray(result) && result.length > EXPRESSION_LIMITS.items) throw new BudgetExhausted(`produced an array of ${result.length} items, more than ${EXPRESSION_LIMITS.items}`);
    if (typeof result === 'string' && result.length > EXPRESSION_LIMITS.chars) throw new BudgetExhausted(`produced a text of ${result.length} characters, more than ${EXPRESSION_LIMITS.chars}`);
  });

  return {
    source,
    async evaluate(input) {
      if (runner) return runner(source, path, input);
      try {
        return await compiled.evaluate(input);
      } catch (error) {
        const budget = budgetExhaustion(error);
        if (budget) throw budgetError(path, source, budget.message);
        const e = error as JsonataFailure;
        const problem = e.message ?? String(error);
        throw new ExpressionError(path, `expression =${excerpt(source)} failed: ${problem}`, { position: e.position, token: e.token, problem });
      }
    },
  };
}

/** Evaluates `=expr` against the data, bounded; any other value is returned as it is. */
export async function evaluate(value: string, data: Record<string, unknown>, path: string): Promise<unknown> {
  if (!isExpression(value)) return value;
  // The runner parses it where it runs (a syntax error comes back the same way).
  if (runner) return runner(value.slice(1), path, data);
  return compileExpression(value.slice(1), path).evaluate(data);
}
