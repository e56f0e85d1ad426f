// "Try the mapping": IT pastes a sample record and sees the data the flow would get, and
// which of the flow's schema rules that data breaks, before saving the instance.
import { ExpressionError, validateContractData, type FlowDefinition, type ValidationIssue } from '../../flows';
import { ConnectorError } from './errors';
import { compileMapping, MAPPING_PATH, type MappingFailure } from './mapping';

export type MappingPreview =
  | { ok: true; data: Record<string, unknown>; issues: [] }
  | { ok: false; data?: Record<string, unknown>; issues: ValidationIssue[]; mappingError?: MappingFailure & { message: string } };

export async function previewMapping({ mapping, sample, flow }: { mapping: string; sample: unknown; flow: FlowDefinition }): Promise<MappingPreview> {
  let data: Record<string, unknown>;
  try {
    data = await compileMapping(mapping).apply(sample, 'sample');
  } catch (error) {
    if (error instanceof ConnectorError && error.code === 'mapping_failed') {
      const failure = error.details as unknown as MappingFailure;
      // A mapping that never ends is not a finding about the sample: the request itself is refused (4xx, naming the path).
      if (failure.kind === 'budget') throw new ExpressionError(MAPPING_PATH, error.message, { kind: 'budget', problem: failure.reason });
      return { ok: false, issues: [{ path: MAPPING_PATH, message: error.message }], mappingError: { ...failure, message: error.message } };
    }
    throw error;
  }
  const checked = validateContractData(flow, data);
  return checked.ok ? { ok: true, data, issues: [] } : { ok: false, data, issues: checked.issues };
}
