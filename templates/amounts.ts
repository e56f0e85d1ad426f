// Money in contracts is exact: amounts are carried as integer cents (bigint), never as
// binary floats, so a line total of 3 × 0.1 is 0.30 and a PO total matches the sum of its
// lines to the cent. Amounts arrive as JSON numbers or as decimal strings (SAP's OData V2
// sends Edm.Decimal as a string); both are accepted.

export type DecimalInput = number | string;

interface Decimal {
  /** all digits as one integer, sign included */
  units: bigint;
  /** how many of those digits are after the decimal point */
  scale: number;
}

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;

export class AmountError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AmountError';
  }
}

function parseDecimal(value: DecimalInput): Decimal {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new AmountError(`${value} is not an amount`);
    // Shortest round-trip form ("0.1", not 0.1000000000000000055…); exponent forms are
    // rare for money but expanded by toFixed so the regex below sees plain digits.
    text = /e/i.test(String(value)) ? value.toFixed(20).replace(/\.?0+$/, '') : String(value);
  } else if (typeof value === 'string') {
    text = value.trim().replace(/,/g, '');
  } else {
    throw new AmountError(`${JSON.stringify(value)} is not an amount`);
  }
  const match = DECIMAL.exec(text);
  if (!match) throw new AmountError(`"${String(value)}" is not an amount`);
  const [, sign, whole, fraction = ''] = match;
  const units = BigInt(whole + fraction) * (sign === '-' ? -1n : 1n);
  return { units, scale: fraction.length };
}

/** Rounds half away from zero, as Chinese accounting (四舍五入) does. */
function roundToScale(value: Decimal, scale: number): bigint {
  if (value.scale <= scale) return value.units * 10n ** BigInt(scale - value.scale);
  const divisor = 10n ** BigInt(value.scale - scale);
  const negative = value.units < 0n;
  const magnitude = negative ? -value.units : value.units;
  let quotient = magnitude / divisor;
  if ((magnitude % divisor) * 2n >= divisor) quotient += 1n;
  return negative ? -quotient : quotient;
}

/** The amount in cents (分), rounded half up. */
export function toCents(value: DecimalInput): bigint {
  return roundToScale(parseDecimal(value), 2);
}

/** quantity × unit price, rounded to the cent once (not per factor). */
export function lineTotalCents(quantity: DecimalInput, unitPrice: DecimalInput): bigint {
  const q = parseDecimal(quantity);
  const p = parseDecimal(unitPrice);
  return roundToScale({ units: q.units * p.units, scale: q.scale + p.scale }, 2);
}

/** percent % of amount, rounded to the cent once. */
export function percentOfCents(amount: DecimalInput, percent: DecimalInput): bigint {
  const a = parseDecimal(amount);
  const p = parseDecimal(percent);
  return roundToScale({ units: a.units * p.units, scale: a.scale + p.scale + 2 }, 2);
}

/** Cents as a plain decimal string ("123456.78"), the form helpers pass to each other. */
export function centsToDecimal(cents: bigint): string {
  const negative = cents < 0n;
  const digits = (negative ? -cents : cents).toString().padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** "1234567.8" → "1,234,567.80" */
export function formatMoney(value: DecimalInput): string {
  const [whole, fraction] = centsToDecimal(toCents(value)).split('.');
  const negative = whole.startsWith('-');
  const digits = negative ? whole.slice(1) : whole;
  return `${negative ? '-' : ''}${digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fraction}`;
}

/** A unit price: at least two decimals, more when the price has them (0.0035 stays 0.0035). */
export function formatPrice(value: DecimalInput): string {
  const { units, scale } = parseDecimal(value);
  if (scale <= 2) return formatMoney(value);
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '').padEnd(2, '0');
  return `${negative ? '-' : ''}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fraction}`;
}

/** A quantity as written, without float noise: 2.50 stays "2.5", 1e3 becomes "1000". */
export function formatQuantity(value: DecimalInput): string {
  const { units, scale } = parseDecimal(value);
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction ? '.' + fraction : ''}`;
}
