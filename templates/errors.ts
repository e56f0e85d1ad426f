// One error type for everything a template or its data can get wrong. The code says what
// the caller can do about it; each detail points at the template line or the data path.

export type TemplateErrorCode =
  /** no template with that id */
  | 'template_not_found'
  /** the Handlebars source or its schema does not compile, or uses something not allowed */
  | 'template_compile'
  /** the template prints a variable the data does not have */
  | 'missing_variable'
  /** the data breaks the template's schema, or holds a value a helper cannot use */
  | 'invalid_data'
  /** the rendered markup is malformed (a table row with too few cells, an unknown directive) */
  | 'template_markup'
  /** the template places a signer who was not given, or the signers given are malformed */
  | 'invalid_signers';

export interface TemplateErrorDetail {
  /** JSON pointer into the data (`/supplier/name`), or the variable as written when it has no place in the data */
  path: string;
  message: string;
  /** line of template.hbs (template errors) or of the rendered markup (markup errors) */
  line?: number;
  column?: number;
}

export class TemplateError extends Error {
  readonly code: TemplateErrorCode;
  readonly template: string;
  readonly details: TemplateErrorDetail[];

  constructor(code: TemplateErrorCode, template: string, message: string, details: TemplateErrorDetail[] = []) {
    super(`${template}: ${message}`);
    this.name = 'TemplateError';
    this.code = code;
    this.template = template;
    this.details = details;
  }
}

/** A problem found when checking a template source, e.g. an upload. */
export interface TemplateIssue extends TemplateErrorDetail {
  code: TemplateErrorCode;
}
