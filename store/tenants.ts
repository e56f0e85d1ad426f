// Tenants: companies sharing one hub that never see each other's data.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './tables';

export interface Tenant {
  id: string;
  name: string;
  createdAt: string;
}

export interface TenantRepository {
  create(name: string): Promise<Tenant>;
  get(id: string): Promise<Tenant | null>;
  list(): Promise<Tenant[]>;
}

export function createTenantRepository(db: Kysely<Database>): TenantRepository {
  return {
    async create(name) {
      const tenant = { id: `t_${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x')}`, name, created_at: new Date().toISOString() };
      await db.insertInto('tenants').values(tenant).execute();
      return { id: tenant.id, name, createdAt: tenant.created_at };
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
