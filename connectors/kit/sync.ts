// The kit's half of every connector: read items since a cursor, map each one, start its
// contract idempotently, report changes to contracts already started, and move the
// cursor only past items that are fully handled. A connector only fetches.
//
// Crash safety: the cursor moves past an item only after its start returned (in source
// order, even when starts run in parallel), and every move is reported through
// `onCursor` so the caller can persist it (or heartbeat it from a Temporal activity).
// A crash therefore re-reads at most the items after the last reported cursor, and
// those starts are idempotent (same flow + sourceKey → same contract).
import type { AnyConnector, SourceItem } from './define';
import { ConnectorError, isRetryable, messageOf, type ConnectorErrorCode } from './errors';
import { compileMapping, type CompiledMapping } from './mapping';
import { validateSettings } from './settings';

export interface StartRequest {
  flow: string;
  sourceKey: string;
  data: Record<string, unknown>;
  /** The source record's version at start (e.g. SAP LastChangeDateTime); lets the timeline tell a real change from a re-read. */
  sourceVersion?: string;
  /** Connector instance that read the record. */
  instance: string;
}

/** Injected: the real idempotent contract start (same flow + sourceKey → same contract, created: false). */
export type StartContract = (request: StartRequest) => Promise<{ contractId: string; created: boolean }>;

/** A record whose contract already exists was read again: the source changed after the start. */
export interface SourceChange {
  instance: string;
  flow: string;
  sourceKey: string;
  contractId: string;
  version?: string;
  /** Idempotency key of this change event: record it once. */
  eventKey: string;
  /** The record mapped with the instance's mapping, as it is now. */
  data: Record<string, unknown>;
}

export type OnChange = (change: SourceChange) => Promise<void> | void;

export interface ItemError {
  sourceKey?: string;
  code: ConnectorErrorCode;
  message: string;
  retryable: boolean;
  details?: Record<string, unknown>;
}

export interface ItemTally {
  read: number;
  started: number;
  /** Records whose contract already existed, reported through onChange. */
  changed: number;
  /** Records the source marked as not starting anything, and records that failed for good (see errors). */
  skipped: number;
  errors: ItemError[];
}

export interface SyncResult extends ItemTally {
  /** Persist this; pass it to the next syncOnce. */
  cursor: string | null;
  /** True when the sync stopped early (maxItems or a retryable failure) and more may be waiting. */
  hasMore: boolean;
  /** The failure that stopped the sync, if any; `retryable` tells an activity whether to retry. */
  failure?: ItemError;
}

export interface SyncOptions {
  connector: AnyConnector;
  instance: { id: string; flow: string; mapping: string; settings: Record<string, unknown> };
  cursor: string | null;
  startContract: StartContract;
  onChange?: OnChange;
  /** Called whenever the cursor moves; persist it or heartbeat it. */
  onCursor?: (cursor: string | null) => Promise<void> | void;
  /** Stop after about this many items (the rest waits for the next sync). Default 10,000. */
  maxItems?: number;
  /** Starts in flight at once. Default 8. */
  concurrency?: number;
  signal?: AbortSignal;
}

export const DEFAULT_MAX_ITEMS = 10_000;
export const DEFAULT_CONCURRENCY = 8;

function toItemError(error: unknown, sourceKey?: string): ItemError {
  if (error instanceof ConnectorError) return { sourceKey, code: error.code, message: error.message, retryable: error.retryable, details: error.details };
  return { sourceKey, code: 'start_failed', message: messageOf(error), retryable: isRetryable(error) };
}

export interface ItemHandler {
  mapping: CompiledMapping;
  instance: string;
  flow: string;
  startContract: StartContract;
  onChange?: OnChange;
}

/** Maps and starts one item; returns what happened. Throws what the caller must decide about. */
export async function handleItem(handler: ItemHandler, item: SourceItem): Promise<'started' | 'changed' | 'skipped'> {
  if (item.skip) return 'skipped';
  const data = await handler.mapping.apply(item.record, item.sourceKey);
  const { contractId, created } = await handler.startContract({
    flow: handler.flow,
    sourceKey: item.sourceKey,
    data,
    sourceVersion: item.version,
    instance: handler.instance,
  });
  if (created) return 'started';
  await handler.onChange?.({
    instance: handler.instance,
    flow: handler.flow,
    sourceKey: item.sourceKey,
    contractId,
    version: item.version,
    eventKey: `${handler.instance}:${item.sourceKey}@${item.version ?? 'unversioned'}`,
    data,
  });
  return 'changed';
}

/**
 * Handles items with up to `concurrency` in flight. Items that fail for good (mapping,
 * rejected data) are counted, reported and passed; the first retryable failure stops new
 * work. `onHandled(n)` is called with the length of the handled prefix as it grows.
 */
export async function handleItems(
  handler: ItemHandler,
  items: SourceItem[],
  tally: ItemTally,
  options: { concurrency: number; onHandled?: (prefix: number) => Promise<void> | void; signal?: AbortSignal },
): Promise<{ handled: number; failure?: ItemError }> {
  const done = new Array<boolean>(items.length).fill(false);
  let next = 0;
  let prefix = 0;
  let failure: ItemError | undefined;
  let reporting = Promise.resolve();

  const worker = async () => {
    while (!failure && next < items.length) {
      if (options.signal?.aborted) {
        failure ??= { code: 'source_failed', message: 'sync aborted', retryable: true };
        return;
      }
      const index = next++;
      const item = items[index];
      try {
        const outcome = await handleItem(handler, item);
        tally[outcome]++;
      } catch (error) {
        const itemError = toItemError(error, item.sourceKey);
        if (itemError.retryable) {
          failure ??= itemError;
          return;
        }
        tally.errors.push(itemError);
        tally.skipped++;
      }
      done[index] = true;
      const before = prefix;
      while (prefix < items.length && done[prefix]) prefix++;
      if (prefix > before && options.onHandled) {
        const reached = prefix;
        // Serialized, so a persisted cursor never moves backwards.
        reporting = reporting.then(() => options.onHandled!(reached));
        await reporting;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, items.length)) }, worker));
  await reporting;
  return { handled: prefix, failure };
}

/** One sync of a polling connector instance: from `cursor` until the source has nothing more (or maxItems). */
export async function syncOnce(options: SyncOptions): Promise<SyncResult> {
  const { connector, instance, startContract, onChange, onCursor, signal } = options;
  const maxItems = options.maxItems ?? DEFAULT_MAX_ITEMS;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const result: SyncResult = { cursor: options.cursor, read: 0, started: 0, changed: 0, skipped: 0, errors: [], hasMore: false };
  const fail = (error: ItemError): SyncResult => {
    result.failure = error;
    result.errors.push(error);
    result.hasMore = true;
    return result;
  };

  const poll = connector.triggers.poll;
  if (!poll) return fail({ code: 'invalid_settings', message: `connector ${connector.id} cannot be polled`, retryable: false });
  const settingsCheck = validateSettings(connector, instance.settings);
  if (!settingsCheck.ok) {
    return fail({ code: 'invalid_settings', message: `settings of ${instance.id}: ${settingsCheck.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, retryable: false });
  }
  let mapping: CompiledMapping;
  try {
    mapping = compileMapping(instance.mapping);
  } catch (error) {
    return fail(toItemError(error));
  }
  const handler: ItemHandler = { mapping, instance: instance.id, flow: instance.flow, startContract, onChange };
  const ctx = { settings: instance.settings, signal };

  const moveCursor = async (cursor: string | null) => {
    if (cursor === result.cursor) return;
    result.cursor = cursor;
    await onCursor?.(cursor);
  };

  while (result.read < maxItems) {
    const from = result.cursor;
    let page;
    try {
      page = await poll.fetchSince(ctx, from);
    } catch (error) {
      return fail(toItemError(error));
    }
    result.read += page.items.length;
    const { handled, failure } = await handleItems(handler, page.items, result, {
      concurrency,
      signal,
      onHandled: (prefix) => {
        const cursor = page.items[prefix - 1].cursor;
        return cursor !== undefined ? moveCursor(cursor) : undefined;
      },
    });
    if (failure) return fail(failure);
    if (handled === page.items.length) await moveCursor(page.nextCursor);
    if (page.items.length === 0 || page.hasMore === false) return result;
    if (page.nextCursor === null || page.nextCursor === from) {
      // The same page would come back forever.
      return fail({ code: 'no_progress', message: `connector ${connector.id} returned items but its cursor did not move past them`, retryable: false });
    }
  }
  result.hasMore = true;
  return result;
}
