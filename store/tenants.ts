// Tenants: companies sharing one hub that never see each other's data.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { isUniqueViolation, StoreError } from './errors';
import type { Database } from './tables';
import { insertUser, type NewUser, type User } from './users';

export interface Tenant {
  id: string;
  name: string;
  createdAt: string;
}

export interface TenantRepository {
  create(name: string): Promise<Tenant>;
  /**
   * A tenant with its first user (roles as given, tenantId set here), in one transaction: when the user
   * cannot be written (a taken login: StoreError 'conflict') no tenant is left behind either.
   */
  openWithAdmin(name: string, admin: Omit<NewUser, 'tenantId'>, createdBy: string): Promise<{ tenant: Tenant; user: User; token: string }>;
  get(id: string): Promise<Tenant | null>;
  list(): Promise<Tenant[]>;
}

export function createTenantRepository(db: Kysely<Database>): TenantRepository {
  const insertTenant = async (tx: Kysely<Database>, name: string): Promise<Tenant> => {
    const tenant = { id: `t_${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x')}`, name, created_at: new Date().toISOString() };
    await tx.insertInto('tenants').values(tenant).execute();
    return { id: tenant.id, name, createdAt: tenant.created_at };
  };
  return {
    create: (name) => insertTenant(db, name),
    async openWithAdmin(name, admin, createdBy) {
      try {
        return await db.transaction().execute(async (tx) => {
          const tenant = await insertTenant(tx, name);
          const { user, token } = await insertUser(tx, { ...admin, tenantId: tenant.id }, createdBy);
          return { tenant, user, token };
        });
      } catch (error) {
        if (admin.login && isUniqueViolation(error)) throw new StoreError('conflict', `The login "${admin.login}" is taken`);
        throw error;
      }
    },
    async get(id) {
      const row = await db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? { id: row.id, name: row.name, createdAt: row.created_at } : null;
    },
    async list() {
      return (await db.selectFrom('tenants').selectAll().orderBy('created_at').execute()).map((row) => ({ id: row.id, name: row.name, createdAt: row.created_at }));
    },
  };
}
