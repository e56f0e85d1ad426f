// Seal management (印章管理): each company seal a flow may name (`signers[].seal`), whose
// company it is, and which users may sign with it. A seal is replaced as a whole; the
// list of users is what the signing route checks. Seals belong to a tenant; names are unique
// within it.
import type { Kysely, Selectable } from 'kysely';
import type { Database, SealsTable } from './tables';

export interface Seal {
  /** As flows name it, e.g. "contract-seal". */
  name: string;
  /** The company the seal belongs to, as company signers are named. */
  company: string;
  /** Ids of the users allowed to sign with this seal. */
  users: string[];
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
}

export interface SealInput {
  name: string;
  company: string;
  users: string[];
  /** Who set it (an actor id). */
  updatedBy: string;
}

export interface SealRepository {
  /** Creates the seal or replaces its company and users; says which. */
  put(tenantId: string, input: SealInput): Promise<{ seal: Seal; created: boolean }>;
  get(tenantId: string, name: string): Promise<Seal | null>;
  /** The tenant's seals, by name. */
  list(tenantId: string): Promise<Seal[]>;
}

function toSeal(row: Selectable<SealsTable>): Seal {
  return { name: row.name, company: row.company, users: JSON.parse(row.users) as string[], createdAt: row.created_at, updatedAt: row.updated_at, updatedBy: row.updated_by };
}

export function createSealRepository(db: Kysely<Database>): SealRepository {
  const get = async (tenantId: string, name: string) => {
    const row = await db.selectFrom('seals').selectAll().where('tenant_id', '=', tenantId).where('name', '=', name).executeTakeFirst();
    return row ? toSeal(row) : null;
  };

  return {
    async put(tenantId, input) {
      const existing = await get(tenantId, input.name);
      const now = new Date().toISOString();
      const users = JSON.stringify(input.users);
      // An upsert, so two admins creating the same seal at once both land (the last one wins).
      await db
        .insertInto('seals')
        .values({ tenant_id: tenantId, name: input.name, company: input.company, users, created_at: now, updated_at: now, updated_by: input.updatedBy })
        .onConflict((oc) => oc.columns(['tenant_id', 'name']).doUpdateSet({ company: input.company, users, updated_at: now, updated_by: input.updatedBy }))
        .execute();
      return { seal: (await get(tenantId, input.name))!, created: !existing };
    },
    get,
    async list(tenantId) {
      return (await db.selectFrom('seals').selectAll().where('tenant_id', '=', tenantId).orderBy('name').execute()).map(toSeal);
    },
  };
}
