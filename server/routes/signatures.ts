import { SigningError, createTimestampHttpHandler, verifyPdf, type SigningPlatform } from '../../signing';
import { AppError } from '../errors';
import { defineRoute } from '../route';

function pdfBody(body: unknown): Buffer {
  if (!Buffer.isBuffer(body) || body.length === 0) {
    throw new AppError('invalid_body', 'Send the PDF itself as the request body, with content-type application/pdf', { details: [{ path: '/', message: 'must be a PDF (application/pdf)' }] });
  }
  if (!body.subarray(0, 1024).includes('%PDF-')) throw new AppError('not_a_pdf', 'The request body is not a PDF (no %PDF- header)', { details: [{ path: '/', message: 'is not a PDF' }] });
  return body;
}

export function signatureRoutes(signing: SigningPlatform) {
  const timestampReply = createTimestampHttpHandler(signing.tsa);
  return [
    defineRoute({
      method: 'post', path: '/api/verify', tag: 'signatures', access: 'public', requestContentType: 'application/pdf',
      summary: 'Verify a signed PDF: each signature (signer, certificate chain, signing time, timestamp, intact bytes) and whether anything changed after signing',
      responses: { 200: { description: 'the verification report; `valid` is true only when every signature holds and nothing changed after them' }, 400: { description: 'not a PDF, or one that cannot be read' } },
      handler: async ({ req }) => {
        const pdf = pdfBody(req.body);
        try {
          return { body: verifyPdf(pdf, { trustAnchors: [signing.ca.rootCertificate] }) };
        } catch (error) {
          const reason = error instanceof SigningError ? error.message : (error as Error).message;
          throw new AppError('unreadable_pdf', `The PDF cannot be read: ${reason}`, { details: [{ path: '/', message: reason }] });
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
      responses: { 200: { description: 'TimeStampResp', contentType: 'application/timestamp-reply' } },
      handler: async ({ req }) => {
        if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw new AppError('invalid_body', 'Send a DER TimeStampReq with content-type application/timestamp-query');
        const reply = await timestampReply(req.body);
        return { status: reply.status, body: reply.body, contentType: reply.contentType };
      },
    }),
  ];
}
