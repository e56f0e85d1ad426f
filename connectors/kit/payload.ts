// Checks an inbound payload against its JSON Schema; a mismatch is invalid_payload (→ 400)
// with the JSON path of every problem, so the sending system's admin can fix it.
import type { Static, TSchema } from '@sinclair/typebox';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { toIssues } from '../../flows';
import { ConnectorError } from './errors';

const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as typeof addFormatsModule;
let ajv: Ajv | undefined;
const validators = new WeakMap<TSchema, ValidateFunction>();

export function parsePayload<T extends TSchema>(schema: T, payload: unknown, what: string): Static<T> {
  let validate = validators.get(schema);
  if (!validate) {
    ajv ??= (() => {
      const instance = new Ajv({ allErrors: true, strict: false });
      addFormats(instance);
      return instance;
    })();
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  if (validate(payload)) return payload as Static<T>;
  const issues = toIssues(validate.errors);
  throw new ConnectorError('invalid_payload', `${what}: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, { retryable: false, details: { issues } });
}
