// One template with its source, for the designer's template editor: an uploaded template's
// Handlebars, schema and sample (to edit and save back), a shipped one's (read-only, to copy
// under an id of the tenant's own). And the editor's live preview: an unsaved source rendered
// as it would be once saved, without saving it (flows using the template keep the saved one).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { checkTemplateSource, renderTemplate, signatureLines } from '../../templates';
import { SHIPPED_TEMPLATES_DIR } from '../../templates/catalog';
import type { DocumentService } from '../../workflows';
import { AppError, notFound } from '../errors';
import { defineRoute } from '../route';
import { templateFailure } from './templates';

const readJson = async (path: string): Promise<Record<string, unknown> | null> => JSON.parse(await readFile(path, 'utf8').catch(() => 'null')) as Record<string, unknown> | null;

const TryBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    source: Type.String({ minLength: 1, maxLength: 500_000, description: 'Handlebars source in the template markup (see templates/README.md)' }),
    schema: Type.Object({}, { additionalProperties: true, description: 'JSON Schema of the template variables' }),
    sample: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'the data to render with; checked against the schema' })),
  },
  { additionalProperties: false },
);

/** Signer slots of an uploaded source, as the document service reads them (`::: signature <id> <label>` lines). */
const signersOf = (source: string) => signatureLines(source).map(({ id, label }) => ({ id, party: 'company' as const, name: label }));

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
    defineRoute({
      method: 'post', path: '/api/templates/:id/try', tag: 'templates', access: 'flows.write', body: TryBody,
      summary: 'Render a source as a PDF without saving it (the template editor\'s live preview); a source that does not compile is refused with its lines, as an upload is',
      responses: { 200: { description: 'the PDF', contentType: 'application/pdf' }, 400: { description: 'the source does not compile, or the sample breaks its schema or the source' } },
      handler: async ({ params, body }) => {
        const source = { id: params.id, hbs: body.source, schema: body.schema, title: body.title };
        const issues = checkTemplateSource({ ...source, sample: body.sample });
        if (issues.length) {
          throw new AppError('template_compile', `Template "${params.id}" has ${issues.length} problem(s)`, { details: issues.map((i) => ({ path: i.path, message: i.line ? `${i.message} (line ${i.line})` : i.message })) });
        }
        const rendered = await renderTemplate({ templateId: params.id, data: body.sample ?? {}, signers: signersOf(body.source), title: body.title, source }).catch(templateFailure);
        return { body: rendered.pdf, contentType: 'application/pdf', headers: { 'content-disposition': `inline; filename="${params.id}-preview.pdf"` } };
      },
    }),
  ];
}
