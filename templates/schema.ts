// A template's variables are described by a JSON Schema; data that breaks it is refused
// before rendering, each problem with the JSON pointer of the value at fault.
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { toIssues } from '../flows';

/** A JSON Schema document (draft-07 / 2019-09 keywords as ajv reads them). */
export type JsonSchema = { [keyword: string]: unknown };

export interface DataIssue {
  path: string;
  message: string;
}

export type DataValidator = (data: unknown) => DataIssue[];

// ajv-formats ships as CommonJS; under ESM its default export is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as typeof addFormatsModule;

/**
 * Compiles a template's schema. Each schema gets its own ajv instance: ajv keeps every
 * schema it compiled, and uploaded templates must not accumulate in a shared one.
 * Throws ajv's error when the schema itself is invalid.
 */
export function compileSchema(schema: JsonSchema): DataValidator {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  // The flow language's error shape: JSON pointers to the property at fault, one message each.
  return (data) => (validate(data) ? [] : toIssues(validate.errors));
}
