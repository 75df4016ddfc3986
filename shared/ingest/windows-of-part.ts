import type { Aggregator } from '../detect/aggregator.ts';
import { windowSk } from './keys.ts';
import type { WindowDelta } from './merge-window.ts';

/**
 * The part's windows as store deltas. Customer-hour windows carry calls per trunk of that hour,
 * so scoring can name the top trunks without reading every trunk item back.
 */
export function windowDeltas(aggregator: Aggregator): WindowDelta[] {
  const trunkCalls = new Map<string, Record<string, number>>();
  const deltas: WindowDelta[] = [];
  for (const w of aggregator.windows()) {
    if (w.trunkId === '') continue;
    const key = `${w.customerId}\u0000${w.hourMs}`;
    const counts = trunkCalls.get(key) ?? {};
    counts[w.trunkId] = (counts[w.trunkId] ?? 0) + w.attempts;
    trunkCalls.set(key, counts);
    deltas.push({ customerId: w.customerId, sk: windowSk(w.trunkId, w.hourMs), window: w, trunkCalls: {} });
  }
  for (const w of aggregator.windows()) {
    if (w.trunkId !== '') continue;
    deltas.push({
      customerId: w.customerId,
      sk: windowSk('', w.hourMs),
      window: w,
      trunkCalls: trunkCalls.get(`${w.customerId}\u0000${w.hourMs}`) ?? {},
    });
  }
  return deltas;
}
