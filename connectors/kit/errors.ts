// One error type for everything a connector or the kit can fail at. `retryable` is the
// decision a Temporal activity needs: true → throw and let the retry policy back off;
// false → ApplicationFailure.create({ type: code, nonRetryable: true }).

export type ConnectorErrorCode =
  | 'invalid_settings'
  | 'mapping_failed'
  | 'source_unreachable'
  | 'source_rejected'
  | 'source_failed'
  | 'invalid_payload'
  | 'start_failed'
  | 'no_progress'
  | 'outbound_refused';

export interface ConnectorErrorOptions {
  retryable: boolean;
  /** HTTP status (or SOAP fault code) the source answered with, if any. */
  status?: number;
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class ConnectorError extends Error {
  readonly code: ConnectorErrorCode;
  readonly retryable: boolean;
  readonly status?: number;
  readonly details?: Record<string, unknown>;

  constructor(code: ConnectorErrorCode, message: string, options: ConnectorErrorOptions) {
    super(message, { cause: options.cause });
    this.name = 'ConnectorError';
    this.code = code;
    this.retryable = options.retryable;
    this.status = options.status;
    this.details = options.details;
  }

  /** A plain object for logs, health records and API answers (no stack, no cause chain). */
  toJSON(): { code: ConnectorErrorCode; message: string; retryable: boolean; status?: number; details?: Record<string, unknown> } {
    return { code: this.code, message: this.message, retryable: this.retryable, status: this.status, details: this.details };
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

/** Whether an HTTP status means "try again later" (timeouts, throttling, server trouble). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** Finds a Node/undici network error code anywhere in an error's cause chain. */
export function networkErrorCode(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; cause?: unknown; name?: unknown } | undefined, depth = 0; e && depth < 6; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return e.code;
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'ETIMEDOUT';
  }
  return undefined;
}

/**
 * Whether a failure may succeed when tried again. Unknown failures count as retryable:
 * stopping and retrying loses nothing, skipping would.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ConnectorError) return error.retryable;
  const e = error as { retryable?: unknown; nonRetryable?: unknown; status?: unknown; statusCode?: unknown } | null;
  if (e && typeof e.retryable === 'boolean') return e.retryable;
  if (e && typeof e.nonRetryable === 'boolean') return !e.nonRetryable;
  const status = typeof e?.status === 'number' ? e.status : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  if (status !== undefined) return isRetryableStatus(status);
  return true;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
