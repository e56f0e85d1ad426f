// Values in a flow are literals or JSONata expressions over the contract data ("=amount").
import jsonata from 'jsonata';

export class ExpressionError extends Error {
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
  }
}

export function isExpression(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('=');
}

/** Evaluates `=expr` against the data; any other value is returned as it is. */
export async function evaluate(value: string, data: Record<string, unknown>, path: string): Promise<unknown> {
  if (!isExpression(value)) return value;
  try {
    return await jsonata(value.slice(1)).evaluate(data);
  } catch (error) {
    throw new ExpressionError(path, `expression ${value} failed: ${(error as Error).message}`);
  }
}
