import { describe, expect, it } from 'vitest';
import { samePerson } from '../../shared/audit/same-person.ts';

describe('the second reviewer must be another person', () => {
  it('names one person however the identity is typed', () => {
    for (const typed of [
      'analyst-alice',
      'Analyst-Alice',
      ' analyst-alice ',
      'analyst\u2010alice', // hyphen
      'analyst\u2013alice', // en dash
      'analyst\u200B-alice', // zero-width space
      'ａｎａｌｙｓｔ-ａｌｉｃｅ', // full-width letters
    ])
      expect(samePerson('analyst-alice', typed), JSON.stringify(typed)).toBe(true);
  });

  it('tells different people apart', () => {
    expect(samePerson('analyst-alice', 'analyst-alicia')).toBe(false);
    expect(samePerson('analyst-alice', 'analystalice')).toBe(false);
    expect(
      samePerson('arn:aws:sts::1:assumed-role/Analyst/alice', 'arn:aws:sts::1:assumed-role/Exec/bob'),
    ).toBe(false);
  });
});
