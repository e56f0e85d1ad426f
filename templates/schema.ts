// A template's variables are described by a JSON Schema; data that breaks it is refused
// before rendering, each problem with the JSON pointer of the value at fault.
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';

/** A JSON Schema document (draft-07 / 2019-09 keywords as ajv reads them). */
export type JsonSchema = { [keyword: string]: unknown };

export interface DataIssue {
  path: string;
  message: string;
}

export type DataValidator = (data: unknown) => DataIssue[];

// ajv-formats ships as CommonJS; under ESM its default export is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as typeof addFormatsModule;

function escapeSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function toIssues(errors: ErrorObject[] | null | undefined): DataIssue[] {
  const issues: DataIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors ?? []) {
    let path = error.instancePath;
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'required') {
      path += '/' + escapeSegment(String(error.params.missingProperty));
      message = 'is required';
    } else if (error.keyword === 'additionalProperties') {
      path += '/' + escapeSegment(String(error.params.additionalProperty));
      message = 'is not allowed here';
    } else if (error.keyword === 'enum') {
      message = `must be one of: ${(error.params.allowedValues as unknown[]).join(', ')}`;
    }
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ path: path || '/', message });
  }
  return issues;
}

/**
 * Compiles a template's schema. Each schema gets its own ajv instance: ajv keeps every
 * schema it compiled, and uploaded templates must not accumulate in a shared one.
 * Throws ajv's error when the schema itself is invalid.
 */
export function compileSchema(schema: JsonSchema): DataValidator {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  return (data) => (validate(data) ? [] : toIssues(validate.errors));
}
