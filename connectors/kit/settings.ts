// Connector settings: validated against the connector's schema, secrets kept apart so the
// store can encrypt them and the API never returns them.
import { Type, type SchemaOptions, type TSchema, type TString } from '@sinclair/typebox';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { toIssues, type ValidationIssue } from '../../flows';
import { checkOutbound } from '../../config';
import { ConnectorError, messageOf } from './errors';
import { destinationFields, secretFields, type AnyConnector, type ValidationOutcome } from './define';

/** A secret setting: encrypted at rest, accepted on write, never serialized back (`writeOnly`). */
export function Secret(options: SchemaOptions = {}): TString {
  return Type.String({ minLength: 1, ...options, writeOnly: true });
}

/** A URL setting (http or https). */
export function Url(options: SchemaOptions = {}): TString {
  return Type.String({ format: 'uri', pattern: '^https?://', ...options });
}

// ajv-formats ships as CommonJS; under ESM its default export is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as typeof addFormatsModule;
let ajv: Ajv | undefined;
const validators = new WeakMap<TSchema, ValidateFunction>();

function validatorFor(schema: TSchema): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    ajv ??= (() => {
      const instance = new Ajv({ allErrors: true, strict: false, useDefaults: true });
      addFormats(instance);
      return instance;
    })();
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  return validate;
}

/** Checks settings against the connector's schema (fills defaults in place); issues carry JSON paths. */
export function validateSettings(connector: AnyConnector, settings: unknown): { ok: true } | { ok: false; issues: ValidationIssue[] } {
  const validate = validatorFor(connector.auth.schema);
  return validate(settings) ? { ok: true } : { ok: false, issues: toIssues(validate.errors, '/settings') };
}

/**
 * The settings check the designer's "Test connection" button calls: the schema first,
 * then the connector's live check. Never throws.
 */
export async function checkSettings(connector: AnyConnector, settings: unknown): Promise<ValidationOutcome> {
  const shape = validateSettings(connector, settings);
  if (!shape.ok) return { valid: false, error: shape.issues.map((i) => `${i.path} ${i.message}`).join('; ') };
  if (!connector.auth.check) return { valid: true };
  try {
    return await connector.auth.check(settings as never);
  } catch (error) {
    return { valid: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Splits settings into what may be stored and shown as is, and the secrets to encrypt. */
export function splitSecrets(connector: AnyConnector, settings: Record<string, unknown>): { plain: Record<string, unknown>; secrets: Record<string, string> } {
  const secretNames = new Set(secretFields(connector.auth.schema));
  const plain: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  for (const [name, value] of Object.entries(settings)) {
    if (secretNames.has(name)) {
      if (typeof value === 'string') secrets[name] = value;
    } else plain[name] = value;
  }
  return { plain, secrets };
}

/** Settings as the API may return them: secrets left out, only whether each is set. */
export function publicSettings(connector: AnyConnector, settings: Record<string, unknown>): { settings: Record<string, unknown>; secretsSet: string[] } {
  const { plain, secrets } = splitSecrets(connector, settings);
  return { settings: plain, secretsSet: Object.keys(secrets).sort() };
}

/**
 * The URL settings whose hosts SEALFLOW_OUTBOUND_ALLOW does not allow, as issues with their
 * paths (empty when there is no list). Checked when an instance is saved and every time it is
 * opened to call its system, so a list tightened later holds for instances saved before.
 */
export function refusedDestinations(connector: AnyConnector, settings: Record<string, unknown>): Array<{ path: string; message: string }> {
  const issues: Array<{ path: string; message: string }> = [];
  for (const name of destinationFields(connector.auth.schema)) {
    const value = settings[name];
    if (typeof value !== 'string' || !value) continue;
    try {
      checkOutbound(value, `setting ${name}`);
    } catch (error) {
      issues.push({ path: `/settings/${name}`, message: messageOf(error) });
    }
  }
  return issues;
}

/** Throws ConnectorError('outbound_refused', not retryable) when a URL setting points at a host that is not allowed. */
export function assertDestinationsAllowed(connector: AnyConnector, settings: Record<string, unknown>): void {
  const refused = refusedDestinations(connector, settings);
  if (refused.length) throw new ConnectorError('outbound_refused', refused.map((r) => r.message).join('; '), { retryable: false });
}
