// Evaluates untrusted expressions off the event loop: a few warm worker processes, one
// evaluation at a time each, with a heap limit and a wall-time limit after which the worker
// is killed and replaced (the shape of signing/verify/verification-pool.ts).
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
//
// A hand-written pool rather than piscina/tinypool: both run worker threads only.
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { deserialize } from 'node:v8';
import { budgetError, EXPRESSION_LIMITS, ExpressionError, runExpressionsWith, type ExpressionErrorOptions, type ExpressionRunner } from './expression';

export interface ExpressionPoolLimits {
  /** Wall time of one evaluation in its worker, queueing excluded; beyond it the worker is replaced. */
  timeoutMs: number;
  /** Old-generation heap of one worker process (--max-old-space-size). */
  maxHeapMb: number;
  /** The serialized value one evaluation may send back. */
  maxResultBytes: number;
  /** Evaluations waiting for a worker; beyond this one is refused at once. */
  maxQueue: number;
}

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
  /** Worker threads (default: one per core but one, at least two, at most four). */
  workers?: number;
}

export interface ExpressionPool {
  /** Evaluates `source` (JSONata without the `=`) on `input`; rejects with ExpressionError only. */
  evaluate: ExpressionRunner;
  readonly limits: Readonly<ExpressionPoolLimits>;
  /** Terminates the workers; pending evaluations are refused. */
  close(): Promise<void>;
}

// The messages between pool and worker (expression-worker.ts).
export interface ExpressionWorkerData {
  maxResultBytes: number;
}
export interface EvaluationRequest {
  id: number;
  source: string;
  path: string;
  input: unknown;
}
export type EvaluationResponse =
  | { id: number; ok: true; value: Uint8Array }
  | { id: number; ok: false; error: ExpressionErrorOptions & { path: string; reason: string } };

interface Task extends EvaluationRequest {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: ChildProcess;
  ready: boolean;
  task: Task | null;
  timer?: NodeJS.Timeout;
}

const RETRY_START_MS = 5000;
const WORKER_ENTRY = fileURLToPath(new URL('./expression-worker.mjs', import.meta.url));

/** What a worker process sees of the environment: where temporary files go (tsx's cache), nothing secret. */
function workerEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'TMP', 'TEMP', 'NODE_ENV']) if (process.env[name] !== undefined) env[name] = process.env[name];
  return env;
}

/** A busy worker keeps the server's process alive; an idle one does not. */
function hold(worker: ChildProcess, busy: boolean): void {
  const channel = worker.channel as { ref(): void; unref(): void } | undefined;
  if (busy) {
    worker.ref();
    channel?.ref();
  } else {
    worker.unref();
    channel?.unref();
  }
}

export function createExpressionPool(options: ExpressionPoolOptions = {}): ExpressionPool {
  const limits = Object.freeze({ ...EXPRESSION_POOL_LIMITS, ...options.limits });
  // Two at least: one runaway holds its worker up to the time limit, the other keeps answering.
  const size = Math.max(1, options.workers ?? Math.max(2, Math.min(4, availableParallelism() - 1)));
  const workerData: ExpressionWorkerData = { maxResultBytes: limits.maxResultBytes };
  const slots = new Set<Slot>();
  const queue: Task[] = [];
  let nextId = 1;
  let closed = false;
  // Why the last worker could not start; evaluations are refused at once until RETRY_START_MS later.
  let startFailure: Error | null = null;
  let startFailedAt = 0;

  function spawn(): void {
    // Its own flags only: the server's (a debugger, a loader) are no business of an evaluator.
    const worker = fork(WORKER_ENTRY, [JSON.stringify(workerData)], {
      execArgv: [`--max-old-space-size=${limits.maxHeapMb}`, '--max-semi-space-size=16', '--stack-size=4000'],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      // Not the server's environment (master key, database URL): an evaluator needs none of it.
      env: workerEnvironment(),
    });
    hold(worker, false);
    const slot: Slot = { worker, ready: false, task: null };
    slots.add(slot);
    worker.on('message', (message: EvaluationResponse | { ready: true }) => {
      if ('ready' in message) {
        slot.ready = true;
        pump();
        return;
      }
      const task = slot.task;
      if (!task || task.id !== message.id) return;
      finish(slot);
      if (message.ok) task.resolve(deserialize(Buffer.from(message.value.buffer, message.value.byteOffset, message.value.byteLength)));
      else {
        const { path, reason, ...rest } = message.error;
        task.reject(new ExpressionError(path, reason, rest));
      }
      pump();
    });
    worker.on('error', (error: Error) => {
      // The process could not be started, or not be sent to (it is gone: 'exit' tells the task).
      if (slot.ready) return;
      retire(slot);
      // A broken install, or no room for another process: the evaluations waiting now are refused.
      startFailure = new Error(`the expression evaluator could not start: ${error.message}`);
      startFailedAt = Date.now();
      for (const waiting of queue.splice(0)) waiting.reject(startFailure);
    });
    worker.on('exit', (code, signal) => {
      const task = slot.task;
      const wasReady = slot.ready;
      if (!slots.has(slot)) return;
      retire(slot);
      if (task) {
        // V8 aborts a process whose heap is out (SIGABRT, or exit code 134 where a shell reports it).
        if (signal === 'SIGABRT' || code === 134) task.reject(budgetError(task.path, task.source, `needed more than ${limits.maxHeapMb} MB of memory`));
        else task.reject(new ExpressionError(task.path, `the expression evaluator stopped while evaluating it (${signal ?? `exit code ${code}`})`));
      } else if (!wasReady && !closed) {
        startFailure = new Error(`the expression evaluator could not start (${signal ?? `exit code ${code}`})`);
        startFailedAt = Date.now();
        for (const waiting of queue.splice(0)) waiting.reject(startFailure);
        return;
      }
      pump();
    });
  }

  function finish(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.task = null;
    hold(slot.worker, false);
  }

  function retire(slot: Slot): void {
    if (!slots.delete(slot)) return;
    clearTimeout(slot.timer);
    slot.task = null;
    hold(slot.worker, false);
    slot.worker.kill('SIGKILL');
  }

  function pump(): void {
    if (closed) return;
    for (const slot of slots) {
      if (queue.length === 0) break;
      if (!slot.ready || slot.task) continue;
      start(slot, queue.shift()!);
    }
    // Keep the pool full and warm: a replaced worker starts before the next evaluation needs it.
    while (slots.size < size && !startFailure) spawn();
    // A worker still starting keeps the process alive only while evaluations wait for it.
    for (const slot of slots) if (!slot.ready) hold(slot.worker, queue.length > 0);
  }

  function start(slot: Slot, task: Task): void {
    slot.task = task;
    hold(slot.worker, true);
    const request: EvaluationRequest = { id: task.id, source: task.source, path: task.path, input: task.input };
    try {
      slot.worker.send(request);
    } catch (error) {
      // Input that cannot be cloned (never from JSON): refuse it and keep the worker.
      finish(slot);
      task.reject(new ExpressionError(task.path, `the data cannot be evaluated: ${(error as Error).message}`));
      return;
    }
    slot.timer = setTimeout(() => {
      retire(slot);
      task.reject(budgetError(task.path, task.source, `was stopped after ${limits.timeoutMs} ms`));
      pump();
    }, limits.timeoutMs);
  }

  pump();

  return {
    limits,
    evaluate(source, path, input) {
      if (closed) return Promise.reject(new Error('the expression evaluator is closed'));
      // A broken install stays broken, but a start that failed for want of memory or processes may pass later.
      if (startFailure && Date.now() - startFailedAt < RETRY_START_MS) return Promise.reject(startFailure);
      startFailure = null;
      if (queue.length >= limits.maxQueue) {
        return Promise.reject(budgetError(path, source, `could not be evaluated now: ${queue.length} evaluations are waiting already; try again shortly`));
      }
      return new Promise((resolve, reject) => {
        queue.push({ id: nextId++, source, path, input, resolve, reject });
        pump();
      });
    },
    async close() {
      closed = true;
      for (const task of queue.splice(0)) task.reject(new Error('the expression evaluator is closed'));
      const running = [...slots];
      for (const slot of running) {
        const task = slot.task;
        retire(slot);
        task?.reject(new Error('the expression evaluator is closed'));
      }
      await Promise.all(running.map((slot) => (slot.worker.exitCode !== null || slot.worker.signalCode !== null ? null : new Promise((done) => slot.worker.once('exit', done)))));
    },
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
