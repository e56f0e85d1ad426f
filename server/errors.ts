// One error type for everything a caller can get wrong, and one handler that turns it
// into `{"error": {code, message, details}}` with the right status. Nothing else leaks.
import type { ErrorRequestHandler } from 'express';
import { isGrpcServiceError } from '@temporalio/client';
import { ExpressionError } from '../flows';
import { isBusy } from '../sandbox';
import { isDatabaseUnavailable } from '../store';
import { redact } from './redact';

export interface ErrorDetail {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly status: number;
  readonly details: ErrorDetail[];

  constructor(readonly code: string, message: string, options: { status?: number; details?: ErrorDetail[] } = {}) {
    super(message);
    this.status = options.status ?? 400;
    this.details = options.details ?? [];
  }
}

/** No worker free to evaluate or verify it now: nothing the caller did wrong; 503 says "try again shortly". */
export const busy = (message: string) => new AppError('busy', message, { status: 503 });

/** A flow expression that failed on the caller's data (amount not a number, above every tier). */
export function asRoutingError(error: unknown): never {
  if (isBusy(error)) throw busy(`The expression evaluator is busy: ${(error as Error).message}`);
  if (error instanceof ExpressionError) throw new AppError('unroutable', error.message, { details: [{ path: error.path, message: error.message }] });
  throw error;
}

export const notFound = (what: string) => new AppError('not_found', `${what} does not exist`, { status: 404 });

/** Errors raised by body-parser carry `type` and `status`; map the ones a caller causes. */
function fromBodyParser(error: unknown): AppError | null {
  const e = error as { type?: string; status?: number; message?: string };
  if (e?.type === 'entity.parse.failed') return new AppError('invalid_json', `The request body is not valid JSON: ${e.message}`, { details: [{ path: '/', message: 'is not valid JSON' }] });
  if (e?.type === 'entity.too.large') return new AppError('payload_too_large', 'The request body is too large', { status: 413 });
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return new AppError('unsupported_encoding', e.message ?? 'Unsupported encoding', { status: 415 });
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return new AppError('bad_request', e.message ?? 'Bad request', { status: e.status });
  return null;
}

/** gRPC UNAVAILABLE and DEADLINE_EXCEEDED: the Temporal frontend is down, restarting, or too slow to answer. */
const TEMPORAL_AWAY_CODES = new Set([14, 4]);

/** Whether Temporal could not be reached (the client wraps the gRPC error in a ServiceError: its causes are walked). */
function isTemporalUnavailable(error: unknown): boolean {
  let current = error;
  for (let depth = 0; current && depth < 5; depth++) {
    if (isGrpcServiceError(current) && TEMPORAL_AWAY_CODES.has(current.code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

export function errorHandler(log: (message: string) => void = console.error): ErrorRequestHandler {
  return (error, req, res, _next) => {
    // An expression that failed where no route gave it a meaning (a mapping preview that never ends): still the caller's, with its path.
    // Unless no evaluator was free for it: then nobody's fault, and worth trying again.
    const expression = isBusy(error) ? busy(`The server is busy: ${(error as Error).message}`) : error instanceof ExpressionError ? new AppError('expression_failed', error.message, { details: [{ path: error.path, message: error.message }] }) : null;
    const known = error instanceof AppError ? error : (expression ?? fromBodyParser(error));
    if (known) {
      // A worker pool with no room: a queue drains in about a job's time.
      if (known.code === 'busy' && !res.getHeader('retry-after')) res.set('retry-after', '1');
      res.status(known.status).json({ error: { code: known.code, message: known.message, details: known.details } });
      return;
    }
    // The database or Temporal is away (stopped, restarting, unreachable): nothing the caller did,
    // and nothing broken here either; both clients reconnect by themselves once it is back. 503 says "try again".
    const away = isDatabaseUnavailable(error) ? 'database' : isTemporalUnavailable(error) ? 'temporal' : null;
    if (away) {
      log(redact(`[server] ${req.method} ${req.path}: ${away} unavailable (${(error as Error)?.message ?? String(error)})`));
      res.status(503).set('retry-after', '5').json({ error: { code: `${away}_unavailable`, message: `${away === 'database' ? 'The database' : 'The workflow service (Temporal)'} does not answer right now; try again in a moment.`, details: [] } });
      return;
    }
    // The path may be a signing link and the error may quote a code or a key: redacted either way.
    log(redact(`[server] ${req.method} ${req.path} failed: ${(error as Error)?.stack ?? String(error)}`));
    res.status(500).json({ error: { code: 'internal', message: 'Something went wrong on our side; it has been logged.', details: [] } });
  };
}
