// Verifies untrusted PDFs off the event loop: a few worker threads, one PDF at a time
// each, with a heap limit and a wall-time limit after which the worker is terminated and
// replaced. Whatever a PDF does to its worker, the thread that serves HTTP keeps answering.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { DEFAULT_VERIFY_LIMITS, type VerifyLimits } from './limits';
import type { VerificationReport } from './verify-pdf';

/** Why a PDF got no report: over a limit, unreadable, too slow, or no room in the queue. */
export type VerificationRefusal = 'too_complex' | 'unreadable' | 'timeout' | 'busy';

export class VerificationRefused extends Error {
  constructor(readonly reason: VerificationRefusal, message: string) {
    super(message);
    this.name = 'VerificationRefused';
  }
}

export interface PdfVerifierOptions {
  /** DER certificates trusted as roots. */
  trustAnchors: readonly Uint8Array[];
  limits?: VerifyLimits;
  /** Worker threads (default: one per core but one, at least one, at most four). */
  workers?: number;
  /** PDFs waiting for a worker; beyond this, `verify` refuses with 'busy' at once. */
  maxQueue?: number;
}

export interface PdfVerifier {
  /** Resolves with the report, or rejects with VerificationRefused. */
  verify(pdf: Uint8Array): Promise<VerificationReport>;
  readonly limits: VerifyLimits;
  /** Terminates the workers; pending verifications are refused. */
  close(): Promise<void>;
}

// The messages between pool and worker (verify-worker.ts).
export interface VerifyWorkerData {
  trustAnchors: Uint8Array[];
  limits: VerifyLimits;
}
export interface VerifyRequest {
  id: number;
  pdf: ArrayBuffer;
}
export interface VerifyResponse {
  id: number;
  outcome: { ok: true; report: VerificationReport } | { ok: false; reason: 'too_complex' | 'unreadable'; message: string };
}

interface Task {
  id: number;
  pdf: Uint8Array;
  resolve: (report: VerificationReport) => void;
  reject: (error: VerificationRefused) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  task: Task | null;
  timer?: NodeJS.Timeout;
}

const WORKER_ENTRY = new URL('./verify-worker.mjs', import.meta.url);

export function createPdfVerifier(options: PdfVerifierOptions): PdfVerifier {
  const limits = options.limits ?? DEFAULT_VERIFY_LIMITS;
  const size = Math.max(1, options.workers ?? Math.min(4, availableParallelism() - 1));
  const maxQueue = options.maxQueue ?? 32;
  const workerData: VerifyWorkerData = { trustAnchors: options.trustAnchors.map((der) => new Uint8Array(der)), limits };
  const slots = new Set<Slot>();
  const queue: Task[] = [];
  let nextId = 1;
  let closed = false;

  function spawn(): void {
    const worker = new Worker(WORKER_ENTRY, {
      workerData,
      resourceLimits: { maxOldGenerationSizeMb: limits.maxHeapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
      stdout: false,
      stderr: false,
    });
    // An idle worker must not keep the process alive; a busy one is ref'ed while it works.
    worker.unref();
    const slot: Slot = { worker, ready: false, task: null };
    slots.add(slot);
    worker.on('message', (message: VerifyResponse | { ready: true }) => {
      if ('ready' in message) {
        slot.ready = true;
        pump();
        return;
      }
      const task = slot.task;
      if (!task || task.id !== message.id) return;
      finish(slot);
      const { outcome } = message;
      if (outcome.ok) task.resolve(outcome.report);
      else task.reject(new VerificationRefused(outcome.reason, outcome.message));
      pump();
    });
    worker.on('error', (error: Error & { code?: string }) => {
      const task = slot.task;
      retire(slot);
      if (task) {
        const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
        task.reject(new VerificationRefused(outOfMemory ? 'too_complex' : 'unreadable', outOfMemory ? `verifying it needs more than ${limits.maxHeapMb} MB of memory` : `the verifier failed on it: ${error.message}`));
      } else if (!slot.ready) {
        // The worker could not even start: nothing will get better by retrying forever.
        for (const waiting of queue.splice(0)) waiting.reject(new VerificationRefused('busy', `the verifier could not start: ${error.message}`));
      }
      pump();
    });
    worker.on('exit', () => {
      const task = slot.task;
      retire(slot);
      task?.reject(new VerificationRefused('unreadable', 'the verifier stopped while reading it'));
      pump();
    });
  }

  function finish(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.task = null;
    slot.worker.unref();
  }

  function retire(slot: Slot): void {
    if (!slots.delete(slot)) return;
    clearTimeout(slot.timer);
    slot.task = null;
    void slot.worker.terminate();
  }

  function pump(): void {
    if (closed) return;
    for (const slot of slots) {
      if (queue.length === 0) return;
      if (!slot.ready || slot.task) continue;
      start(slot, queue.shift()!);
    }
    let starting = [...slots].filter((s) => !s.ready).length;
    while (slots.size < size && queue.length > starting) {
      spawn();
      starting++;
    }
  }

  function start(slot: Slot, task: Task): void {
    slot.task = task;
    slot.worker.ref();
    // A private copy the worker can own: the caller's buffer may be a view into a shared pool.
    const pdf = new Uint8Array(task.pdf).buffer;
    const request: VerifyRequest = { id: task.id, pdf };
    slot.worker.postMessage(request, [pdf]);
    slot.timer = setTimeout(() => {
      retire(slot);
      task.reject(new VerificationRefused('timeout', `verifying it took longer than ${limits.timeoutMs} ms`));
      pump();
    }, limits.timeoutMs);
  }

  return {
    limits,
    verify(pdf) {
      if (closed) return Promise.reject(new VerificationRefused('busy', 'the verifier is closed'));
      if (pdf.byteLength > limits.maxBytes) return Promise.reject(new VerificationRefused('too_complex', `the PDF has ${pdf.byteLength} bytes; at most ${limits.maxBytes} are verified`));
      if (queue.length >= maxQueue) return Promise.reject(new VerificationRefused('busy', 'too many verifications are waiting; try again shortly'));
      return new Promise<VerificationReport>((resolve, reject) => {
        queue.push({ id: nextId++, pdf, resolve, reject });
        pump();
      });
    },
    async close() {
      closed = true;
      for (const task of queue.splice(0)) task.reject(new VerificationRefused('busy', 'the verifier is closed'));
      const running = [...slots];
      for (const slot of running) {
        const task = slot.task;
        retire(slot);
        task?.reject(new VerificationRefused('busy', 'the verifier is closed'));
      }
      await Promise.all(running.map((slot) => slot.worker.terminate()));
    },
  };
}
