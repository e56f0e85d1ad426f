// Errors a caller can act on: a stable code, a message for a person. The Temporal
// activity maps TSA_UNAVAILABLE to a retryable failure and the others to non-retryable ones.
export type SigningErrorCode =
  | 'TSA_UNAVAILABLE' // the timestamp authority could not be reached or refused: retry later
  | 'TSA_BAD_RESPONSE' // the TSA answered with something that is not a matching token
  | 'KEY_UNWRAP_FAILED' // the master or tenant key does not open the stored key (wrong key or tampered record)
  | 'KEY_NOT_FOUND'
  | 'INVALID_SUBJECT'
  | 'UNSUPPORTED_PDF' // encrypted, broken or of a form the incremental writer does not handle
  | 'INVALID_FIELD' // page or rectangle outside the document, duplicate field name
  | 'SIGNATURE_TOO_LARGE';

export class SigningError extends Error {
  readonly code: SigningErrorCode;
  constructor(code: SigningErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SigningError';
    this.code = code;
  }
}
