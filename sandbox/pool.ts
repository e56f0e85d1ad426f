// Runs untrusted work (a flow expression, a PDF from anyone) off the event loop: N warm
// workers, one job each, a wall-time limit after which the worker is killed and replaced,
// a heap limit, a bounded result and a bounded queue that says "busy" at once. Whatever a
// job does to its worker, the process that serves HTTP keeps answering.
//
// Two kinds of worker. A child process under --max-old-space-size dies alone, whatever it
// allocates. A worker thread is cheaper (postMessage, transferable buffers), but its
// resourceLimits end it gracefully only when its heap grows in small steps: one allocation
// far over the limit is V8's fatal out-of-memory, which aborts the whole process, server
// included (seen with Node 20: two 530-million-character texts in an expression). So a
// thread only for work whose single allocations the code bounds (see each pool's comment).
//
// A hand-written pool rather than piscina/tinypool: both run worker threads only.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { deserialize } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { JobReply, WorkerInit } from './worker';

export type WorkerKind = 'process' | 'thread';

export interface SandboxLimits {
  /** Wall time of one job in its worker, queueing excluded; beyond it the worker is replaced. */
  timeoutMs: number;
  /** Old-generation heap of one worker. */
  maxHeapMb: number;
  /** The serialized value one job may send back. */
  maxResultBytes: number;
  /** Jobs waiting for a worker; beyond this one is refused at once ('busy'). */
  maxQueue: number;
}

/**
 * Why a job got no answer. `busy`: the queue is full, try again shortly; `unavailable`: a
 * worker could not start (refused for a few seconds, then tried again); `closed`: the pool
 * was closed; `crashed`: the worker died otherwise, or the job threw where it should not.
 */
export type SandboxRefusal = 'timeout' | 'memory' | 'too_large' | 'busy' | 'unavailable' | 'closed' | 'crashed';

export class SandboxError extends Error {
  constructor(
    readonly reason: SandboxRefusal,
    message: string,
    /** For 'busy': how many jobs were waiting. */
    readonly waiting?: number,
  ) {
    super(message);
    this.name = 'SandboxError';
  }
}

/** Whether an error means "no room now, try again shortly" (HTTP 503), whichever pool refused. */
export function isBusy(error: unknown): boolean {
  return (error as { busy?: unknown } | null)?.busy === true || (error instanceof SandboxError && (error.reason === 'busy' || error.reason === 'unavailable'));
}

export interface SandboxOptions {
  kind: WorkerKind;
  /** The worker's entry module (a plain .mjs that registers tsx, then imports the body). */
  entry: URL;
  /** Sent to each worker once, before its first job (structured-cloneable). */
  init: unknown;
  limits: SandboxLimits;
  workers: number;
}

export interface Sandbox<Request, Reply> {
  /** Resolves with the worker's reply, or rejects with SandboxError. */
  run(request: Request, transfer?: ArrayBuffer[]): Promise<Reply>;
  readonly limits: Readonly<SandboxLimits>;
  /** Ends the workers; pending jobs are refused ('closed'). */
  close(): Promise<void>;
}

/** One live worker, process or thread, behind the same few calls. */
interface Handle {
  send(message: unknown, transfer?: ArrayBuffer[]): void;
  /** A busy worker keeps the process alive; an idle one does not. */
  hold(busy: boolean): void;
  kill(): void;
  exited(): Promise<void>;
  on(event: 'message', listener: (message: JobReply | { ready: true }) => void): void;
  /** Could not start, or could not be sent to; `memory`: a thread's heap ran out. */
  on(event: 'error', listener: (error: Error, memory: boolean) => void): void;
  /** `memory`: the process was aborted by V8 for want of heap. */
  on(event: 'exit', listener: (describe: string, memory: boolean) => void): void;
}

/** What a worker process sees of the environment: where temporary files go (tsx's cache), nothing secret. */
function workerEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'TMP', 'TEMP', 'NODE_ENV']) if (process.env[name] !== undefined) env[name] = process.env[name];
  return env;
}

function processHandle(entry: URL, limits: SandboxLimits): Handle {
  // Its own flags only: the server's (a debugger, a loader) are no business of a worker.
  const child: ChildProcess = fork(fileURLToPath(entry), [], {
    execArgv: [`--max-old-space-size=${limits.maxHeapMb}`, '--max-semi-space-size=16', '--stack-size=4000'],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    // Not the server's environment (master key, database URL): a worker needs none of it.
    env: workerEnvironment(),
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return {
    send: (message) => child.send(message as object),
    hold(busy) {
      const channel = child.channel as { ref(): void; unref(): void } | undefined;
      if (busy) {
        child.ref();
        channel?.ref();
      } else {
        child.unref();
        channel?.unref();
      }
    },
    kill: () => child.kill('SIGKILL'),
    exited: () => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : exited),
    on(event: string, listener: (...args: never[]) => void) {
      if (event === 'message') child.on('message', listener as (m: unknown) => void);
      if (event === 'error') child.on('error', (error) => (listener as (e: Error, m: boolean) => void)(error, false));
      // V8 aborts a process whose heap is out (SIGABRT, or exit code 134 where a shell reports it).
      if (event === 'exit') child.on('exit', (code, signal) => (listener as (d: string, m: boolean) => void)(signal ?? `exit code ${code}`, signal === 'SIGABRT' || code === 134));
    },
  };
}

function threadHandle(entry: URL, limits: SandboxLimits): Handle {
  const worker = new Worker(entry, {
    resourceLimits: { maxOldGenerationSizeMb: limits.maxHeapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
    stdout: false,
    stderr: false,
  });
  let ended: Promise<void> | null = null;
  return {
    send: (message, transfer) => worker.postMessage(message, transfer),
    hold: (busy) => (busy ? worker.ref() : worker.unref()),
    kill: () => void (ended ??= worker.terminate().then(() => undefined)),
    exited: () => (ended ??= worker.terminate().then(() => undefined)),
    on(event: string, listener: (...args: never[]) => void) {
      if (event === 'message') worker.on('message', listener as (m: unknown) => void);
      if (event === 'error') worker.on('error', (error: Error & { code?: string }) => (listener as (e: Error, m: boolean) => void)(error, error.code === 'ERR_WORKER_OUT_OF_MEMORY'));
      if (event === 'exit') worker.on('exit', (code) => (listener as (d: string, m: boolean) => void)(`exit code ${code}`, false));
    },
  };
}

interface Task {
  id: number;
  request: unknown;
  transfer?: ArrayBuffer[];
  resolve: (reply: never) => void;
  reject: (error: SandboxError) => void;
}

interface Slot {
  worker: Handle;
  ready: boolean;
  task: Task | null;
  timer?: NodeJS.Timeout;
}

/** A worker that could not start: jobs are refused this long, then the pool tries again (not for ever). */
const RETRY_START_MS = 5000;

export function createSandbox<Request, Reply>(options: SandboxOptions): Sandbox<Request, Reply> {
  const limits = Object.freeze({ ...options.limits });
  const size = Math.max(1, options.workers);
  const slots = new Set<Slot>();
  const queue: Task[] = [];
  let nextId = 1;
  let closed = false;
  let startFailure: SandboxError | null = null;
  let startFailedAt = 0;

  function failStart(message: string): void {
    startFailure = new SandboxError('unavailable', message);
    startFailedAt = Date.now();
    for (const waiting of queue.splice(0)) waiting.reject(startFailure);
  }

  function spawn(): void {
    const worker = options.kind === 'process' ? processHandle(options.entry, limits) : threadHandle(options.entry, limits);
    worker.hold(false);
    const slot: Slot = { worker, ready: false, task: null };
    slots.add(slot);
    worker.on('message', (message) => {
      if ('ready' in message) {
        slot.ready = true;
        pump();
        return;
      }
      const task = slot.task;
      if (!task || task.id !== message.id) return;
      finish(slot);
      if ('value' in message) task.resolve(deserialize(Buffer.from(message.value.buffer, message.value.byteOffset, message.value.byteLength)) as never);
      else if ('tooLarge' in message) task.reject(new SandboxError('too_large', `produced a value of ${message.tooLarge} bytes, more than ${limits.maxResultBytes}`));
      else task.reject(new SandboxError('crashed', message.failed));
      pump();
    });
    worker.on('error', (error, memory) => {
      const task = slot.task;
      const wasReady = slot.ready;
      retire(slot);
      if (task) task.reject(memory ? new SandboxError('memory', `needed more than ${limits.maxHeapMb} MB of memory`) : new SandboxError('crashed', `the worker failed: ${error.message}`));
      // A broken install, or no room for another worker: the jobs waiting now are refused.
      else if (!wasReady && !closed) failStart(`the worker could not start: ${error.message}`);
      pump();
    });
    worker.on('exit', (describe, memory) => {
      const task = slot.task;
      const wasReady = slot.ready;
      if (!slots.has(slot)) return;
      retire(slot);
      if (task) task.reject(memory ? new SandboxError('memory', `needed more than ${limits.maxHeapMb} MB of memory`) : new SandboxError('crashed', `the worker stopped while working on it (${describe})`));
      else if (!wasReady && !closed) failStart(`the worker could not start (${describe})`);
      pump();
    });
    worker.send({ init: options.init, maxResultBytes: limits.maxResultBytes } satisfies WorkerInit);
  }

  function finish(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.task = null;
    slot.worker.hold(false);
  }

  function retire(slot: Slot): void {
    if (!slots.delete(slot)) return;
    clearTimeout(slot.timer);
    slot.task = null;
    slot.worker.hold(false);
    slot.worker.kill();
  }

  function pump(): void {
    if (closed) return;
    for (const slot of slots) {
      if (queue.length === 0) break;
      if (!slot.ready || slot.task) continue;
      start(slot, queue.shift()!);
    }
    // Keep the pool full and warm: a replaced worker starts before the next job needs it.
    while (slots.size < size && !startFailure) spawn();
    // A worker still starting keeps the process alive only while jobs wait for it.
    for (const slot of slots) if (!slot.ready) slot.worker.hold(queue.length > 0);
  }

  function start(slot: Slot, task: Task): void {
    slot.task = task;
    slot.worker.hold(true);
    try {
      slot.worker.send({ id: task.id, request: task.request }, task.transfer);
    } catch (error) {
      // A request that cannot be cloned: refuse it and keep the worker.
      finish(slot);
      task.reject(new SandboxError('crashed', `the request cannot be sent to a worker: ${(error as Error).message}`));
      return;
    }
    slot.timer = setTimeout(() => {
      retire(slot);
      task.reject(new SandboxError('timeout', `was stopped after ${limits.timeoutMs} ms`));
      pump();
    }, limits.timeoutMs);
  }

  pump();

  return {
    limits,
    run(request, transfer) {
      if (closed) return Promise.reject(new SandboxError('closed', 'the pool is closed'));
      // A broken install stays broken, but a start that failed for want of memory or processes may pass later.
      if (startFailure && Date.now() - startFailedAt < RETRY_START_MS) return Promise.reject(startFailure);
      if (startFailure) {
        startFailure = null;
        pump();
      }
      if (queue.length >= limits.maxQueue) return Promise.reject(new SandboxError('busy', `${queue.length} jobs are waiting already; try again shortly`, queue.length));
      return new Promise<Reply>((resolve, reject) => {
        queue.push({ id: nextId++, request, transfer, resolve: resolve as (reply: never) => void, reject });
        pump();
      });
    },
    async close() {
      closed = true;
      const refusal = () => new SandboxError('closed', 'the pool is closed');
      for (const task of queue.splice(0)) task.reject(refusal());
      const running = [...slots];
      for (const slot of running) {
        const task = slot.task;
        retire(slot);
        task?.reject(refusal());
      }
      await Promise.all(running.map((slot) => slot.worker.exited()));
    },
  };
}
