// Edm.Decimal arrives as a string ("1004.149") and must stay exact: an order total summed
// in floating point drifts by fractions of a cent. Fixed-point with BigInt, no dependency.

interface Fixed { units: bigint; scale: number }

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;

function parse(value: string | number): Fixed {
  const text = typeof value === 'number' ? String(value) : value.trim();
  const match = DECIMAL.exec(text);
  if (!match) throw new TypeError(`not a decimal: ${JSON.stringify(value)}`);
  const fraction = match[3] ?? '';
  const units = BigInt(match[2] + fraction) * (match[1] === '-' ? -1n : 1n);
  return { units, scale: fraction.length };
}

function rescale(value: Fixed, scale: number): bigint {
  return value.units * 10n ** BigInt(scale - value.scale);
}

function format({ units, scale }: Fixed): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** Rounds half away from zero to `scale` places. */
function round(value: Fixed, scale: number): Fixed {
  if (value.scale <= scale) return { units: rescale(value, scale), scale };
  const divisor = 10n ** BigInt(value.scale - scale);
  const negative = value.units < 0n;
  const magnitude = negative ? -value.units : value.units;
  let quotient = magnitude / divisor;
  if ((magnitude % divisor) * 2n >= divisor) quotient += 1n;
  return { units: negative ? -quotient : quotient, scale };
}

/** `isDecimal("1004.149")` → true. */
export function isDecimal(value: unknown): value is string {
  return typeof value === 'string' && DECIMAL.test(value.trim());
}

/** Sum of decimals, exact. */
export function sumDecimals(values: Array<string | number>, scale = 2): string {
  let total: Fixed = { units: 0n, scale: 0 };
  for (const value of values) {
    const next = parse(value);
    const common = Math.max(total.scale, next.scale);
    total = { units: rescale(total, common) + rescale(next, common), scale: common };
  }
  return format(round(total, scale));
}

/** quantity × price ÷ priceUnit, rounded to `scale` places (half away from zero). */
export function lineAmount(quantity: string | number, price: string | number, priceUnit: string | number = '1', scale = 2): string {
  const q = parse(quantity);
  const p = parse(price);
  const unit = parse(priceUnit);
  if (unit.units === 0n) throw new RangeError('price unit is zero');
  // Work at a generous scale, then round once.
  const work = 12;
  const product: Fixed = { units: q.units * p.units, scale: q.scale + p.scale };
  const numerator = rescale(product, work + unit.scale);
  return format(round({ units: numerator / unit.units, scale: work }, scale));
}
