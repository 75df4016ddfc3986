import { describe, expect, it } from 'vitest';
import { Aggregator, WindowLimitError } from '../../shared/detect/aggregator.ts';
import { emptyReference } from '../../shared/detect/reference.ts';
import { callsInHour, HOUR } from '../helpers/traffic.ts';

/**
 * The window limit (AggregatorOptions.maxWindows, growing by windowsPerCall with the calls folded)
 * bounds memory for input that opens a window per call, and must hold the same wherever the windows
 * were folded: a worker thread's windows imported into the main thread bring their calls along.
 */
const limits = { maxWindows: 10, windowsPerCall: 0.5 };
/** 40 customers with 4 calls each in one hour: 40 windows for 160 calls */
const traffic = Array.from({ length: 40 }, (_, i) => callsInHour(`C${i}`, HOUR, 4, () => ({}))).flat();

describe('the window limit', () => {
  it('grows with the calls: 40 windows of 4 calls pass a limit of 10 + calls / 2', () => {
    const agg = new Aggregator(emptyReference(), limits);
    for (const c of traffic) agg.add(c);
    expect([...agg.customerWindows().keys()]).toHaveLength(40);
  });

  it('stops input that opens a window per call', () => {
    const agg = new Aggregator(emptyReference(), limits);
    const one = Array.from({ length: 40 }, (_, i) => callsInHour(`C${i}`, HOUR, 1, () => ({}))).flat();
    expect(() => {
      for (const c of one) agg.add(c);
    }).toThrow(WindowLimitError);
  });

  it('holds the same for windows moved from another aggregator (a worker thread): their calls come along', () => {
    const worker = new Aggregator(emptyReference(), limits);
    for (const c of traffic) worker.add(c);
    const main = new Aggregator(emptyReference(), limits);
    const { state, buffers } = worker.exportWindows();
    main.importWindows(structuredClone(state, { transfer: buffers }));
    expect([...main.customerWindows().keys()]).toHaveLength(40);
  });
});
