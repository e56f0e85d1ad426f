// The store's own error type: the two outcomes a caller can act on (the API turns them
// into 404 and 409). Anything else is a fault and is left to propagate unchanged.

export type StoreErrorCode = 'not_found' | 'conflict';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/**
 * Whether a driver error is a unique/primary-key violation. Races (two creates of one
 * key) are settled by the database's constraints, so this is how "someone else won"
 * looks in each dialect: SQLSTATE 23505 from PostgreSQL, SQLITE_CONSTRAINT_* from
 * better-sqlite3.
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Driver codes of a database that cannot be reached: refused, reset, timed out, or (SQLite) locked by another process past busy_timeout. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN', 'SQLITE_BUSY', '53300']);

/**
 * Whether a driver error says the database cannot answer right now (stopped, restarting,
 * unreachable, out of connections) rather than that the query was wrong: the caller should
 * try again later (the API answers 503). PostgreSQL: SQLSTATE class 08 (connection
 * exception), 57P01–57P03 (shut down, restarting), 53300 (too many connections); node-postgres
 * says "Connection terminated…" without a code when the server goes mid-query.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current = error;
  for (let depth = 0; current && depth < 5; depth++) {
    if (current instanceof AggregateError && current.errors.some(isDatabaseUnavailable)) return true;
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || /^08...$|^57P0[123]$/.test(code))) return true;
    if (typeof message === 'string' && /^Connection terminated|timeout exceeded when trying to connect/.test(message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
