// What one verification of an untrusted PDF may cost. The pool (verification-pool.ts)
// enforces time and memory by running it in a worker thread it can terminate; the checks
// here refuse, before any parsing, files whose shape alone says they would cost too much.
// Inside, the PDF reader keeps its own caps (DEFAULT_PDF_LIMITS in ../pdf/limits.ts:
// objects, xref sections, inflated bytes, nesting).
import { PdfLimitError } from '../pdf/limits';

export interface VerifyLimits {
  /** Largest PDF taken (POST /api/verify refuses bigger bodies with 413 before reading them). */
  maxBytes: number;
  /** Revisions (incremental updates): each later one is compared with the one before. */
  maxRevisions: number;
  /** Wall time of one verification in its worker; the worker is terminated after it. */
  timeoutMs: number;
  /** V8 heap of a verification worker. Buffers live outside it: the inflate caps in `pdf` bound those. */
  maxHeapMb: number;
}

export const DEFAULT_VERIFY_LIMITS: Readonly<VerifyLimits> = Object.freeze({
  maxBytes: 20 * 1024 * 1024,
  // A contract gets one revision per signature, plus document timestamps: 100 is dozens of parties.
  maxRevisions: 100,
  timeoutMs: 5_000,
  maxHeapMb: 256,
});

function count(bytes: Buffer, needle: string, stopAfter: number): number {
  let found = 0;
  for (let at = bytes.indexOf(needle, 0, 'latin1'); at >= 0 && found <= stopAfter; at = bytes.indexOf(needle, at + needle.length, 'latin1')) found++;
  return found;
}

/** Refuses a file whose size or number of revisions is over the limits (linear scans only). */
export function checkPdfShape(bytes: Buffer, limits: VerifyLimits = DEFAULT_VERIFY_LIMITS): void {
  if (bytes.length > limits.maxBytes) throw new PdfLimitError('maxBytes', `the PDF has ${bytes.length} bytes; at most ${limits.maxBytes} are verified`);
  const revisions = Math.max(count(bytes, 'startxref', limits.maxRevisions), count(bytes, '%%EOF', limits.maxRevisions));
  if (revisions > limits.maxRevisions) throw new PdfLimitError('maxRevisions', `the PDF has more than ${limits.maxRevisions} revisions; at most ${limits.maxRevisions} are verified`);
}
