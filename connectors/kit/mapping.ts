// Mappings are JSONata expressions from a source record to a flow's `data`. An expression
// is compiled once per instance; a failure names the expression, where in it, and which
// record, because the person fixing it is IT looking at the designer, not a stack trace.
// Mappings are evaluated like every flow expression, under the flows' EXPRESSION_LIMITS.
import { compileExpression, ExpressionError, type BoundedExpression, type ExpressionFailure } from '../../flows';
import { ConnectorError } from './errors';

/** Where a connector instance keeps its mapping: the JSON path a mapping failure names. */
export const MAPPING_PATH = '/mapping';

export interface MappingFailure {
  /** The whole mapping expression. */
  expression: string;
  /** Character offset in the expression, when JSONata knows it. */
  position?: number;
  /** The token JSONata stumbled on, when it knows it. */
  token?: string;
  /** The record being mapped (its source key), absent when the expression does not even parse. */
  sourceKey?: string;
  reason: string;
  /** `budget` when the expression ran out of its evaluation budget (a loop that never ends), `invalid` when it does not parse. */
  kind?: ExpressionFailure;
}

export interface CompiledMapping {
  readonly expression: string;
  /** Maps one record; throws ConnectorError('mapping_failed') naming expression and record. */
  apply(record: unknown, sourceKey?: string): Promise<Record<string, unknown>>;
}

const excerpt = (expression: string) => (expression.length > 160 ? expression.slice(0, 157) + '...' : expression);

function mappingError(failure: MappingFailure): ConnectorError {
  const where = failure.position !== undefined ? ` at position ${failure.position}${failure.token ? ` (near "${failure.token}")` : ''}` : '';
  const record = failure.sourceKey !== undefined ? ` for record ${failure.sourceKey}` : '';
  return new ConnectorError('mapping_failed', `Mapping expression \`${excerpt(failure.expression)}\` failed${record}${where}: ${failure.reason}`, {
    // The same record and expression fail the same way every time: no point retrying.
    retryable: false,
    details: { ...failure },
  });
}

/** Compiles a mapping; a syntax error comes back as ConnectorError('mapping_failed'). */
export function compileMapping(expression: string): CompiledMapping {
  let compiled: BoundedExpression;
  try {
    compiled = compileExpression(expression, MAPPING_PATH);
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    throw mappingError({ expression, position: error.position, token: error.token, reason: error.problem, kind: error.kind });
  }
  return {
    expression,
    async apply(record, sourceKey) {
      let result: unknown;
      try {
        result = await compiled.evaluate(record);
      } catch (error) {
        if (!(error instanceof ExpressionError)) throw error;
        throw mappingError({ expression, sourceKey, position: error.position, token: error.token, reason: error.problem, kind: error.kind });
      }
      if (typeof result !== 'object' || result === null || Array.isArray(result)) {
        const got = result === undefined ? 'nothing' : Array.isArray(result) ? 'an array' : typeof result === 'object' ? 'null' : `a ${typeof result}`;
        throw mappingError({ expression, sourceKey, reason: `must produce an object (the flow's data), produced ${got}` });
      }
      // JSONata results carry internal markers (e.g. `sequence`); plain JSON is what a contract stores.
      return JSON.parse(JSON.stringify(result)) as Record<string, unknown>;
    },
  };
}
