// Amounts in Chinese capital numerals (大写金额), as the People's Bank of China's rules
// for filling in bills and settlement vouchers (《正确填写票据和结算凭证的基本规定》) ask:
//  - 壹拾 is written in full (10 → 壹拾元整), never a bare 拾;
//  - one 零 stands for a run of zeros between non-zero digits (6007.14 → 陆仟零柒元壹角肆分),
//    also across the 万/亿 boundary (100010 → 壹拾万零壹拾元整);
//  - a zero 角 before a non-zero 分 is written 零 (325.04 → 叁佰贰拾伍元零肆分);
//  - where the rules allow 零 or nothing (元 digit zero before a non-zero 角: 1680.32), we
//    write nothing: 壹仟陆佰捌拾元叁角贰分;
//  - 整 follows an amount that ends at 元 or 角; an amount with 分 takes no 整;
//  - below one yuan there is no 零元: 0.5 → 伍角整, 0.05 → 伍分; zero is 零元整.
import { toCents, type DecimalInput, AmountError } from './amounts';

const DIGITS = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
const PLACES = ['', '拾', '佰', '仟'];
const GROUPS = ['', '万', '亿'];
/** 9999亿9999万9999元99分: beyond that a contract has bigger problems than its numerals. */
const MAX_CENTS = 10n ** 14n - 1n;

/** One group of up to four digits (0 < group < 10000), without the group's unit. */
function groupInWords(group: number): string {
  let words = '';
  let pendingZero = false;
  for (let place = 3; place >= 0; place--) {
    const digit = Math.floor(group / 10 ** place) % 10;
    if (digit === 0) {
      if (words) pendingZero = true;
      continue;
    }
    if (pendingZero) words += '零';
    pendingZero = false;
    words += DIGITS[digit] + PLACES[place];
  }
  return words;
}

function yuanInWords(yuan: bigint): string {
  const groups: number[] = [];
  for (let rest = yuan; rest > 0n; rest /= 10000n) groups.push(Number(rest % 10000n));
  let words = '';
  for (let index = groups.length - 1; index >= 0; index--) {
    const group = groups[index];
    if (group === 0) continue;
    // A group after a higher one that does not fill its thousands place, or that follows
    // an all-zero group, is preceded by zeros: they are read as one 零.
    const higherWritten = words !== '';
    const gapBefore = higherWritten && (group < 1000 || groups[index + 1] === 0);
    words += (gapBefore ? '零' : '') + groupInWords(group) + GROUPS[index];
  }
  return words;
}

/** 123456.78 → 壹拾贰万叁仟肆佰伍拾陆元柒角捌分; 1000000 → 壹佰万元整. */
export function amountInWords(amount: DecimalInput): string {
  const cents = toCents(amount);
  if (cents < 0n) throw new AmountError(`a negative amount (${String(amount)}) has no capital form`);
  if (cents > MAX_CENTS) throw new AmountError(`${String(amount)} is beyond 万亿`);
  const yuan = cents / 100n;
  const jiao = Number((cents / 10n) % 10n);
  const fen = Number(cents % 10n);

  if (cents === 0n) return '零元整';
  let words = yuan > 0n ? yuanInWords(yuan) + '元' : '';
  if (jiao > 0) words += DIGITS[jiao] + '角';
  else if (fen > 0 && yuan > 0n) words += '零';
  words += fen > 0 ? DIGITS[fen] + '分' : '整';
  return words;
}
