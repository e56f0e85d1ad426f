// The shipped templates: one folder per template under templates/, holding
//   template.hbs   the Handlebars source producing document markup (README.md)
//   schema.json    JSON Schema of its variables
//   sample.json    data to preview it with (valid against the schema)
//   meta.json      { title, description, signers: [{ id, party, label, sampleName }] }
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TemplateError } from './errors';
import type { JsonSchema } from './schema';
import type { TemplateInfo, TemplateSignerRole } from './types';

export const SHIPPED_TEMPLATES_DIR = dirname(fileURLToPath(import.meta.url));

/** Ids are folder names: lower-case words and dashes, so an id can never climb out of the folder. */
const TEMPLATE_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export interface TemplateDefinition extends TemplateInfo {
  hbs: string;
  sample: Record<string, unknown>;
}

interface TemplateMeta {
  title: string;
  description?: string;
  signers?: TemplateSignerRole[];
}

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

export class TemplateCatalog {
  constructor(private readonly dir: string = SHIPPED_TEMPLATES_DIR) {}

  async ids(): Promise<string[]> {
    const entries = await readdir(this.dir, { withFileTypes: true });
    return entries
      .filter((entry) => entry.isDirectory() && TEMPLATE_ID.test(entry.name) && existsSync(join(this.dir, entry.name, 'template.hbs')))
      .map((entry) => entry.name)
      .sort();
  }

  async load(id: string): Promise<TemplateDefinition> {
    const folder = join(this.dir, id);
    if (!TEMPLATE_ID.test(id) || !existsSync(join(folder, 'template.hbs'))) {
      throw new TemplateError('template_not_found', id, `no template "${id}" (have: ${(await this.ids()).join(', ')})`, [{ path: '/templateId', message: 'names no template' }]);
    }
    const [hbs, schema, sample, meta] = await Promise.all([
      readFile(join(folder, 'template.hbs'), 'utf8'),
      readJson<JsonSchema>(join(folder, 'schema.json')),
      readJson<Record<string, unknown>>(join(folder, 'sample.json')),
      readJson<TemplateMeta>(join(folder, 'meta.json')),
    ]);
    return { id, title: meta.title, description: meta.description ?? '', schema, signers: meta.signers ?? [], hbs, sample };
  }

  async list(): Promise<TemplateInfo[]> {
    const templates = await Promise.all((await this.ids()).map((id) => this.load(id)));
    return templates.map(({ id, title, description, schema, signers }) => ({ id, title, description, schema, signers }));
  }
}
