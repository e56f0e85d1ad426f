// Bearer keys for systems and scripts: each is named, scoped, may expire, and can be revoked
// or rotated. Only the key's sha256 is kept; the key itself is shown once, when made.
import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { ApiKeysTable, Database } from './tables';
import { hashToken, newApiKey, toUser, type User } from './users';

export interface ApiKey {
  id: string;
  tenantId: string;
  userId: string;
  name: string;
  /** ['*'] or rights (server/access.ts). */
  scopes: string[];
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
  createdBy: string;
}

export interface NewApiKey {
  tenantId: string;
  userId: string;
  name: string;
  scopes: string[];
  expiresAt?: string | null;
  createdBy: string;
}

export interface ApiKeyRepository {
  create(input: NewApiKey): Promise<{ key: ApiKey; token: string }>;
  get(tenantId: string, id: string): Promise<ApiKey | null>;
  /** The tenant's keys, or one user's, oldest first. */
  list(filter: { tenantId: string; userId?: string }): Promise<ApiKey[]>;
  /** Revokes a live key; answers null when there is no such key in the tenant. */
  revoke(tenantId: string, id: string, now?: Date): Promise<ApiKey | null>;
  /** A new secret for the same key (name, scopes, expiry kept); the old secret stops working at once. Null for a missing or revoked key. */
  rotate(tenantId: string, id: string): Promise<{ key: ApiKey; token: string } | null>;
  /**
   * The key and its user, when the key is live (not revoked, not expired) and the user is
   * enabled; its last use is written at most once per `touchEveryMs`.
   */
  authenticate(token: string, options?: { now?: Date; touchEveryMs?: number }): Promise<{ key: ApiKey; user: User } | null>;
}

const newKeyId = () => `k_${randomBytes(12).toString('base64url')}`;

function toApiKey(row: Selectable<ApiKeysTable>): ApiKey {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    name: row.name,
    scopes: JSON.parse(row.scopes) as string[],
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

export function createApiKeyRepository(db: Kysely<Database>): ApiKeyRepository {
  const get = async (tenantId: string, id: string) => {
    const row = await db.selectFrom('api_keys').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return row ? toApiKey(row) : null;
  };

  return {
    async create(input) {
      const token = newApiKey();
      const row: Selectable<ApiKeysTable> = {
        id: newKeyId(),
        tenant_id: input.tenantId,
        user_id: input.userId,
        name: input.name,
        token_hash: hashToken(token),
        scopes: JSON.stringify(input.scopes),
        expires_at: input.expiresAt ?? null,
        revoked_at: null,
        last_used_at: null,
        created_at: new Date().toISOString(),
        created_by: input.createdBy,
      };
      await db.insertInto('api_keys').values(row).execute();
      return { key: toApiKey(row), token };
    },

    get,

    async list({ tenantId, userId }) {
      let query = db.selectFrom('api_keys').selectAll().where('tenant_id', '=', tenantId);
      if (userId !== undefined) query = query.where('user_id', '=', userId);
      return (await query.orderBy('created_at', 'asc').orderBy('id', 'asc').execute()).map(toApiKey);
    },

    async revoke(tenantId, id, now = new Date()) {
      await db.updateTable('api_keys').set({ revoked_at: now.toISOString() }).where('tenant_id', '=', tenantId).where('id', '=', id).where('revoked_at', 'is', null).execute();
      return get(tenantId, id);
    },

    async rotate(tenantId, id) {
      const token = newApiKey();
      const result = await db.updateTable('api_keys').set({ token_hash: hashToken(token), last_used_at: null }).where('tenant_id', '=', tenantId).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return null;
      return { key: (await get(tenantId, id))!, token };
    },

    async authenticate(token, { now = new Date(), touchEveryMs = 60_000 } = {}) {
      const at = now.toISOString();
      const row = await db
        .selectFrom('api_keys')
        .innerJoin('users', 'users.id', 'api_keys.user_id')
        .selectAll('users')
        .select(['api_keys.id as key_id', 'api_keys.tenant_id as key_tenant_id', 'api_keys.name as key_name', 'api_keys.scopes as key_scopes', 'api_keys.expires_at as key_expires_at', 'api_keys.last_used_at as key_last_used_at', 'api_keys.created_at as key_created_at', 'api_keys.created_by as key_created_by'])
        .where('api_keys.token_hash', '=', hashToken(token))
        .where('api_keys.revoked_at', 'is', null)
        .where((eb) => eb.or([eb('api_keys.expires_at', 'is', null), eb('api_keys.expires_at', '>', at)]))
        .where('users.disabled_at', 'is', null)
        .executeTakeFirst();
      if (!row) return null;
      let lastUsedAt = row.key_last_used_at;
      if (lastUsedAt === null || now.getTime() - Date.parse(lastUsedAt) >= touchEveryMs) {
        await db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', row.key_id).execute();
        lastUsedAt = at;
      }
      const key: ApiKey = { id: row.key_id, tenantId: row.key_tenant_id, userId: row.id, name: row.key_name, scopes: JSON.parse(row.key_scopes) as string[], expiresAt: row.key_expires_at, revokedAt: null, lastUsedAt, createdAt: row.key_created_at, createdBy: row.key_created_by };
      return { key, user: toUser(row) };
    },
  };
}
