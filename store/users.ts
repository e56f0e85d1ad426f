// Identities for approvers and business users. A user authenticates with a bearer token
// that is shown once, at creation; only its sha256 is kept, so a leaked database does not
// leak working tokens. (A fast hash is enough: the token is 32 random bytes, not a password.)
import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { DialectName } from './database';
import type { Database, UsersTable } from './tables';

export interface User {
  id: string;
  name: string;
  roles: string[];
  orgUnit: string | null;
  createdAt: string;
}

export interface NewUser {
  name: string;
  roles: string[];
  orgUnit?: string | null;
}

export interface UserRepository {
  create(input: NewUser): Promise<{ user: User; token: string }>;
  byToken(token: string): Promise<User | null>;
  get(id: string): Promise<User | null>;
  /** In order of creation. */
  list(): Promise<User[]>;
  /** Users holding exactly this role, in order of creation. */
  withRole(role: string): Promise<User[]>;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function toUser(row: Selectable<UsersTable>): User {
  return { id: row.id, name: row.name, roles: JSON.parse(row.roles) as string[], orgUnit: row.org_unit, createdAt: row.created_at };
}

export function createUserRepository(db: Kysely<Database>, dialect: DialectName): UserRepository {
  const users = () => db.selectFrom('users').selectAll().orderBy('created_at', 'asc').orderBy('id', 'asc');

  return {
    async create(input) {
      const token = `sf_${randomBytes(32).toString('base64url')}`;
      const row: Selectable<UsersTable> = {
        id: `u_${randomBytes(12).toString('base64url')}`,
        name: input.name,
        roles: JSON.stringify(input.roles),
        org_unit: input.orgUnit ?? null,
        token_hash: hashToken(token),
        created_at: new Date().toISOString(),
      };
      await db.insertInto('users').values(row).execute();
      return { user: toUser(row), token };
    },

    async byToken(token) {
      const row = await db.selectFrom('users').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
      return row ? toUser(row) : null;
    },

    async get(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toUser(row) : null;
    },

    async list() {
      return (await users().execute()).map(toUser);
    },

    async withRole(role) {
      // Match whole array elements with each dialect's JSON functions; a substring test on
      // the text would find 'finance' inside 'finance-director'.
      const holdsRole =
        dialect === 'postgres'
          ? sql<boolean>`cast(${sql.ref('roles')} as jsonb) @> jsonb_build_array(cast(${role} as text))`
          : sql<boolean>`exists (select 1 from json_each(${sql.ref('roles')}) where json_each.value = ${role})`;
      return (await users().where(holdsRole).execute()).map(toUser);
    },
  };
}
