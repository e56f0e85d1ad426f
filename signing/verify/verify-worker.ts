// The body of a verification worker thread: verifies one untrusted PDF per message and
// answers with the report or the reason it was refused. It shares nothing with the main
// thread but these messages, so the pool can terminate it at any moment.
import { parentPort, workerData } from 'node:worker_threads';
import { PdfLimitError } from '../pdf/limits';
import { checkPdfShape, type VerifyLimits } from './limits';
import { verifyPdf } from './verify-pdf';
import type { VerifyRequest, VerifyResponse, VerifyWorkerData } from './verification-pool';

const { trustAnchors, limits } = workerData as VerifyWorkerData;
const port = parentPort!;

function verify(pdf: Buffer, limits: VerifyLimits): VerifyResponse['outcome'] {
  try {
    checkPdfShape(pdf, limits);
    return { ok: true, report: verifyPdf(pdf, { trustAnchors }) };
  } catch (error) {
    if (error instanceof PdfLimitError) return { ok: false, reason: 'too_complex', message: error.message };
    // Stack overflows and type errors on malformed structures are unreadable input too.
    return { ok: false, reason: 'unreadable', message: (error as Error)?.message ?? String(error) };
  }
}

port.on('message', ({ id, pdf }: VerifyRequest) => {
  const message: VerifyResponse = { id, outcome: verify(Buffer.from(pdf), limits) };
  port.postMessage(message);
});
port.postMessage({ ready: true });
