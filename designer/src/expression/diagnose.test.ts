// JSONata's parse errors become ranges in the field's text (its `=` included), where the
// user sees them underlined.
import { describe, expect, it } from 'vitest';
import { parseProblem } from './diagnose';

const at = (text: string) => {
  const p = parseProblem(text);
  return p && { range: text.slice(p.from, p.to), from: p.from, to: p.to, code: p.code };
};

describe('parse problems', () => {
  it('none for a valid expression or a literal', () => {
    expect(parseProblem('=supplier.name & " (" & poNumber & ")"')).toBeNull();
    expect(parseProblem('深圳市华强电子有限公司')).toBeNull();
  });

  it('marks the token JSONata stumbled on', () => {
    expect(at('=a ]')).toEqual({ range: ']', from: 3, to: 4, code: 'S0201' });
    expect(at('=1 +* 2')).toEqual({ range: '2', from: 6, to: 7, code: 'S0201' });
    expect(at('=a $$ b')).toMatchObject({ range: '$', code: 'S0201' });
  });

  it('marks the end when the expression stops too early', () => {
    expect(at('=supplier.name &')).toEqual({ range: '', from: 16, to: 16, code: 'S0207' });
    expect(at('=$sum(1, 2')).toMatchObject({ from: 10, to: 10, code: 'S0203' });
  });

  it('marks an unterminated string or comment from its start', () => {
    expect(at('=name & "abc')).toMatchObject({ range: '"abc', code: 'S0101' });
    expect(at('=1 /* note')).toMatchObject({ range: '/* note', code: 'S0106' });
  });

  it('an empty expression is a problem at its end', () => {
    expect(parseProblem('=')).toMatchObject({ from: 1, to: 1 });
    expect(parseProblem('=   ')?.message).toBe('Empty expression');
  });
});
