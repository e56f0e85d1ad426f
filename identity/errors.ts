// Errors of the identity service a caller can act on: a stable code, a message for a person,
// and for bad input the JSON path of the field. The routes that come next map them to
// AppError (400 for input, 409 for a flow in the wrong state, 503 when no provider answers).
export type IdentityErrorCode =
  | 'INVALID_INPUT' // a field is malformed (ID number check digit, credit code, mobile); see details
  | 'CAPABILITY_UNAVAILABLE' // no configured provider offers this kind of verification
  | 'PROVIDERS_UNAVAILABLE' // every provider failed (transport, 5xx, balance) or is cooling down: try later
  | 'PROVIDER_REJECTED' // the provider refused the input as malformed
  | 'FLOW_NOT_FOUND'
  | 'FLOW_CLOSED' // the flow has passed, failed (tries used up) or its window has passed
  | 'LOCAL_PROVIDER_REFUSED' // the development provider was asked for without being enabled
  | 'NOT_THE_SIGNER'; // on a signer's link: the facts typed are not the party the contract names; see details

export class IdentityError extends Error {
  readonly code: IdentityErrorCode;
  readonly details: { path: string; message: string }[];
  constructor(code: IdentityErrorCode, message: string, options: { details?: { path: string; message: string }[]; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'IdentityError';
    this.code = code;
    this.details = options.details ?? [];
  }
}
