import { describe, expect, it } from 'vitest';
import { IDENTITY_LEVELS, levelsSatisfying } from './identity-levels';

describe('identity levels', () => {
  it('lets every person level stand for two factors, but none stand for another proof', () => {
    expect(levelsSatisfying('two-factor').sort()).toEqual(['bank', 'face', 'telecom', 'two-factor']);
    expect(levelsSatisfying('face')).toEqual(['face']);
    expect(levelsSatisfying('telecom')).toEqual(['telecom']);
  });

  it('lets company proofs stand for three factors, and only the authorisation for four', () => {
    expect(levelsSatisfying('company-three-factor').sort()).toEqual(['company-authorisation', 'company-four-factor', 'company-reverse-payment', 'company-three-factor', 'company-transfer']);
    expect(levelsSatisfying('company-four-factor').sort()).toEqual(['company-authorisation', 'company-four-factor']);
    expect(levelsSatisfying('company-transfer')).toEqual(['company-transfer']);
  });

  it('never lets a person level satisfy a company one or the reverse', () => {
    for (const level of IDENTITY_LEVELS) {
      const company = level.startsWith('company-');
      expect(levelsSatisfying(level).every((l) => l.startsWith('company-') === company)).toBe(true);
      expect(levelsSatisfying(level)).toContain(level);
    }
  });
});
