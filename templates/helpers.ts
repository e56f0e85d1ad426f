// The helpers a template may call. Each is a pure function of its arguments; a value it
// cannot use is a HelperInputError, which the renderer reports as invalid data at the
// template line that called it.
import { AmountError, centsToDecimal, formatMoney, formatPrice, formatQuantity, lineTotalCents, percentOfCents, toCents, type DecimalInput } from './amounts';
import { amountInWords } from './numerals';

export class HelperInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HelperInputError';
  }
}

function decimalInput(helper: string, value: unknown): DecimalInput {
  if (typeof value === 'number' || typeof value === 'string') return value;
  throw new HelperInputError(`${helper} needs a number, got ${JSON.stringify(value) ?? 'nothing'}`);
}

function amounts<T>(helper: string, compute: () => T): T {
  try {
    return compute();
  } catch (error) {
    if (error instanceof AmountError) throw new HelperInputError(`${helper}: ${error.message}`);
    throw error;
  }
}

const SMALL_DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

function chineseCount(value: number): string {
  if (value === 2) return '两';
  if (value < 10) return SMALL_DIGITS[value];
  const tens = Math.floor(value / 10);
  const ones = value % 10;
  return `${tens === 1 ? '' : SMALL_DIGITS[tens]}十${ones ? SMALL_DIGITS[ones] : ''}`;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$/;

/** Helpers by name, called with the template's arguments (without Handlebars' options). */
export const TEMPLATE_HELPERS = {
  /** 1234567.8 → 1,234,567.80 */
  money: (value: unknown) => amounts('money', () => formatMoney(decimalInput('money', value))),
  /** a unit price with the decimals it has, at least two: 0.0035 → 0.0035, 38.5 → 38.50 */
  price: (value: unknown) => amounts('price', () => formatPrice(decimalInput('price', value))),
  /** 123456.78 → 壹拾贰万叁仟肆佰伍拾陆元柒角捌分 (大写金额) */
  amountInWords: (value: unknown) => amounts('amountInWords', () => amountInWords(decimalInput('amountInWords', value))),
  /** a quantity as written, with thousands separators: 1200.50 → 1,200.5 */
  quantity: (value: unknown) => amounts('quantity', () => formatQuantity(decimalInput('quantity', value))),
  /** quantity × unit price to the cent, as a decimal string for money / amountInWords */
  lineTotal: (quantity: unknown, unitPrice: unknown) =>
    amounts('lineTotal', () => centsToDecimal(lineTotalCents(decimalInput('lineTotal', quantity), decimalInput('lineTotal', unitPrice)))),
  /** Σ item[quantityKey] × item[priceKey] over a list, each line rounded to the cent first (as the table shows it) */
  sumLines: (items: unknown, quantityKey: unknown, priceKey: unknown) =>
    amounts('sumLines', () => {
      if (!Array.isArray(items)) throw new HelperInputError(`sumLines needs a list, got ${JSON.stringify(items) ?? 'nothing'}`);
      if (typeof quantityKey !== 'string' || typeof priceKey !== 'string') throw new HelperInputError('sumLines needs the names of the quantity and price fields, e.g. (sumLines items "quantity" "unitPrice")');
      let total = 0n;
      items.forEach((item: Record<string, unknown>, index) => {
        const where = `sumLines item ${index + 1}`;
        total += lineTotalCents(decimalInput(where, item?.[quantityKey]), decimalInput(where, item?.[priceKey]));
      });
      return centsToDecimal(total);
    }),
  /** Σ item[key] over a list, to the cent */
  sum: (items: unknown, key: unknown) =>
    amounts('sum', () => {
      if (!Array.isArray(items) || typeof key !== 'string') throw new HelperInputError('sum needs a list and a field name, e.g. (sum items "amount")');
      return centsToDecimal(items.reduce((total: bigint, item: Record<string, unknown>) => total + toCents(decimalInput('sum', item?.[key])), 0n));
    }),
  /** amount × percent / 100, to the cent: (percentOf total 30) is 30 % of total */
  percentOf: (amount: unknown, percent: unknown) =>
    amounts('percentOf', () => centsToDecimal(percentOfCents(decimalInput('percentOf', amount), decimalInput('percentOf', percent)))),
  /** "2025-03-01" → 2025年3月1日 */
  date: (value: unknown) => {
    const match = typeof value === 'string' ? ISO_DATE.exec(value) : null;
    if (!match) throw new HelperInputError(`date needs a date like 2025-03-01, got ${JSON.stringify(value) ?? 'nothing'}`);
    return `${match[1]}年${Number(match[2])}月${Number(match[3])}日`;
  },
  /** a small count in Chinese, as contracts write them: 2 → 两 (一式两份), 12 → 十二, 30 → 三十 */
  chineseCount: (value: unknown) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 99) throw new HelperInputError(`chineseCount needs a whole number from 0 to 99, got ${JSON.stringify(value) ?? 'nothing'}`);
    return chineseCount(value);
  },
  /** a + b, for numbering from 1: (add @index 1) */
  add: (a: unknown, b: unknown) => {
    if (typeof a !== 'number' || typeof b !== 'number') throw new HelperInputError(`add needs two numbers, got ${JSON.stringify(a)} and ${JSON.stringify(b)}`);
    return a + b;
  },
  /** a === b, for {{#if (eq party "person")}} */
  eq: (a: unknown, b: unknown) => a === b,
} satisfies Record<string, (...args: never[]) => unknown>;

export type TemplateHelperName = keyof typeof TEMPLATE_HELPERS;
