// Canonical JSON for hashing: object keys sorted (UTF-16 code-unit order, as RFC 8785),
// no whitespace, numbers and strings as JSON.stringify writes them. For finite numbers
// and well-formed strings this is the RFC 8785 (JCS) form, so a verifier outside
// Sealflow can recompute the evidence chain with any JCS library.
export function canonicalJson(value: unknown): string {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return canonicalJson((value as { toJSON(): unknown }).toJSON()); // Dates become ISO strings, as in JSON
  }
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`canonical JSON has no form for ${value}`);
  if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol' || value === undefined) {
    throw new TypeError(`canonical JSON has no form for a ${typeof value}`);
  }
  return JSON.stringify(value);
}
