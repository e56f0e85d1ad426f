// Validation of flow definitions and of the contract data a flow receives.
// Every problem comes back with the JSON path (RFC 6901 pointer) of the value at fault,
// so the designer can point at the field and the API can return it as is.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { compileExpression, ExpressionError } from './expression';
import { isCompanyLevel, requiredIdentity } from './identity-levels';
import { FlowDefinitionSchema, type FlowDefinition } from './schema';

export interface ValidationIssue {
  path: string;
  message: string;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

// ajv-formats ships as CommonJS; under ESM its default export is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as typeof addFormatsModule;

function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv;
}

// Compiled on first use, so workflow code that only routes never generates validator code.
let flowAjv: Ajv | undefined;
let flowValidator: ValidateFunction | undefined;

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** ajv's errors as path + message, pointing at the missing or unexpected property itself. */
export function toIssues(errors: ErrorObject[] | null | undefined, prefix = ''): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors ?? []) {
    let path = prefix + error.instancePath;
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'required') {
      path += '/' + escapePointer(String(error.params.missingProperty));
      message = 'is required';
    } else if (error.keyword === 'additionalProperties') {
      path += '/' + escapePointer(String(error.params.additionalProperty));
      message = 'is not allowed here';
    } else if (error.keyword === 'enum') {
      message = `must be one of: ${(error.params.allowedValues as unknown[]).join(', ')}`;
    } else if (error.keyword === 'pattern' && error.parentSchema && typeof error.parentSchema === 'object' && 'description' in error.parentSchema) {
      message = `must be ${String(error.parentSchema.description)}`;
    }
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ path: path || '/', message });
  }
  return issues;
}

/** Checks what JSON Schema cannot say: tier order, expressions that parse, references that resolve. */
function semanticIssues(flow: FlowDefinition): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const expression = (path: string, value: string | undefined) => {
    if (!value?.startsWith('=')) return;
    try {
      compileExpression(value.slice(1), path);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      issues.push({ path, message: error.reason });
    }
  };

  expression('/approval/amount', flow.approval.amount);
  expression('/title', flow.title);
  expression('/archive/folder', flow.archive?.folder);
  expression('/archive/expiry/date', flow.archive?.expiry?.date);

  const tiers = flow.approval.tiers;
  let previous: number | undefined;
  tiers.forEach((tier, index) => {
    if (tier.upTo === undefined) {
      if (index < tiers.length - 1) issues.push({ path: `/approval/tiers/${index}/upTo`, message: 'is required on every tier but the last' });
      return;
    }
    if (previous !== undefined && tier.upTo <= previous) {
      issues.push({ path: `/approval/tiers/${index}/upTo`, message: `must be greater than the previous tier's upTo (${previous})` });
    }
    previous = tier.upTo;
  });

  const checkTimeoutPolicy = (path: string, policy: { timeout?: string; onTimeout?: string; escalateTo?: string[] }, inherited: { timeout?: string }) => {
    if (policy.onTimeout && !policy.timeout && !inherited.timeout) issues.push({ path: `${path}/timeout`, message: 'is required when onTimeout is set' });
    if (policy.onTimeout === 'escalate' && !policy.escalateTo) issues.push({ path: `${path}/escalateTo`, message: 'is required when onTimeout is "escalate"' });
  };
  checkTimeoutPolicy('/approval', flow.approval, {});
  tiers.forEach((tier, t) =>
    tier.steps.forEach((step, s) => {
      const path = `/approval/tiers/${t}/steps/${s}`;
      checkTimeoutPolicy(path, { ...step, escalateTo: step.escalateTo ?? (step.onTimeout ? undefined : flow.approval.escalateTo) }, flow.approval);
      if (new Set(step.approvers).size !== step.approvers.length) issues.push({ path: `${path}/approvers`, message: 'must not name the same approver twice' });
    }),
  );

  const documentIds = new Set<string>();
  (flow.documents ?? []).forEach((doc, index) => {
    if (documentIds.has(doc.id)) issues.push({ path: `/documents/${index}/id`, message: `duplicates document id "${doc.id}"` });
    documentIds.add(doc.id);
    expression(`/documents/${index}/title`, doc.title);
    expression(`/documents/${index}/when`, doc.when);
    expression(`/documents/${index}/data`, doc.data);
  });
  const signerIds = new Set<string>();
  (flow.signers ?? []).forEach((signer, index) => {
    if (signerIds.has(signer.id)) issues.push({ path: `/signers/${index}/id`, message: `duplicates signer id "${signer.id}"` });
    signerIds.add(signer.id);
    expression(`/signers/${index}/name`, signer.name);
    expression(`/signers/${index}/contact/email`, signer.contact?.email);
    expression(`/signers/${index}/contact/mobile`, signer.contact?.mobile);
    expression(`/signers/${index}/creditCode`, signer.creditCode);
    expression(`/signers/${index}/idNumber`, signer.idNumber);
    const level = requiredIdentity(signer);
    if (level && (signer.party === 'company') !== isCompanyLevel(level)) {
      issues.push({ path: `/signers/${index}/${signer.identity ? 'identity' : 'verify'}`, message: `"${level}" verifies a ${isCompanyLevel(level) ? 'company' : 'person'}, but this signer is a ${signer.party}` });
    }
    signer.documents.forEach((doc, d) => {
      if (!documentIds.has(doc)) issues.push({ path: `/signers/${index}/documents/${d}`, message: `names document "${doc}", which the flow does not define` });
    });
  });
  (flow.documents ?? []).forEach((doc, index) => {
    for (const [role, signer] of Object.entries(doc.roles ?? {})) {
      if (!signerIds.has(signer)) issues.push({ path: `/documents/${index}/roles/${role}`, message: `names signer "${signer}", which the flow does not define` });
    }
  });

  if (flow.data) {
    try {
      compileDataSchema(flow.data);
    } catch (error) {
      issues.push({ path: '/data', message: `is not a usable JSON Schema: ${(error as Error).message}` });
    }
  }
  return issues;
}

/** Validates a flow definition: the JSON Schema first, then the rules between fields. */
export function validateFlow(input: unknown): ValidationResult<FlowDefinition> {
  flowAjv ??= createAjv();
  flowValidator ??= flowAjv.compile(FlowDefinitionSchema);
  if (!flowValidator(input)) return { ok: false, issues: toIssues(flowValidator.errors) };
  const flow = input as FlowDefinition;
  const issues = semanticIssues(flow);
  return issues.length ? { ok: false, issues } : { ok: true, value: flow };
}

// Data schemas are compiled once per schema; a small cache keyed by the schema text.
const dataValidators = new Map<string, ValidateFunction>();

/**
 * Compiles a schema written by a flow designer or a template author. Each gets an Ajv of its
 * own: ajv registers every `$id` it compiles, so on a shared instance a schema with its own
 * `$id` (or one that names the flow schema's) fails the second time it is compiled.
 */
function compileDataSchema(schema: object): ValidateFunction {
  return createAjv().compile(schema);
}

/** Validates data against any JSON Schema (a flow's `data`, a template's variables); paths start at `prefix`. */
export function validateAgainstSchema(schema: object, data: unknown, prefix: string): ValidationIssue[] {
  const key = JSON.stringify(schema);
  let validate = dataValidators.get(key);
  if (!validate) {
    validate = compileDataSchema(schema);
    if (dataValidators.size > 500) dataValidators.clear();
    dataValidators.set(key, validate);
  }
  return validate(data) ? [] : toIssues(validate.errors, prefix);
}

/** Validates contract data against the flow's `data` schema; paths start at `/data`. */
export function validateContractData(flow: FlowDefinition, data: unknown): ValidationResult<Record<string, unknown>> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ok: false, issues: [{ path: '/data', message: 'must be an object' }] };
  const issues = flow.data ? validateAgainstSchema(flow.data, data, '/data') : [];
  return issues.length ? { ok: false, issues } : { ok: true, value: data as Record<string, unknown> };
}
