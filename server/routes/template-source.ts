// One template with its source, for the designer's template editor: an uploaded template's
// Handlebars, schema and sample (to edit and save back), a shipped one's (read-only, to copy
// under an id of the tenant's own).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SHIPPED_TEMPLATES_DIR } from '../../templates/catalog';
import type { DocumentService } from '../../workflows';
import { notFound } from '../errors';
import { defineRoute } from '../route';

const readJson = async (path: string): Promise<Record<string, unknown> | null> => JSON.parse(await readFile(path, 'utf8').catch(() => 'null')) as Record<string, unknown> | null;

export function templateSourceRoutes(documents: DocumentService) {
  return [
    defineRoute({
      method: 'get', path: '/api/templates/:id', tag: 'templates', access: 'flows.read',
      summary: 'A template with its Handlebars source, variables schema and sample data (a shipped one is read-only: upload a copy under another id)',
      responses: { 200: { description: '{id, title, origin, schema, signers, source, sample}' }, 404: { description: 'no such template' } },
      handler: async ({ params, actor }) => {
        const found = await documents.find(actor!.tenantId, params.id);
        if (!found) throw notFound(`Template "${params.id}"`);
        if (found.source) return { body: { ...found.summary, source: found.source.hbs, sample: found.sample ?? null } };
        // Shipped: its folder under templates/, named by an id the catalogue itself gave.
        const folder = join(SHIPPED_TEMPLATES_DIR, found.summary.id);
        return { body: { ...found.summary, source: await readFile(join(folder, 'template.hbs'), 'utf8'), sample: await readJson(join(folder, 'sample.json')) } };
      },
    }),
  ];
}
