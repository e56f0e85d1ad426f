import { createTimestampHttpHandler, VerificationRefused, type PdfVerifier, type SigningPlatform } from '../../signing';
import { AppError } from '../errors';
import { defineRoute } from '../route';

/** A refusal as the caller sees it: over a limit → 422, unreadable → 400, no room now → 503. */
function refusal(error: VerificationRefused): AppError {
  const details = [{ path: '/', message: error.message }];
  switch (error.reason) {
    case 'unreadable':
      return new AppError('unreadable_pdf', `The PDF cannot be read: ${error.message}`, { details });
    case 'too_complex':
    case 'timeout':
      return new AppError('pdf_too_complex', `The PDF is beyond what this server verifies: ${error.message}`, { status: 422, details });
    case 'busy':
      return new AppError('busy', `The verifier is busy: ${error.message}`, { status: 503, details });
  }
}

function pdfBody(body: unknown): Buffer {
  if (!Buffer.isBuffer(body) || body.length === 0) {
    throw new AppError('invalid_body', 'Send the PDF itself as the request body, with content-type application/pdf', { details: [{ path: '/', message: 'must be a PDF (application/pdf)' }] });
  }
  if (!body.subarray(0, 1024).includes('%PDF-')) throw new AppError('not_a_pdf', 'The request body is not a PDF (no %PDF- header)', { details: [{ path: '/', message: 'is not a PDF' }] });
  return body;
}

export function signatureRoutes(signing: SigningPlatform, verifier: PdfVerifier) {
  const timestampReply = createTimestampHttpHandler(signing.tsa);
  return [
    defineRoute({
      method: 'post', path: '/api/verify', tag: 'signatures', access: 'public', requestContentType: 'application/pdf',
      summary: 'Verify a signed PDF: each signature (signer, certificate chain, signing time, timestamp, intact bytes) and whether anything changed after signing',
      responses: {
        200: { description: 'the verification report; `valid` is true only when every signature holds and nothing changed after them' },
        400: { description: 'not a PDF, or one that cannot be read' },
        413: { description: `larger than ${verifier.limits.maxBytes} bytes` },
        422: { description: 'over a verification limit (revisions, objects, inflated size, time, memory)' },
        429: { description: 'too many verifications from this client; see Retry-After' },
        503: { description: 'the verifier is busy; see Retry-After' },
      },
      handler: async ({ req }) => {
        const pdf = pdfBody(req.body);
        try {
          return { body: await verifier.verify(pdf) };
        } catch (error) {
          if (error instanceof VerificationRefused) {
            const appError = refusal(error);
            if (appError.status === 503) req.res?.setHeader('retry-after', '1');
            throw appError;
          }
          throw error;
        }
      },
    }),
    defineRoute({
      method: 'get', path: '/api/pki/root.pem', tag: 'signatures', access: 'public',
      summary: 'The Sealflow root certificate: the trust anchor for verifying our signatures anywhere (pdfsig, pyHanko, Adobe)',
      responses: { 200: { description: 'PEM', contentType: 'application/x-pem-file' } },
      handler: async () => ({ body: Buffer.from(signing.rootCertificatePem), contentType: 'application/x-pem-file' }),
    }),
    defineRoute({
      method: 'post', path: '/tsa', tag: 'signatures', access: 'public', requestContentType: 'application/timestamp-query',
      summary: 'RFC 3161 timestamp authority (TimeStampReq in, TimeStampResp out)',
      responses: { 200: { description: 'TimeStampResp', contentType: 'application/timestamp-reply' }, 413: { description: 'not a timestamp query: too large' }, 429: { description: 'too many queries from this client; see Retry-After' } },
      handler: async ({ req }) => {
        if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw new AppError('invalid_body', 'Send a DER TimeStampReq with content-type application/timestamp-query');
        const reply = await timestampReply(req.body);
        return { status: reply.status, body: reply.body, contentType: reply.contentType };
      },
    }),
  ];
}
