// Verifies untrusted PDFs off the event loop: a sandbox (../../sandbox) of a few worker
// threads, one PDF at a time each, with a heap limit and a wall-time limit after which the
// worker is terminated and replaced; this module adds only its messages and refusals.
//
// Threads, not processes (which the expression pool needs): a thread dies with the whole
// server on one allocation far over its heap, and a PDF reader's allocations are bounded by
// the file (20 MB) and the inflate caps of ../pdf/limits.ts, never by a number the file
// declares. Hostile shapes at 20 MB (a 10⁹ xref /Size, a 2·10⁹ stream /Length, 20 MB of
// nesting, a 32 MB inflate bomb, DER lengths of 4 GB) were refused or read within 0.3 s,
// the server's event loop lagging under 5 ms (verify-attacks.test.ts). Threads transfer the
// 20 MB without a copy. Should that change, `kind: 'process'` is the one line to switch.
import { availableParallelism } from 'node:os';
import { createSandbox, SandboxError } from '../../sandbox';
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
  pdf: ArrayBuffer;
}
export type VerifyResponse = { ok: true; report: VerificationReport } | { ok: false; reason: 'too_complex' | 'unreadable'; message: string };

const WORKER_ENTRY = new URL('./verify-worker.mjs', import.meta.url);
/** A report is a few kilobytes; a megabyte is room for hundreds of signatures and problems. */
const MAX_REPORT_BYTES = 1024 * 1024;

/** The sandbox's refusal as a VerificationRefused (busy and unavailable both: try again later, 503). */
function refusal(error: SandboxError, limits: VerifyLimits): VerificationRefused {
  switch (error.reason) {
    case 'timeout':
      return new VerificationRefused('timeout', `verifying it took longer than ${limits.timeoutMs} ms`);
    case 'memory':
      return new VerificationRefused('too_complex', `verifying it ${error.message}`);
    case 'too_large':
      return new VerificationRefused('too_complex', `its report ${error.message}`);
    case 'busy':
      return new VerificationRefused('busy', 'too many verifications are waiting; try again shortly');
    case 'closed':
      return new VerificationRefused('busy', 'the verifier is closed');
    case 'unavailable':
      return new VerificationRefused('busy', `the verifier could not start: ${error.message}`);
    case 'crashed':
      return new VerificationRefused('unreadable', `the verifier failed on it: ${error.message}`);
  }
}

export function createPdfVerifier(options: PdfVerifierOptions): PdfVerifier {
  const limits = options.limits ?? DEFAULT_VERIFY_LIMITS;
  const init: VerifyWorkerData = { trustAnchors: options.trustAnchors.map((der) => new Uint8Array(der)), limits };
  const sandbox = createSandbox<VerifyRequest, VerifyResponse>({
    kind: 'thread',
    entry: WORKER_ENTRY,
    init,
    limits: { timeoutMs: limits.timeoutMs, maxHeapMb: limits.maxHeapMb, maxResultBytes: MAX_REPORT_BYTES, maxQueue: options.maxQueue ?? 32 },
    workers: Math.max(1, options.workers ?? Math.min(4, availableParallelism() - 1)),
  });

  return {
    limits,
    async verify(pdf) {
      if (pdf.byteLength > limits.maxBytes) throw new VerificationRefused('too_complex', `the PDF has ${pdf.byteLength} bytes; at most ${limits.maxBytes} are verified`);
      // A private copy the worker can own: the caller's buffer may be a view into a shared pool.
      const copy = new Uint8Array(pdf).buffer;
      let response: VerifyResponse;
      try {
        response = await sandbox.run({ pdf: copy }, [copy]);
      } catch (error) {
        throw error instanceof SandboxError ? refusal(error, limits) : error;
      }
      if (response.ok) return response.report;
      throw new VerificationRefused(response.reason, response.message);
    },
    close: () => sandbox.close(),
  };
}
