// A simulation of the flow being edited. A record tried on the flow as saved goes to the hub
// (POST /api/flows/:key/simulate), which checks it against the flow's data schema first; the
// page cannot check a data schema itself (its CSP forbids compiling one, see vite.config.ts).
// Anything else (an amount, unsaved edits) runs here with flows/'s simulateFlow, the code
// behind that route. An amount typed in replaces the amount expression (withAmount), so a
// what-if on the amount needs no record; the record, if any, still feeds the documents'
// `when` and the signers' names.
import { evaluate, ExpressionError, simulateFlow, validateContractData, type FlowDefinition, type Simulation, type ValidationIssue } from '../../../flows';
import { ApiError } from '../api';
import { withAmount } from './path';

export type SimulationOutcome =
  | { ok: true; simulation: Simulation; data: Record<string, unknown>; /** Who answered: the hub checked the record against the data schema, the page did not. */ by: 'hub' | 'page' }
  | { ok: false; issues: ValidationIssue[] };

export interface SimulationInput {
  /** Replaces the flow's amount expression when given. */
  amount?: number;
  /** Contract data; checked against the flow's data schema unless only the amount is tried. */
  data?: Record<string, unknown>;
}

/** `hub` simulates the saved flow on the hub; given only when the canvas shows the flow as saved. */
export async function simulate(flow: FlowDefinition, input: SimulationInput, hub?: (data: Record<string, unknown>) => Promise<Simulation>): Promise<SimulationOutcome> {
  if (hub && input.data !== undefined && input.amount === undefined) {
    try {
      return { ok: true, simulation: await hub(input.data), data: input.data, by: 'hub' };
    } catch (error) {
      if (error instanceof ApiError) return { ok: false, issues: error.details.length ? error.details : [{ path: '', message: error.message }] };
      throw error;
    }
  }
  let data = input.data ?? {};
  if (input.data !== undefined) {
    // a no-op in the page (see above), kept so the same call checks wherever flows/ can compile schemas
    const checked = validateContractData(flow, input.data);
    if (!checked.ok) return { ok: false, issues: checked.issues };
    data = checked.value;
  }
  try {
    const simulation = await simulateFlow(input.amount !== undefined ? withAmount(flow, input.amount) : flow, data);
    return { ok: true, simulation, data, by: 'page' };
  } catch (error) {
    if (error instanceof ExpressionError) return { ok: false, issues: [{ path: error.path, message: error.reason }] };
    return { ok: false, issues: [{ path: '', message: error instanceof Error ? error.message : String(error) }] };
  }
}

/** What a document's template gets, as the engine computes it (workflows/documents.ts): the contract data, or what the document's `data` expression makes of it. */
export async function documentVariables(flow: FlowDefinition, index: number, data: Record<string, unknown>): Promise<Record<string, unknown>> {
  const doc = flow.documents![index]!;
  if (!doc.data) return data;
  const variables = await evaluate(doc.data, data, `/documents/${index}/data`);
  if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) {
    throw new ExpressionError(`/documents/${index}/data`, `${doc.data} must give an object of template variables, gave ${JSON.stringify(variables) ?? 'nothing'}`);
  }
  return variables as Record<string, unknown>;
}
