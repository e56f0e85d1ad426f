import { describe, expect, it } from 'vitest';
import { breakLines } from '../../templates/linebreak';

// Monospace stand-in: CJK characters are 1 wide, everything else 0.5.
const width = (char: string) => (/[\u3000-\u9fff\uff00-\uffef]/.test(char) ? 1 : 0.5);
const texts = (text: string, max: number) => breakLines(text, max, width).map((line) => line.text);

describe('breakLines', () => {
  it('breaks Chinese between any two characters', () => {
    expect(texts('甲方应按时支付货款', 4)).toEqual(['甲方应按', '时支付货', '款']);
  });

  it('breaks Latin text at spaces and drops the space at the break', () => {
    expect(texts('The Supplier shall deliver', 4)).toEqual(['The', 'Supplier', 'shall', 'deliver']);
    expect(texts('The Supplier shall deliver', 7)).toEqual(['The Supplier', 'shall deliver']);
  });

  it('keeps closing punctuation off the start of a line and opening punctuation off its end', () => {
    expect(texts('甲方乙方，丙方', 4)).toEqual(['甲方乙', '方，丙方']);
    for (const line of texts('甲方乙方，丙方（丁方）戊方。己方“庚方”辛', 4)) {
      expect(line).not.toMatch(/^[，。）”]/);
      expect(line).not.toMatch(/[（“]$/);
    }
  });

  it('never splits a number or a word, unless it is wider than the line', () => {
    expect(texts('金额 123,456.78 元', 6)).toEqual(['金额', '123,456.78', '元']);
    expect(texts('账号62148321056377', 4)).toEqual(['账号', '62148321', '056377']);
  });

  it('returns no line wider than the width it was given', () => {
    const text = '根据《中华人民共和国民法典》及其他有关法律、法规的规定，Party A (the "Buyer") and Party B agree: 甲乙双方经友好协商，订立本合同。';
    for (const max of [3, 5.5, 8, 13, 40]) {
      for (const line of breakLines(text, max, width)) expect(line.width).toBeLessThanOrEqual(max);
    }
  });

  it('keeps hard line breaks and empty lines', () => {
    expect(texts('上海市\n浦东新区', 10)).toEqual(['上海市', '浦东新区']);
    expect(texts('', 10)).toEqual(['']);
  });
});
