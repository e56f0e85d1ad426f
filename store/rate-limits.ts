// Token buckets in the database, so that every server process spends the same allowance: a
// client that used up its /api/verify budget at one server is refused at the next, and a
// restart forgets nothing. Each take is one upsert that refills, takes and answers at once
// (INSERT … ON CONFLICT DO UPDATE … RETURNING, on SQLite and PostgreSQL alike): two servers
// taking from one bucket at the same moment are serialised by the row, never both granted
// the last token by a read-modify-write race.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DialectName } from './database';
import type { Database } from './tables';

export interface BucketLimit {
  /** Requests a key may send at once. */
  burst: number;
  /** Requests per second it may send over time. */
  perSecond: number;
}

export interface RateLimitRepository {
  /** Takes a token from `key`'s bucket; 0 when granted, else the whole seconds until the next token. */
  take(key: string, limit: BucketLimit, now?: number): Promise<number>;
  /** Like take, but takes nothing: 0 when a token is there, else the seconds until there is one. */
  peek(key: string, limit: BucketLimit, now?: number): Promise<number>;
  /** Forgets buckets that are full again (they mean the same as no row). Returns how many went. */
  purge(now?: number): Promise<number>;
}

/** Seconds until the next token of a bucket holding `tokens` (< 1), as the in-memory limiter answered. */
export const secondsUntilToken = (tokens: number, perSecond: number): number => Math.max(1, Math.ceil((1 - tokens) / perSecond));

/** How often one process sweeps full buckets away: rarely enough to cost nothing on the hot path. */
const PURGE_EVERY_MS = 60_000;

export function createRateLimitRepository(db: Kysely<Database>, dialect: DialectName): RateLimitRepository {
  // Parameters go in as doubles: PostgreSQL cannot infer the type of `$1 - 1` from a bare parameter.
  const num = (value: number): RawBuilder<number> => sql<number>`cast(${value} as double precision)`;
  const least = dialect === 'postgres' ? sql.raw('least') : sql.raw('min');
  const greatest = dialect === 'postgres' ? sql.raw('greatest') : sql.raw('max');
  let purgedAt = 0;

  const repository: RateLimitRepository = {
    async take(key, { burst, perSecond }, now = Date.now()) {
      const perMs = perSecond / 1000;
      const fullAfterMs = (burst / perSecond) * 1000;
      // Tokens after refilling for the time since the last take. A server whose clock is behind
      // the last writer's refills nothing rather than a negative amount.
      const refilled = sql<number>`${least}(${num(burst)}, rate_limits.tokens + ${greatest}(0, excluded.at - rate_limits.at) * ${num(perMs)})`;
      const row = await db
        .insertInto('rate_limits')
        .values({ key, tokens: num(burst - 1), at: num(now), granted: 1, full_at: num(now + fullAfterMs) })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            tokens: sql`case when ${refilled} >= 1 then ${refilled} - 1 else ${refilled} end`,
            granted: sql`case when ${refilled} >= 1 then 1 else 0 end`,
            at: sql`${greatest}(rate_limits.at, excluded.at)`,
            full_at: sql`${greatest}(rate_limits.at, excluded.at) + ${num(fullAfterMs)}`,
          }),
        )
        .returning(['tokens', 'granted'])
        .executeTakeFirstOrThrow();
      if (now - purgedAt > PURGE_EVERY_MS) {
        purgedAt = now;
        // Not awaited: the request does not wait for housekeeping, and a failed sweep is retried next minute.
        repository.purge(now).catch(() => {});
      }
      return Number(row.granted) === 1 ? 0 : secondsUntilToken(Number(row.tokens), perSecond);
    },

    async peek(key, { burst, perSecond }, now = Date.now()) {
      const row = await db.selectFrom('rate_limits').select(['tokens', 'at']).where('key', '=', key).executeTakeFirst();
      if (!row) return 0;
      const tokens = Math.min(burst, Number(row.tokens) + (Math.max(0, now - Number(row.at)) / 1000) * perSecond);
      return tokens >= 1 ? 0 : secondsUntilToken(tokens, perSecond);
    },

    async purge(now = Date.now()) {
      const result = await db.deleteFrom('rate_limits').where('full_at', '<', num(now)).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
  return repository;
}
