// Contract templates uploaded through the API (the shipped ones are files in templates/).
// Each belongs to the tenant that uploaded it; ids are unique within a tenant.
import type { Kysely, Selectable } from 'kysely';
import type { Database, TemplatesTable } from './tables';

export interface StoredTemplate {
  id: string;
  title: string;
  source: string;
  schema: Record<string, unknown>;
  sample: Record<string, unknown> | null;
  updatedAt: string;
  updatedBy: string;
}

export interface TemplateRepository {
  /** Creates or replaces the tenant's template with this id. */
  save(tenantId: string, template: Omit<StoredTemplate, 'updatedAt'>): Promise<StoredTemplate>;
  get(tenantId: string, id: string): Promise<StoredTemplate | null>;
  /** The tenant's templates, by id. */
  list(tenantId: string): Promise<StoredTemplate[]>;
}

function toTemplate(row: Omit<Selectable<TemplatesTable>, 'tenant_id'>): StoredTemplate {
  return {
    id: row.id,
    title: row.title,
    source: row.source,
    schema: JSON.parse(row.schema),
    sample: row.sample === null ? null : JSON.parse(row.sample),
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

export function createTemplateRepository(db: Kysely<Database>): TemplateRepository {
  return {
    async save(tenantId, template) {
      const row = {
        tenant_id: tenantId,
        id: template.id,
        title: template.title,
        source: template.source,
        schema: JSON.stringify(template.schema),
        sample: template.sample === null ? null : JSON.stringify(template.sample),
        updated_at: new Date().toISOString(),
        updated_by: template.updatedBy,
      };
      await db
        .insertInto('templates')
        .values(row)
        .onConflict((oc) => oc.columns(['tenant_id', 'id']).doUpdateSet({ title: row.title, source: row.source, schema: row.schema, sample: row.sample, updated_at: row.updated_at, updated_by: row.updated_by }))
        .execute();
      return toTemplate(row);
    },

    async get(tenantId, id) {
      const row = await db.selectFrom('templates').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row ? toTemplate(row) : null;
    },

    async list(tenantId) {
      const rows = await db.selectFrom('templates').selectAll().where('tenant_id', '=', tenantId).orderBy('id').execute();
      return rows.map(toTemplate);
    },
  };
}
