// The org tree (集团 → 分公司 → 部门) of each tenant. A unit's path names its ancestors and
// itself, so "this unit and below" is one indexed prefix match and "the nearest holder up
// the tree" reads the ids straight out of the path.
import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { StoreError } from './errors';
import type { Database, OrgUnitsTable } from './tables';

export interface OrgUnit {
  id: string;
  tenantId: string;
  parentId: string | null;
  name: string;
  /** '/<root id>/…/<own id>/' */
  path: string;
  createdAt: string;
}

export interface OrgUnitRepository {
  /** A new unit under `parentId` (null: a root of the tenant). Throws not_found for a parent of another tenant. */
  create(input: { tenantId: string; name: string; parentId: string | null }): Promise<OrgUnit>;
  /** The unit, if it is this tenant's. */
  get(tenantId: string, id: string): Promise<OrgUnit | null>;
  /** The tenant's units, parents before children. */
  list(tenantId: string): Promise<OrgUnit[]>;
}

/** The ids on a path, from the root down to the unit itself. */
export function unitPathIds(path: string): string[] {
  return path.split('/').filter(Boolean);
}

/** Whether the unit at `path` is the unit at `ancestorPath` or below it. */
export function isWithinUnit(path: string, ancestorPath: string): boolean {
  return path.startsWith(ancestorPath);
}

function toUnit(row: Selectable<OrgUnitsTable>): OrgUnit {
  return { id: row.id, tenantId: row.tenant_id, parentId: row.parent_id, name: row.name, path: row.path, createdAt: row.created_at };
}

export function createOrgUnitRepository(db: Kysely<Database>): OrgUnitRepository {
  const get = async (tenantId: string, id: string) => {
    const row = await db.selectFrom('org_units').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return row ? toUnit(row) : null;
  };
  return {
    get,
    async create({ tenantId, name, parentId }) {
      const parent = parentId === null ? null : await get(tenantId, parentId);
      if (parentId !== null && !parent) throw new StoreError('not_found', `Org unit "${parentId}" does not exist`);
      const id = `ou_${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x')}`;
      const row: Selectable<OrgUnitsTable> = { id, tenant_id: tenantId, parent_id: parentId, name, path: `${parent?.path ?? '/'}${id}/`, created_at: new Date().toISOString() };
      await db.insertInto('org_units').values(row).execute();
      return toUnit(row);
    },
    async list(tenantId) {
      const rows = await db.selectFrom('org_units').selectAll().where('tenant_id', '=', tenantId).orderBy('path').execute();
      return rows.map(toUnit);
    },
  };
}
