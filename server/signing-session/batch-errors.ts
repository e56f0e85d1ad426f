// How a failure about one link becomes the answer to the whole request: as it is for one
// link, or named by its place (`/tokens/N`) in a batch.
import { AppError, type ErrorDetail } from '../errors';

export type Blame = (index: number, error: unknown) => never;

export const rethrow: Blame = (_index, error) => {
  throw error;
};

/** In a batch, a failure names the token it is about: `/tokens/N`. */
export function batchError(index: number, error: unknown, more: ErrorDetail[] = []): unknown {
  if (!(error instanceof AppError)) return error;
  const status = error.code === 'link_not_found' ? 400 : error.status;
  return new AppError(error.code, `/tokens/${index}: ${error.message}`, { status, details: [{ path: `/tokens/${index}`, message: error.message }, ...more, ...error.details] });
}

export const inBatch: Blame = (index, error) => {
  throw batchError(index, error);
};
