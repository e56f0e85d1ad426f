// Browser sessions and the sign-in failure counter. Both live in the database, not in a
// server's memory: any hub process may answer any request, and one that restarts forgets
// nothing. A session id travels only in the cookie; the table keeps its sha256.
import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from './tables';

export interface SessionPolicy {
  /** A session nobody used for this long is over. */
  idleMs: number;
  /** A session is over this long after sign-in, used or not. */
  absoluteMs: number;
  /** `last_seen_at` is written at most this often: a page firing ten requests costs one write. */
  touchEveryMs: number;
}

export interface Session {
  userId: string;
  tenantId: string;
  csrfToken: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

export interface SignInThrottle {
  /** Failures counted within `windowMs`; at `maxFailures` the login is refused until the window ends. */
  maxFailures: number;
  windowMs: number;
}

export interface SessionRepository {
  /** A new session: its id (for the cookie, never stored) and CSRF token. */
  create(input: { userId: string; tenantId: string; policy: SessionPolicy; now?: Date }): Promise<{ id: string; session: Session }>;
  /** The live session of this id (not idle too long, not past its lifetime), its last use refreshed. */
  find(id: string, policy: SessionPolicy, now?: Date): Promise<Session | null>;
  delete(id: string): Promise<void>;
  /** Ends the user's sessions, all or all but one (the one that changed the password). */
  deleteForUser(userId: string, exceptId?: string): Promise<number>;
  /** Whether this login is locked out now, and until when. */
  lockedUntil(login: string, throttle: SignInThrottle, now?: Date): Promise<Date | null>;
  /** Counts one failure; answers the failures counted in the current window. */
  recordFailure(login: string, throttle: SignInThrottle, now?: Date): Promise<number>;
  clearFailures(login: string): Promise<void>;
}

export const sessionIdHash = (id: string) => createHash('sha256').update(id).digest('hex');

export function createSessionRepository(db: Kysely<Database>): SessionRepository {
  return {
    async create({ userId, tenantId, policy, now = new Date() }) {
      const id = randomBytes(32).toString('base64url');
      const at = now.toISOString();
      const row = { id_hash: sessionIdHash(id), user_id: userId, tenant_id: tenantId, csrf_token: randomBytes(32).toString('base64url'), created_at: at, last_seen_at: at, expires_at: new Date(now.getTime() + policy.absoluteMs).toISOString() };
      // Sessions that ended by themselves are swept here, at each sign-in, so the table holds live ones only.
      await db.deleteFrom('sessions').where((eb) => eb.or([eb('expires_at', '<=', at), eb('last_seen_at', '<=', new Date(now.getTime() - policy.idleMs).toISOString())])).execute();
      await db.insertInto('sessions').values(row).execute();
      return { id, session: { userId, tenantId, csrfToken: row.csrf_token, createdAt: at, lastSeenAt: at, expiresAt: row.expires_at } };
    },

    async find(id, policy, now = new Date()) {
      const at = now.toISOString();
      const row = await db
        .selectFrom('sessions')
        .selectAll()
        .where('id_hash', '=', sessionIdHash(id))
        .where('expires_at', '>', at)
        .where('last_seen_at', '>', new Date(now.getTime() - policy.idleMs).toISOString())
        .executeTakeFirst();
      if (!row) return null;
      let lastSeenAt = row.last_seen_at;
      if (now.getTime() - Date.parse(row.last_seen_at) >= policy.touchEveryMs) {
        await db.updateTable('sessions').set({ last_seen_at: at }).where('id_hash', '=', row.id_hash).execute();
        lastSeenAt = at;
      }
      return { userId: row.user_id, tenantId: row.tenant_id, csrfToken: row.csrf_token, createdAt: row.created_at, lastSeenAt, expiresAt: row.expires_at };
    },

    async delete(id) {
      await db.deleteFrom('sessions').where('id_hash', '=', sessionIdHash(id)).execute();
    },

    async deleteForUser(userId, exceptId) {
      let query = db.deleteFrom('sessions').where('user_id', '=', userId);
      if (exceptId !== undefined) query = query.where('id_hash', '!=', sessionIdHash(exceptId));
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async lockedUntil(login, throttle, now = new Date()) {
      const row = await db.selectFrom('sign_in_failures').selectAll().where('login', '=', login).executeTakeFirst();
      if (!row || row.failures < throttle.maxFailures) return null;
      const until = new Date(Date.parse(row.first_failed_at) + throttle.windowMs);
      return until > now ? until : null;
    },

    async recordFailure(login, throttle, now = new Date()) {
      const at = now.toISOString();
      const windowStart = new Date(now.getTime() - throttle.windowMs).toISOString();
      // One statement, so two servers counting the same login at once both count: a failure
      // in a window that has passed starts a new one.
      const stale = sql<boolean>`${sql.ref('sign_in_failures.first_failed_at')} <= ${windowStart}`;
      await db
        .insertInto('sign_in_failures')
        .values({ login, failures: 1, first_failed_at: at })
        .onConflict((oc) =>
          oc.column('login').doUpdateSet({
            failures: sql`case when ${stale} then 1 else ${sql.ref('sign_in_failures.failures')} + 1 end`,
            first_failed_at: sql`case when ${stale} then ${at} else ${sql.ref('sign_in_failures.first_failed_at')} end`,
          }),
        )
        .execute();
      const row = await db.selectFrom('sign_in_failures').select('failures').where('login', '=', login).executeTakeFirstOrThrow();
      // Counts of windows that have passed mean nothing: guessing at made-up logins must not grow the table.
      await db.deleteFrom('sign_in_failures').where('first_failed_at', '<=', windowStart).execute();
      return row.failures;
    },

    async clearFailures(login) {
      await db.deleteFrom('sign_in_failures').where('login', '=', login).execute();
    },
  };
}
