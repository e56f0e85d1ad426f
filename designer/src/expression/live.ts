// Live results of expressions on the sample record, computed in a Web Worker (worker.ts)
// one at a time. Each gets LIVE_TIME_LIMIT_MS: one that takes longer is ended by
// terminating the worker (a new one starts for the next), so no expression freezes the page.
import { EXPRESSION_LIMITS } from '../../../flows/expression';

/** Twice the engine's own clock budget: the worker's start-up and a slow machine fit in it. */
export const LIVE_TIME_LIMIT_MS = EXPRESSION_LIMITS.timeMs * 2;

export interface LiveRequest {
  id: number;
  /** JSONata source, without the `=`. */
  source: string;
  sample: unknown;
}

export type LiveAnswer =
  | { id: number; kind: 'value'; json: string; type: string }
  /** The expression gave no value (JSONata's undefined: a path that matched nothing). */
  | { id: number; kind: 'none' }
  /** Ran out of the engine's budget (steps, depth, clock): it loops. */
  | { id: number; kind: 'budget'; message: string }
  | { id: number; kind: 'invalid' | 'error'; message: string; position?: number };

export type LiveResult = LiveAnswer | { id: number; kind: 'timeout' } | { id: number; kind: 'superseded' };

interface Pending {
  request: LiveRequest;
  key: string;
  resolve(result: LiveResult): void;
}

type WorkerFactory = () => Worker;

const defaultFactory: WorkerFactory = () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'sealflow-expressions' });

export class LiveEvaluator {
  private worker: Worker | null = null;
  /** The worker has loaded (it says so): time counts from then, not from its download. */
  private ready = false;
  private queue: Pending[] = [];
  private running: (Pending & { timer: ReturnType<typeof setTimeout> }) | null = null;
  private nextId = 1;
  /** How many workers were terminated for running over their time. */
  restarts = 0;

  constructor(
    private readonly limitMs = LIVE_TIME_LIMIT_MS,
    private readonly factory: WorkerFactory = defaultFactory,
  ) {}

  /**
   * Evaluates `source` on `sample`. `key` names the field asking: a newer request from the
   * same field replaces its request still waiting (which resolves `superseded`).
   */
  evaluate(key: string, source: string, sample: unknown): Promise<LiveResult> {
    return new Promise((resolve) => {
      const request = { id: this.nextId++, source, sample };
      for (const waiting of this.queue.filter((p) => p.key === key)) waiting.resolve({ id: waiting.request.id, kind: 'superseded' });
      this.queue = this.queue.filter((p) => p.key !== key);
      this.queue.push({ request, key, resolve });
      this.pump();
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = this.factory();
    this.ready = false;
    worker.onmessage = (event: MessageEvent<LiveAnswer | 'ready'>) => {
      if (event.data === 'ready') {
        this.ready = true;
        this.pump();
        return;
      }
      const running = this.running;
      if (!running || event.data.id !== running.request.id) return;
      clearTimeout(running.timer);
      this.running = null;
      running.resolve(event.data);
      this.pump();
    };
    worker.onerror = (event) => {
      event.preventDefault();
      const running = this.running;
      const loaded = this.ready;
      this.restart();
      if (!loaded) {
        // The worker could not even start: answer every waiting request instead of retrying for ever.
        for (const p of this.queue.splice(0)) p.resolve({ id: p.request.id, kind: 'error', message: event.message || 'the evaluation worker did not start' });
        return;
      }
      if (running) running.resolve({ id: running.request.id, kind: 'error', message: event.message || 'the evaluation worker failed' });
      this.pump();
    };
    return (this.worker = worker);
  }

  private restart() {
    if (this.running) clearTimeout(this.running.timer);
    this.running = null;
    this.worker?.terminate();
    this.worker = null;
    this.ready = false;
  }

  private pump() {
    if (this.running || this.queue.length === 0) return;
    const worker = this.ensureWorker();
    if (!this.ready) return;
    const next = this.queue.shift()!;
    const timer = setTimeout(() => {
      this.restarts++;
      this.restart();
      next.resolve({ id: next.request.id, kind: 'timeout' });
      this.pump();
    }, this.limitMs);
    this.running = { ...next, timer };
    try {
      worker.postMessage(next.request);
    } catch (error) {
      // A sample that cannot be cloned; JSON samples always can.
      clearTimeout(timer);
      this.running = null;
      next.resolve({ id: next.request.id, kind: 'error', message: error instanceof Error ? error.message : String(error) });
      this.pump();
    }
  }

  dispose() {
    this.restart();
    for (const p of this.queue) p.resolve({ id: p.request.id, kind: 'superseded' });
    this.queue = [];
  }
}

let shared: LiveEvaluator | null = null;
/** The page's one evaluator (one worker for every field). */
export const liveEvaluator = () => (shared ??= new LiveEvaluator());
