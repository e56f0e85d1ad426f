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
