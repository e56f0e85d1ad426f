import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable, isUniqueViolation } from './errors';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it('reads a refused or reset connection, a server shutting down and node-postgres losing it mid-query as the database being away', () => {
    expect(isDatabaseUnavailable(withCode('ECONNREFUSED'))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], 'connect failed'))).toBe(true);
    expect(isDatabaseUnavailable(withCode('57P01', 'terminating connection due to administrator command'))).toBe(true);
    expect(isDatabaseUnavailable(withCode('08006'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('query failed', { cause: withCode('ECONNRESET') }))).toBe(true);
  });

  it('leaves errors about the query itself to be faults or conflicts', () => {
    expect(isDatabaseUnavailable(withCode('23505'))).toBe(false);
    expect(isUniqueViolation(withCode('23505'))).toBe(true);
    expect(isDatabaseUnavailable(withCode('42P01', 'relation "contracts" does not exist'))).toBe(false);
    expect(isDatabaseUnavailable(new RangeError('Invalid time value'))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });
});
