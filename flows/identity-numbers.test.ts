import { describe, expect, it } from 'vitest';
import { creditCodeCheckCharacterOf, idNumberCheckDigitOf, isValidCreditCode, isValidIdNumber } from './identity-numbers';

describe('GB 11643 resident ID numbers', () => {
  it('computes the check digit of the standard example and accepts the whole number', () => {
    // The example of GB 11643-1999 itself: 11010519491231002X.
    expect(idNumberCheckDigitOf('11010519491231002')).toBe('X');
    expect(isValidIdNumber('11010519491231002X')).toBe(true);
    expect(isValidIdNumber(' 11010519491231002x ')).toBe(true);
  });

  it('refuses a wrong check digit, a day that does not exist, 15-digit numbers and other shapes', () => {
    expect(isValidIdNumber('110105194912310021')).toBe(false);
    expect(isValidIdNumber('110105194902300028')).toBe(false); // 30 February
    expect(isValidIdNumber('110105491231002')).toBe(false);
    expect(isValidIdNumber('11010519491231002Y')).toBe(false);
    expect(isValidIdNumber('')).toBe(false);
    expect(idNumberCheckDigitOf('1101051949123100')).toBeNull();
  });
});

describe('GB 32100 unified social credit codes', () => {
  it('computes the check character of a published code and refuses a changed one', () => {
    expect(creditCodeCheckCharacterOf('91350100M000100Y4')).toBe('3');
    expect(isValidCreditCode('91350100M000100Y43')).toBe(true);
    expect(isValidCreditCode('91350100M000100Y44')).toBe(false);
  });

  it('answers null for characters outside the GB 32100 alphabet instead of throwing', () => {
    expect(creditCodeCheckCharacterOf('91350100I000100Y4')).toBeNull();
    expect(isValidCreditCode('91350100I000100Y43')).toBe(false);
  });
});
