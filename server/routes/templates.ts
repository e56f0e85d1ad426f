import { Type } from '@sinclair/typebox';
import { TemplateError } from '../../templates';
import type { DocumentService } from '../../workflows';
import { AppError, notFound } from '../errors';
import { defineRoute } from '../route';

const DESIGNERS = 'flows.write' as const;
const READERS = 'flows.read' as const;

const TemplateUploadBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    source: Type.String({ minLength: 1, maxLength: 500_000, description: 'Handlebars source in the template markup (see templates/README.md)' }),
    schema: Type.Object({}, { additionalProperties: true, description: 'JSON Schema of the template variables' }),
    sample: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'sample data for previews; checked against the schema' })),
  },
  { additionalProperties: false },
);

const PreviewBody = Type.Object({ data: Type.Optional(Type.Object({}, { additionalProperties: true })) }, { additionalProperties: false });

/** A template's refusal as a 400 that names the template, and the line or variable at fault. */
export function templateFailure(error: unknown): never {
  if (error instanceof TemplateError) {
    const status = error.code === 'template_not_found' ? 404 : 400;
    throw new AppError(error.code, error.message, { status, details: error.details.map((d) => ({ path: d.path, message: d.line ? `${d.message} (line ${d.line})` : d.message })) });
  }
  throw error;
}

export function templateRoutes(documents: DocumentService) {
  return [
    defineRoute({
      method: 'get', path: '/api/templates', tag: 'templates', access: READERS,
      summary: "Contract templates: the shipped ones (every tenant's) and those the caller's tenant uploaded, each with its variables schema and signer roles",
      responses: { 200: { description: 'templates' } },
      handler: async ({ actor }) => ({ body: { items: await documents.list(actor!.tenantId) } }),
    }),
    defineRoute({
      method: 'put', path: '/api/templates/:id', tag: 'templates', access: DESIGNERS, body: TemplateUploadBody,
      summary: 'Upload or replace a template; a source that does not compile is refused with its line',
      responses: { 200: { description: 'saved' }, 400: { description: 'the template does not compile, or its sample breaks its schema' }, 409: { description: 'the id belongs to a shipped template' } },
      handler: async ({ params, body, actor }) => {
        if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(params.id)) throw new AppError('invalid_template', 'A template id is lower-case letters, digits and dashes', { details: [{ path: '/id', message: 'must match ^[a-z0-9][a-z0-9-]{1,62}$' }] });
        const outcome = await documents.upload(actor!.tenantId, { id: params.id, ...body }, actor!.id);
        if (outcome === 'shipped') throw new AppError('conflict', `"${params.id}" is a shipped template; upload under another id`, { status: 409 });
        if (outcome.length) {
          throw new AppError('template_compile', `Template "${params.id}" has ${outcome.length} problem(s)`, { details: outcome.map((i) => ({ path: i.path, message: i.line ? `${i.message} (line ${i.line})` : i.message })) });
        }
        const saved = await documents.find(actor!.tenantId, params.id);
        return { body: saved!.summary };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/templates/:id/preview', tag: 'templates', access: READERS, body: PreviewBody,
      summary: 'Render a template as a PDF, with the given data or its sample data',
      responses: { 200: { description: 'the PDF', contentType: 'application/pdf' }, 400: { description: 'the data does not fit the template' }, 404: { description: 'no such template' } },
      handler: async ({ params, body, actor }) => {
        if (!(await documents.find(actor!.tenantId, params.id))) throw notFound(`Template "${params.id}"`);
        const rendered = await documents.preview(actor!.tenantId, params.id, body.data).catch(templateFailure);
        return { body: rendered.pdf, contentType: 'application/pdf', headers: { 'content-disposition': `inline; filename="${params.id}-preview.pdf"` } };
      },
    }),
  ];
}
