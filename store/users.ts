// People: approvers, business users, IT, admins. A user belongs to one tenant and one org
// unit (null = the tenant's top) and holds their roles there. They sign in with a password
// (browser) or an API key (scripts, systems): see sessions.ts and api-keys.ts. Creating a
// user still answers with a personal API key, shown once, as the REST API always did.
import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { DialectName } from './database';
import { isUniqueViolation, StoreError } from './errors';
import { unitPathIds } from './org-units';
import type { Database, UsersTable } from './tables';

export interface User {
  id: string;
  tenantId: string;
  name: string;
  login: string | null;
  roles: string[];
  orgUnit: string | null;
  disabled: boolean;
  createdAt: string;
}

export interface NewUser {
  tenantId?: string;
  name: string;
  roles: string[];
  orgUnit?: string | null;
  /** Global and unique (case-insensitive); a taken one is a StoreError 'conflict'. */
  login?: string | null;
  /** argon2id PHC string from server/password.ts `hashPassword`; never the password itself. */
  passwordHash?: string | null;
}

export interface UserChanges {
  name?: string;
  roles?: string[];
  orgUnit?: string | null;
  login?: string | null;
}

export interface UserRepository {
  /** The user and their personal API key (shown only now). */
  create(input: NewUser, createdBy?: string): Promise<{ user: User; token: string }>;
  /** The user of a live (not revoked, not expired) API key; disabled users have none. */
  byToken(token: string): Promise<User | null>;
  get(id: string): Promise<User | null>;
  /** The user signing in with this login (enabled or not) and their password hash. */
  byLogin(login: string): Promise<{ user: User; passwordHash: string | null } | null>;
  passwordHash(id: string): Promise<string | null>;
  setPasswordHash(id: string, passwordHash: string): Promise<void>;
  /** Null when there is no such user; a taken login is a StoreError 'conflict'. */
  update(id: string, changes: UserChanges): Promise<User | null>;
  /** Disabling also ends every session of the user; their API keys stop working (byToken). */
  setDisabled(id: string, disabled: boolean): Promise<User | null>;
  /** In order of creation; all tenants when no tenant is given. */
  list(tenantId?: string): Promise<User[]>;
  /** Users holding exactly this role, in order of creation. */
  withRole(role: string, tenantId?: string): Promise<User[]>;
  /**
   * Who fills `role` for a contract of this tenant and unit: the holders in the nearest unit
   * up the tree from `unitPath` (the unit itself first, the tenant's top last). Disabled users
   * hold nothing.
   */
  nearestHolders(role: string, tenantId: string, unitPath: string | null): Promise<User[]>;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export const newApiKey = () => `sf_${randomBytes(32).toString('base64url')}`;

/** Logins compare without case or surrounding spaces: "Wang.Fang " is wang.fang. */
export const normalizeLogin = (login: string) => login.trim().toLowerCase();

const uniqueLogin = async <T>(login: string | null | undefined, write: () => Promise<T>): Promise<T> => {
  try {
    return await write();
  } catch (error) {
    if (login && isUniqueViolation(error)) throw new StoreError('conflict', `The login "${login}" is taken`);
    throw error;
  }
};

export function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    login: row.login,
    roles: JSON.parse(row.roles) as string[],
    orgUnit: row.org_unit,
    disabled: row.disabled_at !== null,
    createdAt: row.created_at,
  };
}

/**
 * Writes a user and their personal API key with `tx`, which must be a transaction: both or neither.
 * users.create and tenants.openWithAdmin (a tenant and its first admin, both or neither) share it.
 * A taken login fails with the database's unique violation (callers map it with their own words).
 */
export async function insertUser(tx: Kysely<Database>, input: NewUser, createdBy: string): Promise<{ user: User; token: string }> {
  const token = newApiKey();
  const now = new Date().toISOString();
  const row: Selectable<UsersTable> = {
    id: `u_${randomBytes(12).toString('base64url')}`,
    tenant_id: input.tenantId ?? 'default',
    name: input.name,
    login: input.login ? normalizeLogin(input.login) : null,
    password_hash: input.passwordHash ?? null,
    roles: JSON.stringify(input.roles),
    org_unit: input.orgUnit ?? null,
    disabled_at: null,
    created_at: now,
    updated_at: now,
  };
  await tx.insertInto('users').values(row).execute();
  await tx
    .insertInto('api_keys')
    .values({ id: `k_${randomBytes(12).toString('base64url')}`, tenant_id: row.tenant_id, user_id: row.id, name: 'personal', token_hash: hashToken(token), scopes: '["*"]', expires_at: null, revoked_at: null, last_used_at: null, created_at: now, created_by: createdBy })
    .execute();
  return { user: toUser(row), token };
}

export function createUserRepository(db: Kysely<Database>, dialect: DialectName): UserRepository {
  const users = () => db.selectFrom('users').selectAll('users').orderBy('users.created_at', 'asc').orderBy('users.id', 'asc');
  // Match whole array elements with each dialect's JSON functions; a substring test on
  // the text would find 'finance' inside 'finance-director'.
  const holdsRole = (role: string) =>
    dialect === 'postgres'
      ? sql<boolean>`cast(${sql.ref('users.roles')} as jsonb) @> jsonb_build_array(cast(${role} as text))`
      : sql<boolean>`exists (select 1 from json_each(${sql.ref('users.roles')}) where json_each.value = ${role})`;

  const get = async (id: string) => {
    const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toUser(row) : null;
  };

  return {
    async create(input, createdBy = 'admin') {
      return uniqueLogin(input.login, () => db.transaction().execute((tx) => insertUser(tx, input, createdBy)));
    },

    async byToken(token) {
      const now = new Date().toISOString();
      const row = await db
        .selectFrom('api_keys')
        .innerJoin('users', 'users.id', 'api_keys.user_id')
        .selectAll('users')
        .where('api_keys.token_hash', '=', hashToken(token))
        .where('api_keys.revoked_at', 'is', null)
        .where((eb) => eb.or([eb('api_keys.expires_at', 'is', null), eb('api_keys.expires_at', '>', now)]))
        .where('users.disabled_at', 'is', null)
        .executeTakeFirst();
      return row ? toUser(row) : null;
    },

    get,

    async byLogin(login) {
      const row = await db.selectFrom('users').selectAll().where('login', '=', normalizeLogin(login)).executeTakeFirst();
      return row ? { user: toUser(row), passwordHash: row.password_hash } : null;
    },

    async passwordHash(id) {
      const row = await db.selectFrom('users').select('password_hash').where('id', '=', id).executeTakeFirst();
      return row?.password_hash ?? null;
    },

    async setPasswordHash(id, passwordHash) {
      await db.updateTable('users').set({ password_hash: passwordHash, updated_at: new Date().toISOString() }).where('id', '=', id).execute();
    },

    async update(id, changes) {
      const set: Partial<Selectable<UsersTable>> = { updated_at: new Date().toISOString() };
      if (changes.name !== undefined) set.name = changes.name;
      if (changes.roles !== undefined) set.roles = JSON.stringify(changes.roles);
      if (changes.orgUnit !== undefined) set.org_unit = changes.orgUnit;
      if (changes.login !== undefined) set.login = changes.login ? normalizeLogin(changes.login) : null;
      await uniqueLogin(set.login, () => db.updateTable('users').set(set).where('id', '=', id).execute());
      return get(id);
    },

    async setDisabled(id, disabled) {
      const now = new Date().toISOString();
      await db.transaction().execute(async (tx) => {
        await tx.updateTable('users').set({ disabled_at: disabled ? now : null, updated_at: now }).where('id', '=', id).where('disabled_at', disabled ? 'is' : 'is not', null).execute();
        if (disabled) await tx.deleteFrom('sessions').where('user_id', '=', id).execute();
      });
      return get(id);
    },

    async list(tenantId) {
      const query = tenantId === undefined ? users() : users().where('users.tenant_id', '=', tenantId);
      return (await query.execute()).map(toUser);
    },

    async withRole(role, tenantId) {
      let query = users().where(holdsRole(role)).where('users.disabled_at', 'is', null);
      if (tenantId !== undefined) query = query.where('users.tenant_id', '=', tenantId);
      return (await query.execute()).map(toUser);
    },

    async nearestHolders(role, tenantId, unitPath) {
      const chain = unitPath ? unitPathIds(unitPath) : [];
      const rows = (
        await users()
          .where('users.tenant_id', '=', tenantId)
          .where('users.disabled_at', 'is', null)
          .where(holdsRole(role))
          .where((eb) => (chain.length ? eb.or([eb('users.org_unit', 'in', chain), eb('users.org_unit', 'is', null)]) : eb('users.org_unit', 'is', null)))
          .execute()
      ).map(toUser);
      // Deepest first: the unit itself, its parent, …, the tenant's top (depth -1).
      const depth = (user: User) => (user.orgUnit === null ? -1 : chain.indexOf(user.orgUnit));
      const nearest = Math.max(-2, ...rows.map(depth));
      return rows.filter((user) => depth(user) === nearest);
    },
  };
}
