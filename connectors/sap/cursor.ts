// The SAP delta cursor. LastChangeDateTime has 100 ns precision in SAP but travels as
// milliseconds in OData V2, so "greater than the last value seen" would re-read (or, with
// ties, skip) orders changed within the same millisecond. The cursor therefore keeps the
// millisecond it reached plus the orders already handled within it; the next read asks
// for `LastChangeDateTime ge <that millisecond>` and passes over those orders.

export interface DeltaCursor {
  /** ISO timestamp, whole milliseconds. */
  changedAt: string;
  /** Purchase orders with LastChangeDateTime within `changedAt`'s millisecond, already handled. */
  handled: string[];
}

export function encodeCursor(cursor: DeltaCursor): string {
  return JSON.stringify({ v: 1, changedAt: cursor.changedAt, handled: cursor.handled });
}

export function decodeCursor(text: string | null, initial: string): DeltaCursor {
  if (text === null) return { changedAt: new Date(initial).toISOString(), handled: [] };
  const parsed = JSON.parse(text) as { v?: number; changedAt?: string; handled?: string[] };
  if (parsed.v !== 1 || typeof parsed.changedAt !== 'string' || !Array.isArray(parsed.handled)) throw new TypeError(`not an SAP delta cursor: ${text}`);
  return { changedAt: parsed.changedAt, handled: parsed.handled };
}

/** The cursor after handling an order last changed at `changedAt`. */
export function advance(cursor: DeltaCursor, purchaseOrder: string, changedAt: string): DeltaCursor {
  const millisecond = new Date(changedAt).toISOString();
  if (millisecond === cursor.changedAt) return { changedAt: millisecond, handled: [...cursor.handled, purchaseOrder] };
  return { changedAt: millisecond, handled: [purchaseOrder] };
}

export function alreadyHandled(cursor: DeltaCursor, purchaseOrder: string, changedAt: string): boolean {
  return new Date(changedAt).toISOString() === cursor.changedAt && cursor.handled.includes(purchaseOrder);
}
