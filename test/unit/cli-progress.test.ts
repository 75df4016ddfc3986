import type cliProgress from 'cli-progress';
import { describe, expect, it } from 'vitest';
import { etaOrUnknown } from '../../cli/progress.ts';

describe('the progress bar', () => {
  it('shows an eta it cannot reckon yet as ?, not "eta INFs"', () => {
    const options = { autopadding: false } as cliProgress.Options;
    const line = (eta: unknown) => {
      const format = (value: unknown, type: cliProgress.ValueType) =>
        etaOrUnknown(value as number, options, type);
      return `${format(40, 'value')}/${format(100, 'total')} MB | eta ${format(eta, 'eta')}`;
    };
    expect(line('INF')).toBe('40/100 MB | eta ?');
    expect(line('NULL')).toBe('40/100 MB | eta ?');
    expect(line(12)).toBe('40/100 MB | eta 12s');
  });
});
