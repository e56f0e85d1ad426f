// SAP's OData V2 value formats, exactly. Pure functions, used on values that arrive raw
// (business events, the benchmark's baseline) and on what the cds client hands over.

const V2_DATE = /^\/Date\((-?\d+)(?:([+-])(\d{4}))?\)\/$/;

/**
 * `/Date(1709280001000)/` (Edm.DateTime) or `/Date(1709280001000+0000)/`
 * (Edm.DateTimeOffset) → ISO 8601 in UTC. The number is milliseconds since the epoch in
 * UTC; the offset (minutes) only says which zone the value was entered in, as SAP's own
 * clients (UI5, Cloud SDK) read it. ISO strings (what cds hands over) pass through.
 */
export function parseODataDateTime(value: string): string {
  const match = V2_DATE.exec(value);
  if (match) return new Date(Number(match[1])).toISOString();
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw new TypeError(`not an OData V2 date/time: ${JSON.stringify(value)}`);
  return new Date(parsed).toISOString();
}

/** Edm.DateTime with sap:display-format="Date" (`/Date(1709164800000)/`) → `2024-02-29`. */
export function parseODataDate(value: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  return parseODataDateTime(value).slice(0, 10);
}

/** The literal for an Edm.DateTimeOffset in `$filter`: `datetimeoffset'2024-03-01T08:00:00.000Z'`. */
export function dateTimeOffsetLiteral(iso: string): string {
  return `datetimeoffset'${new Date(iso).toISOString()}'`;
}

/** A string literal in a URL: single quotes doubled, as OData requires. */
export function stringLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * The key predicate of an entity: `('4500000001')` for one key,
 * `(PurchaseOrder='4500000001',PurchaseOrderItem='00010')` for several; URL-encoded.
 */
export function keyPredicate(keys: Record<string, string>): string {
  const entries = Object.entries(keys);
  if (entries.length === 1) return `(${encodeURIComponent(stringLiteral(entries[0][1]))})`;
  return `(${entries.map(([name, value]) => `${name}=${encodeURIComponent(stringLiteral(value))}`).join(',')})`;
}
