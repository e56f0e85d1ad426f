// The first start on an empty database makes the hub's CA, TSA and platform keys. Parts that
// start together (compose starts servers and workers at once) would each make their own and
// overwrite each other's records, leaving some process signing under a root the database no
// longer holds. On PostgreSQL they take turns under an advisory lock: the first makes the keys,
// the others find them. SQLite is one machine and, in practice, one process (npm start).
import { createHash } from 'node:crypto';
import pg from 'pg';

/** A stable 64-bit advisory-lock key for a name (pg_advisory_lock takes a bigint). */
function lockKey(name: string): string {
  return createHash('sha256').update(`sealflow:${name}`).digest().readBigInt64BE(0).toString();
}

export async function onePartAtATime<T>(databaseUrl: string | null, name: string, run: () => Promise<T>): Promise<T> {
  if (!databaseUrl) return run();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1::bigint)', [lockKey(name)]);
    // The lock is the session's: ending the connection below releases it, also after a failure.
    return await run();
  } finally {
    await client.end().catch(() => {});
  }
}
