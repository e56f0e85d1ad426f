// The data fields an expression can name: paths from the flow's `data` JSON Schema and
// from the sample record, nested with dots. Arrays add no index: JSONata maps a path over
// an array's items (`items.quantity` is every item's quantity).

export interface DataField {
  /** Dotted path, e.g. `supplier.name`. */
  path: string;
  /** JSON type, from the schema or else from the sample value. */
  type?: string;
  /** The schema's title or description, when it has one. */
  info?: string;
}

const MAX_DEPTH = 8;
const MAX_FIELDS = 2_000;

type Schema = { type?: unknown; properties?: Record<string, Schema>; items?: Schema | Schema[]; title?: string; description?: string; anyOf?: Schema[]; oneOf?: Schema[]; allOf?: Schema[] };

/** Names that JSONata reads without backquotes. */
const plainName = (name: string) => /^[\p{L}_][\p{L}\p{N}_]*$/u.test(name);
const step = (prefix: string, name: string) => (prefix ? prefix + '.' : '') + (plainName(name) ? name : '`' + name.replace(/`/g, '') + '`');

function typeOf(schema: Schema): string | undefined {
  if (typeof schema.type === 'string') return schema.type;
  if (Array.isArray(schema.type)) return schema.type.filter((t) => t !== 'null').join(' | ') || undefined;
  return undefined;
}

function fromSchema(schema: Schema | undefined, prefix: string, depth: number, out: Map<string, DataField>) {
  if (!schema || typeof schema !== 'object' || depth > MAX_DEPTH || out.size >= MAX_FIELDS) return;
  for (const part of [...(schema.allOf ?? []), ...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) fromSchema(part, prefix, depth + 1, out);
  if (schema.items) for (const item of Array.isArray(schema.items) ? schema.items : [schema.items]) fromSchema(item, prefix, depth + 1, out);
  for (const [name, sub] of Object.entries(schema.properties ?? {})) {
    const path = step(prefix, name);
    if (!out.has(path)) out.set(path, { path, type: typeOf(sub ?? {}), info: sub?.title ?? sub?.description });
    fromSchema(sub, path, depth + 1, out);
  }
}

const jsonType = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

function fromSample(value: unknown, prefix: string, depth: number, out: Map<string, DataField>) {
  if (depth > MAX_DEPTH || out.size >= MAX_FIELDS || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value.slice(0, 20)) fromSample(item, prefix, depth + 1, out);
    return;
  }
  for (const [name, sub] of Object.entries(value)) {
    const path = step(prefix, name);
    const known = out.get(path);
    if (!known) out.set(path, { path, type: jsonType(sub) });
    else if (!known.type) known.type = jsonType(sub);
    fromSample(sub, path, depth + 1, out);
  }
}

/** Every field path, schema first then sample, in document order. */
export function dataFields(schema: unknown, sample: unknown): DataField[] {
  const out = new Map<string, DataField>();
  fromSchema(schema as Schema | undefined, '', 0, out);
  fromSample(sample, '', 0, out);
  return [...out.values()];
}
