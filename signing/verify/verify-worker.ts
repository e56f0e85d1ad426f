// The body of a verification worker thread: verifies one untrusted PDF per job and answers
// with the report or the reason it was refused. It shares nothing with the main thread but
// these messages, so the pool can terminate it at any moment.
import { serveJobs } from '../../sandbox/worker';
import { PdfLimitError } from '../pdf/limits';
import { checkPdfShape } from './limits';
import { verifyPdf } from './verify-pdf';
import type { VerifyRequest, VerifyResponse, VerifyWorkerData } from './verification-pool';

function verifier({ trustAnchors, limits }: VerifyWorkerData) {
  return ({ pdf }: VerifyRequest): VerifyResponse => {
    const bytes = Buffer.from(pdf);
    try {
      checkPdfShape(bytes, limits);
      return { ok: true, report: verifyPdf(bytes, { trustAnchors }) };
    } catch (error) {
      if (error instanceof PdfLimitError) return { ok: false, reason: 'too_complex', message: error.message };
      // Stack overflows and type errors on malformed structures are unreadable input too.
      return { ok: false, reason: 'unreadable', message: (error as Error)?.message ?? String(error) };
    }
  };
}

serveJobs<VerifyWorkerData, VerifyRequest>(verifier);
