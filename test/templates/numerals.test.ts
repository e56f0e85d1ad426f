import { describe, expect, it } from 'vitest';
import { amountInWords } from '../../templates/numerals';
import { formatMoney, formatPrice, formatQuantity, lineTotalCents, percentOfCents, toCents } from '../../templates/amounts';

describe('amountInWords (大写金额)', () => {
  it.each([
    [0, '零元整'],
    [0.5, '伍角整'],
    [0.05, '伍分'],
    [0.55, '伍角伍分'],
    [1, '壹元整'],
    [10, '壹拾元整'],
    [15, '壹拾伍元整'],
    [100, '壹佰元整'],
    [100.01, '壹佰元零壹分'],
    [100.1, '壹佰元壹角整'],
    [105, '壹佰零伍元整'],
    [1009, '壹仟零玖元整'],
    [1409.5, '壹仟肆佰零玖元伍角整'],
    [1680.32, '壹仟陆佰捌拾元叁角贰分'],
    [6007.14, '陆仟零柒元壹角肆分'],
    [16409.02, '壹万陆仟肆佰零玖元零贰分'],
    [325.04, '叁佰贰拾伍元零肆分'],
    [100010, '壹拾万零壹拾元整'],
    [107000.53, '壹拾万柒仟元伍角叁分'],
    [1000000, '壹佰万元整'],
    [1001000, '壹佰万壹仟元整'],
    [1000700, '壹佰万零柒佰元整'],
    [123456.78, '壹拾贰万叁仟肆佰伍拾陆元柒角捌分'],
    [100000000, '壹亿元整'],
    [100000001, '壹亿零壹元整'],
    [100010000, '壹亿零壹万元整'],
    [110000000, '壹亿壹仟万元整'],
    [1000001000, '壹拾亿零壹仟元整'],
    [999999999999.99, '玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分'],
  ])('%s → %s', (amount, words) => {
    expect(amountInWords(amount)).toBe(words);
  });

  it('reads decimal strings exactly, as SAP sends Edm.Decimal', () => {
    expect(amountInWords('123456.78')).toBe('壹拾贰万叁仟肆佰伍拾陆元柒角捌分');
    expect(amountInWords('1,000,000.00')).toBe('壹佰万元整');
  });

  it('rounds to the fen half up, without binary float surprises', () => {
    expect(amountInWords(0.285)).toBe('贰角玖分');
    expect(amountInWords('2.675')).toBe('贰元陆角捌分');
    expect(amountInWords(1.005)).toBe('壹元零壹分');
  });

  it('refuses negative amounts, amounts beyond 万亿 and what is not a number', () => {
    expect(() => amountInWords(-1)).toThrow(/negative/);
    expect(() => amountInWords(1e12)).toThrow(/万亿/);
    expect(() => amountInWords('12元')).toThrow(/not an amount/);
  });
});

describe('amounts', () => {
  it('multiplies quantity and unit price exactly and rounds once', () => {
    expect(lineTotalCents(3, '0.1')).toBe(30n);
    expect(lineTotalCents(500000, '0.012')).toBe(600000n);
    expect(lineTotalCents('2.5', '0.333')).toBe(83n);
    expect(toCents(0.1 + 0.2)).toBe(30n);
  });

  it('takes a percentage to the cent', () => {
    expect(percentOfCents('118460.00', 30)).toBe(3553800n);
    expect(percentOfCents('0.05', 50)).toBe(3n);
  });

  it('formats money, prices and quantities for a Chinese contract', () => {
    expect(formatMoney(1234567.8)).toBe('1,234,567.80');
    expect(formatMoney('0')).toBe('0.00');
    expect(formatPrice('0.0035')).toBe('0.0035');
    expect(formatPrice(38.5)).toBe('38.50');
    expect(formatPrice('1200.120')).toBe('1,200.12');
    expect(formatQuantity(800000)).toBe('800,000');
    expect(formatQuantity('2.50')).toBe('2.5');
  });
});
