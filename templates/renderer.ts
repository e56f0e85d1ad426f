// The document engine: template + data + signers → A4 PDF with signature areas.
//   catalog (or an uploaded source) → schema check → Handlebars → markup → layout → font subsets → PDF
// A renderer owns its caches (compiled templates, font subsets); the worker makes one and
// passes it to the activities that need it.
import { createHash } from 'node:crypto';
import { TemplateCatalog, SHIPPED_TEMPLATES_DIR } from './catalog';
import { compileTemplate, TemplateRunError, type CompiledTemplate } from './compile';
import { TemplateError, type TemplateIssue } from './errors';
import { FontLibrary, type FontFace, type FontLibraryOptions, type FontSubset, type FontWeight } from './fonts';
import { layoutDocument, LayoutError, type LaidOutDocument } from './layout';
import { MarkupError, parseMarkup } from './markup';
import { drawPdf } from './pdf';
import { compileSchema, type DataValidator } from './schema';
import type { RenderedDocument, RenderOptions, SignerSlot, TemplateInfo, TemplateSource } from './types';

export interface DocumentRendererOptions {
  /** folder of template folders; defaults to the shipped templates */
  templatesDir?: string;
  fonts?: FontLibrary | FontLibraryOptions;
}

export interface DocumentRenderer {
  listTemplates(): Promise<TemplateInfo[]>;
  renderTemplate(options: RenderOptions): Promise<RenderedDocument>;
  previewTemplate(templateId: string): Promise<RenderedDocument>;
  checkTemplateSource(source: TemplateSource & { sample?: Record<string, unknown> }): TemplateIssue[];
}

/** A rendering with its layout: what tests need to check every drawn line. */
export interface RenderedWithLayout {
  document: RenderedDocument;
  layout: LaidOutDocument;
  markup: string;
}

interface PreparedTemplate {
  render: CompiledTemplate;
  validate: DataValidator;
}

const PREPARED_CACHE_SIZE = 64;
const SIGNER_ID = /^[A-Za-z0-9_-]+$/;

function prepare(source: TemplateSource): { ok: true; prepared: PreparedTemplate } | { ok: false; issues: TemplateIssue[] } {
  const issues: TemplateIssue[] = [];
  let validate: DataValidator | undefined;
  try {
    validate = compileSchema(source.schema);
  } catch (error) {
    issues.push({ code: 'template_compile', path: '/schema', message: `the variables schema does not compile: ${(error as Error).message}` });
  }
  const compiled = compileTemplate(source.hbs);
  if (!compiled.ok) issues.push(...compiled.issues);
  if (issues.length || !validate || !compiled.ok) return { ok: false, issues };
  return { ok: true, prepared: { render: compiled.template, validate } };
}

function summary(issues: { message: string }[]): string {
  const [first] = issues;
  return issues.length === 1 ? first.message : `${first.message} (and ${issues.length - 1} more)`;
}

function signerIssues(signers: SignerSlot[]): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const seen = new Set<string>();
  signers.forEach((signer, index) => {
    if (typeof signer.id !== 'string' || !SIGNER_ID.test(signer.id)) issues.push({ path: `/signers/${index}/id`, message: 'must be letters, digits, _ or -' });
    else if (seen.has(signer.id)) issues.push({ path: `/signers/${index}/id`, message: `repeats signer "${signer.id}"` });
    seen.add(signer.id);
    if (typeof signer.name !== 'string' || signer.name.trim() === '') issues.push({ path: `/signers/${index}/name`, message: 'must not be empty' });
    if (signer.party !== 'company' && signer.party !== 'person') issues.push({ path: `/signers/${index}/party`, message: 'must be company or person' });
  });
  return issues;
}

const IGNORED_IN_DATA = /[\n\r\t\u00AD\u200B-\u200D\u2060\uFEFF]/;

/** Every string in the data, by JSON pointer, that holds a character the fonts cannot draw. */
function undrawableData(data: unknown, faces: FontFace[], path = ''): { path: string; message: string }[] {
  if (typeof data === 'string') {
    const missing = [...new Set(data)].filter((char) => !IGNORED_IN_DATA.test(char) && faces.some((face) => !face.has(char)));
    if (!missing.length) return [];
    const list = missing.map((char) => `"${char}" (U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`).join(', ');
    return [{ path: path || '/', message: `holds characters the contract font cannot draw: ${list}` }];
  }
  if (Array.isArray(data)) return data.flatMap((item, index) => undrawableData(item, faces, `${path}/${index}`));
  if (data && typeof data === 'object') {
    return Object.entries(data).flatMap(([key, value]) => undrawableData(value, faces, `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`));
  }
  return [];
}

/** Characters drawn in each weight: exactly what each font subset must hold. */
function charactersByWeight(layout: LaidOutDocument): Record<FontWeight, Set<string>> {
  const chars: Record<FontWeight, Set<string>> = { regular: new Set(), bold: new Set() };
  for (const page of layout.pages) {
    for (const item of page.items) if (item.kind === 'text') for (const char of item.text) chars[item.weight].add(char);
  }
  return chars;
}

export class SealflowDocumentRenderer implements DocumentRenderer {
  private readonly catalog: TemplateCatalog;
  private readonly fonts: FontLibrary;
  private readonly prepared = new Map<string, PreparedTemplate>();

  constructor(options: DocumentRendererOptions = {}) {
    this.catalog = new TemplateCatalog(options.templatesDir ?? SHIPPED_TEMPLATES_DIR);
    this.fonts = options.fonts instanceof FontLibrary ? options.fonts : new FontLibrary(options.fonts);
  }

  listTemplates(): Promise<TemplateInfo[]> {
    return this.catalog.list();
  }

  /** Compiled once per distinct source, so an edited template file is picked up on the next render. */
  private prepare(source: TemplateSource): PreparedTemplate {
    const key = createHash('sha256').update(source.hbs).update('\u0000').update(JSON.stringify(source.schema)).digest('hex');
    const cached = this.prepared.get(key);
    if (cached) return cached;
    const result = prepare(source);
    if (!result.ok) throw new TemplateError('template_compile', source.id, summary(result.issues), result.issues);
    this.prepared.set(key, result.prepared);
    if (this.prepared.size > PREPARED_CACHE_SIZE) this.prepared.delete(this.prepared.keys().next().value!);
    return result.prepared;
  }

  async renderTemplate(options: RenderOptions): Promise<RenderedDocument> {
    return (await this.renderWithLayout(options)).document;
  }

  async renderWithLayout(options: RenderOptions): Promise<RenderedWithLayout> {
    const definition = options.source ?? (await this.catalog.load(options.templateId));
    const id = definition.id;
    const template = this.prepare(definition);

    const badSigners = signerIssues(options.signers);
    if (badSigners.length) throw new TemplateError('invalid_signers', id, summary(badSigners), badSigners);
    const dataIssues = template.validate(options.data);
    if (dataIssues.length) {
      const message = `the data breaks the template's schema: ${dataIssues[0].path} ${dataIssues[0].message}`;
      throw new TemplateError('invalid_data', id, dataIssues.length > 1 ? `${message} (and ${dataIssues.length - 1} more)` : message, dataIssues);
    }
    const faces = { regular: await this.fonts.face('regular'), bold: await this.fonts.face('bold') };
    const undrawable = undrawableData(options.data, [faces.regular, faces.bold]).concat(
      undrawableData(options.signers.map((signer) => ({ name: signer.name })), [faces.regular, faces.bold], '/signers'),
    );
    if (undrawable.length) throw new TemplateError('invalid_data', id, `${undrawable[0].path} ${undrawable[0].message}`, undrawable);

    let markup: string;
    try {
      markup = template.render(options.data);
    } catch (error) {
      if (!(error instanceof TemplateRunError)) throw error;
      throw new TemplateError(error.code, id, error.message, [{ path: error.path, message: error.message, line: error.line, column: error.column }]);
    }

    let layout: LaidOutDocument;
    try {
      layout = layoutDocument(parseMarkup(markup), { faces, signers: options.signers });
    } catch (error) {
      if (error instanceof MarkupError) {
        const text = markup.split('\n')[error.line - 1]?.trim() ?? '';
        const message = `${error.message} (rendered line ${error.line}: ${text.slice(0, 80)})`;
        throw new TemplateError('template_markup', id, message, [{ path: '', message, line: error.line }]);
      }
      if (error instanceof LayoutError) {
        const code = error.code === 'unknown_signer' ? 'invalid_signers' : 'template_markup'; // missing_glyph, bad_margins
        throw new TemplateError(code, id, error.message, [{ path: code === 'invalid_signers' ? '/signers' : '', message: error.message, line: error.line }]);
      }
      throw error;
    }

    const chars = charactersByWeight(layout);
    const [regular, bold] = await Promise.all(
      (['regular', 'bold'] as const).map((weight): Promise<FontSubset | undefined> => (chars[weight].size ? this.fonts.subset(weight, chars[weight]) : Promise.resolve(undefined))),
    );
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([id, definition.hbs, options.data, options.signers, options.title ?? null, options.date?.toISOString() ?? null, options.subject ?? null, options.language ?? null]))
      .update(JSON.stringify((options.attachments ?? []).map((file) => [file.name, file.mimeType, file.description ?? null, createHash('sha256').update(file.bytes).digest('hex')])))
      .digest()
      .subarray(0, 16);
    const pdf = await drawPdf(layout, {
      fonts: { regular, bold },
      title: options.title ?? definition.title ?? id,
      date: options.date,
      id: fingerprint,
      attachments: options.attachments,
      subject: options.subject,
      language: options.language,
    });
    const document: RenderedDocument = {
      pdf,
      sha256: createHash('sha256').update(pdf).digest('hex'),
      pages: layout.pages.length,
      signatureAreas: layout.signatureAreas,
      reservedAreas: layout.reservedAreas,
    };
    return { document, layout, markup };
  }

  async previewTemplate(templateId: string): Promise<RenderedDocument> {
    const definition = await this.catalog.load(templateId);
    return this.renderTemplate({
      templateId,
      data: definition.sample,
      title: `${definition.title}（预览）`,
      signers: definition.signers.map((role) => ({ id: role.id, name: role.sampleName, party: role.party })),
    });
  }

  /** Problems of a template source (e.g. an upload), each with its line; with a sample, also renders it to markup. */
  checkTemplateSource(source: TemplateSource & { sample?: Record<string, unknown> }): TemplateIssue[] {
    const prepared = prepare(source);
    if (!prepared.ok) return prepared.issues;
    if (!source.sample) return [];
    const dataIssues = prepared.prepared.validate(source.sample);
    if (dataIssues.length) return dataIssues.map((issue) => ({ code: 'invalid_data', path: `/sample${issue.path === '/' ? '' : issue.path}`, message: issue.message }));
    try {
      parseMarkup(prepared.prepared.render(source.sample));
    } catch (error) {
      if (error instanceof TemplateRunError) return [{ code: error.code, path: error.path, message: error.message, line: error.line, column: error.column }];
      if (error instanceof MarkupError) return [{ code: 'template_markup', path: '', message: `${error.message} (rendered line ${error.line})`, line: error.line }];
      throw error;
    }
    return [];
  }
}

export function createDocumentRenderer(options: DocumentRendererOptions = {}): SealflowDocumentRenderer {
  return new SealflowDocumentRenderer(options);
}

