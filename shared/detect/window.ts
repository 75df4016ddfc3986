import { HOUR_MS } from '../cdr/time.ts';
import { DistinctCounter, type DistinctJson, type NumberSink, type NumberSource } from './distinct.ts';

/**
 * Traffic aggregate of one customer (or one customer trunk) in one UTC hour. Every field merges by
 * addition, min/max or set union, so aggregate(a) ⊕ aggregate(b) = aggregate(a + b): batches can be
 * aggregated independently and merged in any order, which exactly-once ingest relies on.
 */
export const DURATION_BUCKETS_S = [6, 30, 60, 120, 300] as const; // upper bounds; last bucket is >= 300 s

export const COUNTER_FIELDS = [
  /** PSTN-bound calls; on-net and emergency calls are counted apart (onNet, emergency) */
  'attempts',
  'answered',
  /** answered calls under 6 s */
  'shortAnswered',
  /** billable seconds of answered calls */
  'durationSum',
  /**
   * squares of those seconds, summed: with durationSum, how widely answered calls' lengths spread
   * (UNIFORM_DURATION). NaN when some of the window's calls were stored before it was counted.
   */
  'durationSquares',
  'rej403',
  /** 603 Decline, and a REJECTED disposition without a SIP code */
  'rej603',
  'rej607',
  'rej608',
  /** calling number equals called number, one the customer does not hold (its own is a voicemail check) */
  'callingEqualsCalled',
  /** caller NPA-NXX equals called NPA-NXX, from a caller ID the customer does not hold (or no inventory) */
  'neighborNpaNxx',
  /** caller IDs that cannot exist in the numbering plan, reserved fictitious ones included */
  'callingInvalid',
  /** ...of those, reserved fictitious numbers (555-01XX, 555-1212, 555-4334) */
  'callingFictitious',
  'callingBlank',
  'callingTollFree',
  'callingDno',
  'attA',
  'attB',
  'attC',
  'attNone',
  /** calls whose source does not report attestation at all (native formats): neither signed nor unsigned */
  'attUnreported',
  'verPassed',
  'verFailed',
  'verNone',
  /** A-attested calls checked against the customer's number inventory */
  'aChecked',
  /** ...and of those, presented from numbers the customer does not hold */
  'aOutsideInventory',
  /** calls with a caller ID checked against the customer's number inventory (any attestation) */
  'callingChecked',
  /** ...and of those, presented from numbers the customer does not hold */
  'callingOutsideInventory',
  /** calls presenting a caller ID another customer holds (its inventory), not one this customer holds or declared */
  'callingOtherCustomer',
  /** calls with a caller ID from a customer that declared its calling numbers at onboarding */
  'declaredCallingChecked',
  /** ...and of those, presented from numbers neither declared nor in the inventory */
  'callingUndeclared',
  /** calls with a source address from a customer that declared its originating addresses */
  'sourceChecked',
  /** ...and of those, sent from an address outside the declared ranges */
  'sourceUndeclared',
  /** calls to on-net destinations (extensions, feature codes, SIP user names, voicemail): counted only */
  'onNet',
  /** calls to emergency services (911, 933): counted only, never flagged */
  'emergency',
  /** calls whose called party's local time could be determined */
  'hoursKnown',
  /** ...and of those, placed before 8:00 or from 21:00 local time */
  'outsideHours',
  /** ...and of those, outside the called party's state hours where they are stricter (from 20:00 in FL, MD, OK, WA) */
  'outsideStateHours',
  /**
   * answered calls among outsideHours, and their billable seconds: whether the calls outside calling
   * hours look like conversations (OUTSIDE_CALLING_HOURS), which the hour's own answer rate and average
   * cannot say when its daytime calls are not like its night ones. NaN when some of the window's calls
   * were stored before they were counted.
   */
  'outsideHoursAnswered',
  'outsideHoursDurationSum',
  /** the same among outsideStateHours: the rule reads whichever set of hours it counts by (`stateHours`) */
  'outsideStateHoursAnswered',
  'outsideStateHoursDurationSum',
] as const;
export type CounterField = (typeof COUNTER_FIELDS)[number];

/**
 * Whole-window counter operations, compiled once from COUNTER_FIELDS into straight-line code: a loop
 * over the names makes each access a keyed lookup V8 cannot specialize, which cost seconds at
 * carrier scale (hundreds of thousands of windows moved between threads and merged). The names are
 * the literals above, never input.
 */
function compileCounters<F extends (...args: never[]) => void>(
  params: string[],
  statement: (f: string, i: number) => string,
): F {
  return new Function(...params, COUNTER_FIELDS.map(statement).join('\n')) as F;
}
/** a's counters += b's */
const addCounters = compileCounters<(a: WindowAggregate, b: WindowAggregate) => void>(
  ['a', 'b'],
  (f) => `a.${f} += b.${f};`,
);

export interface WindowAggregate extends Record<CounterField, number> {
  customerId: string;
  /** '' for the customer-level window */
  trunkId: string;
  hourMs: number;
  durationHist: number[];
  /** start of the window's first and last PSTN call (±Infinity without one); on-net and emergency calls left out */
  firstMs: number;
  lastMs: number;
  calling: DistinctCounter;
  called: DistinctCounter;
  pairs: DistinctCounter;
}

export function emptyWindow(
  customerId: string,
  trunkId: string,
  hourMs: number,
  limit: number,
  /** calls expected in the window (e.g. the previous hour's): sizes the called and pair sets once */
  expectedCalls = 8,
  /** calling numbers expected (e.g. the previous hour's): sizes the calling set once */
  expectedCalling = 0,
): WindowAggregate {
  return windowWith(
    customerId,
    trunkId,
    hourMs,
    new DistinctCounter(limit, expectedCalling),
    new DistinctCounter(limit, expectedCalls),
    new DistinctCounter(limit, expectedCalls),
  );
}

const zeroCounters = compileCounters<(w: WindowAggregate) => void>(['w'], (f) => `w.${f} = 0;`);

/**
 * Empties a window that left its aggregator for good (written out, AggregatorOptions.spill) for
 * another customer-hour, as emptyWindow would make it but with the same objects: at 20,000 customers a
 * worker opens a window per customer-hour, and allocating every one fresh (each with its three sets)
 * kept the garbage collector busy for a fifth of the worker's time.
 */
export function reuseWindow(
  w: WindowAggregate,
  customerId: string,
  trunkId: string,
  hourMs: number,
  expectedCalls = 8,
  expectedCalling = 0,
): WindowAggregate {
  w.customerId = customerId;
  w.trunkId = trunkId;
  w.hourMs = hourMs;
  w.firstMs = Number.POSITIVE_INFINITY;
  w.lastMs = Number.NEGATIVE_INFINITY;
  if (w.durationHist.length === DURATION_BUCKETS_S.length + 1) w.durationHist.fill(0);
  else w.durationHist = [0, 0, 0, 0, 0, 0];
  zeroCounters(w);
  w.calling.reuse(expectedCalling);
  w.called.reuse(expectedCalls);
  w.pairs.reuse(expectedCalls);
  return w;
}

/** A window with no calls yet around the given sets (a window read back from numbers has its own). */
export function windowWith(
  customerId: string,
  trunkId: string,
  hourMs: number,
  calling: DistinctCounter,
  called: DistinctCounter,
  pairs: DistinctCounter,
): WindowAggregate {
  // one literal with every field: objects that gain many properties by computed keys turn into slow
  // dictionaries in V8, and the counters below are incremented once or more per call
  return {
    customerId,
    trunkId,
    hourMs,
    durationHist: [0, 0, 0, 0, 0, 0],
    firstMs: Number.POSITIVE_INFINITY,
    lastMs: Number.NEGATIVE_INFINITY,
    calling,
    called,
    pairs,
    attempts: 0,
    answered: 0,
    shortAnswered: 0,
    durationSum: 0,
    durationSquares: 0,
    rej403: 0,
    rej603: 0,
    rej607: 0,
    rej608: 0,
    callingEqualsCalled: 0,
    neighborNpaNxx: 0,
    callingInvalid: 0,
    callingFictitious: 0,
    callingBlank: 0,
    callingTollFree: 0,
    callingDno: 0,
    attA: 0,
    attB: 0,
    attC: 0,
    attNone: 0,
    attUnreported: 0,
    verPassed: 0,
    verFailed: 0,
    verNone: 0,
    aChecked: 0,
    aOutsideInventory: 0,
    hoursKnown: 0,
    outsideHours: 0,
    outsideStateHours: 0,
    outsideHoursAnswered: 0,
    outsideHoursDurationSum: 0,
    outsideStateHoursAnswered: 0,
    outsideStateHoursDurationSum: 0,
    callingChecked: 0,
    callingOutsideInventory: 0,
    callingOtherCustomer: 0,
    declaredCallingChecked: 0,
    callingUndeclared: 0,
    sourceChecked: 0,
    sourceUndeclared: 0,
    onNet: 0,
    emergency: 0,
  };
}

/** Adds `b`'s counters, duration buckets and first and last call into `a`: all of a merge but the sets. */
export function addValues(a: WindowAggregate, b: WindowAggregate): void {
  addCounters(a, b);
  for (let i = 0; i < a.durationHist.length; i++) a.durationHist[i] += b.durationHist[i];
  a.firstMs = Math.min(a.firstMs, b.firstMs);
  a.lastMs = Math.max(a.lastMs, b.lastMs);
}

/** Merges `b` into `a` (mutating `a`) and returns it. Both must be the same customer, trunk and hour. */
export function mergeInto(a: WindowAggregate, b: WindowAggregate): WindowAggregate {
  if (a.customerId !== b.customerId || a.trunkId !== b.trunkId || a.hourMs !== b.hourMs) {
    throw new RangeError(`cannot merge windows of different keys (${windowKey(a)} vs ${windowKey(b)})`);
  }
  addValues(a, b);
  a.calling.merge(b.calling);
  a.called.merge(b.called);
  a.pairs.merge(b.pairs);
  return a;
}

export function cloneWindow(w: WindowAggregate): WindowAggregate {
  return {
    ...w,
    durationHist: [...w.durationHist],
    calling: w.calling.clone(),
    called: w.called.clone(),
    pairs: w.pairs.clone(),
  };
}

export function windowKey(w: { customerId: string; trunkId: string; hourMs: number }): string {
  return `${w.customerId}\u0000${w.trunkId}\u0000${w.hourMs}`;
}

export interface WindowJson extends Record<CounterField, number> {
  customerId: string;
  trunkId: string;
  hourMs: number;
  durationHist: number[];
  firstMs: number | null;
  lastMs: number | null;
  calling: DistinctJson;
  called: DistinctJson;
  pairs: DistinctJson;
}

export function windowToJson(w: WindowAggregate): WindowJson {
  return {
    ...w,
    firstMs: Number.isFinite(w.firstMs) ? w.firstMs : null,
    lastMs: Number.isFinite(w.lastMs) ? w.lastMs : null,
    calling: w.calling.toJSON(),
    called: w.called.toJSON(),
    pairs: w.pairs.toJSON(),
  };
}

export function windowFromJson(j: WindowJson, limit: number): WindowAggregate {
  const w = emptyWindow(j.customerId, j.trunkId, j.hourMs, limit);
  for (const f of COUNTER_FIELDS) w[f] = Number(j[f] ?? 0);
  // A window stored before its squares were counted (or merged with one, whose NaN JSON writes as
  // null) has calls whose squares are unknown. NaN keeps every merge with it unknown, and the spread
  // rule quiet, where a partial sum would make varied calls look alike.
  if (j.durationSquares == null && w.answered > 0) w.durationSquares = Number.NaN;
  // The same for the answered calls outside calling hours: unknown only when the window holds both
  // answered calls and calls outside those hours (otherwise none of them can have been answered).
  if (j.outsideHoursAnswered == null && w.answered > 0 && w.outsideHours > 0) {
    w.outsideHoursAnswered = Number.NaN;
    w.outsideHoursDurationSum = Number.NaN;
  }
  if (j.outsideStateHoursAnswered == null && w.answered > 0 && w.outsideStateHours > 0) {
    w.outsideStateHoursAnswered = Number.NaN;
    w.outsideStateHoursDurationSum = Number.NaN;
  }
  w.durationHist = j.durationHist.map(Number);
  w.firstMs = j.firstMs ?? Number.POSITIVE_INFINITY;
  w.lastMs = j.lastMs ?? Number.NEGATIVE_INFINITY;
  w.calling = DistinctCounter.fromJSON(j.calling, limit);
  w.called = DistinctCounter.fromJSON(j.called, limit);
  w.pairs = DistinctCounter.fromJSON(j.pairs, limit);
  return w;
}

/**
 * Writes a window as numbers (another thread reads it back with readWindow), without its customer and
 * trunk ids: the record holding the window says whose it is. Counters and duration buckets go
 * sparse: a bit mask per 30 of them (a whole-number mask stays exact and cheap), then only the ones
 * that are not zero. A window of a customer with two calls an hour has a handful.
 */
export function writeWindow(w: WindowAggregate, out: NumberSink): void {
  // times as the hour's number and offsets into it: small integers (a few bytes each) where the
  // milliseconds, past 2^31, went whole (at 20,000 customers a tenth of a worker's transfer); any time
  // they would not give back exactly goes whole, which the flags say
  const hourIdx = w.hourMs / HOUR_MS;
  const first = w.firstMs - w.hourMs;
  const last = w.lastMs - w.hourMs;
  const flags =
    (Number.isInteger(hourIdx) && Object.is(hourIdx * HOUR_MS, w.hourMs) ? 0 : WHOLE_HOUR) |
    (Object.is(first + w.hourMs, w.firstMs) ? 0 : WHOLE_FIRST) |
    (Object.is(last + w.hourMs, w.lastMs) ? 0 : WHOLE_LAST);
  if (w.durationHist.length > BUCKETS)
    throw new RangeError(`a window's ${w.durationHist.length} duration buckets do not fit its transfer`);
  out.num(w.durationHist.length | flags);
  out.num((flags & WHOLE_HOUR) === 0 ? hourIdx : w.hourMs);
  out.num((flags & WHOLE_FIRST) === 0 ? first : w.firstMs);
  out.num((flags & WHOLE_LAST) === 0 ? last : w.lastMs);
  writeValues(w, w.durationHist, out);
  w.calling.writeTo(out);
  w.called.writeTo(out);
  w.pairs.writeTo(out);
}

/** values per mask number in writeWindow */
const MASK_BITS = 30;
/** writeWindow's flags beside the bucket count: a time written whole rather than from the hour */
const WHOLE_HOUR = 1 << 16;
const WHOLE_FIRST = 1 << 17;
const WHOLE_LAST = 1 << 18;
const BUCKETS = WHOLE_HOUR - 1;
/** COUNTER_FIELDS in mask groups of MASK_BITS (see writeValues), each counter with its bit */
function valueGroups(): Array<{ from: number; counters: Array<{ f: string; bit: number }> }> {
  const groups: Array<{ from: number; counters: Array<{ f: string; bit: number }> }> = [];
  for (let from = 0; from < COUNTER_FIELDS.length; from += MASK_BITS) {
    const counters = COUNTER_FIELDS.slice(from, from + MASK_BITS).map((f, i) => ({ f, bit: 1 << i }));
    groups.push({ from, counters });
  }
  return groups;
}

/** the buckets (h[j], value index C + j) of the group starting at value index `from`, as code */
function bucketRange(from: number): { first: string; end: string; shift: number } {
  const c = COUNTER_FIELDS.length;
  return { first: `${Math.max(0, from - c)}`, end: `${from + MASK_BITS - c}`, shift: c - from };
}

/**
 * A window's values as writeWindow sends them: its counters in COUNTER_FIELDS order, then its duration
 * buckets, in groups of MASK_BITS, each a mask of the values that are not zero and then those values.
 * Compiled once into straight-line code for the counters (see compileCounters): through an array of
 * the values, a loop over them and a mask built bit by bit, writing and reading windows took a
 * tenth of a worker's time at 20,000 customers (half a million windows written, each read back).
 * Buckets go through a loop, as many as the window has.
 */
const writeValues = (() => {
  const body: string[] = [];
  for (const { from, counters } of valueGroups()) {
    const { first, end, shift } = bucketRange(from);
    body.push('{ let m = 0;');
    for (const { f, bit } of counters) body.push(`if (w.${f} !== 0) m |= ${bit};`);
    body.push(`const to = Math.min(h.length, ${end});`);
    body.push(`for (let j = ${first}; j < to; j++) if (h[j] !== 0) m |= 1 << (j + ${shift});`);
    body.push('out.num(m); if (m !== 0) {');
    for (const { f, bit } of counters) body.push(`if ((m & ${bit}) !== 0) out.num(w.${f});`);
    body.push(`for (let j = ${first}; j < to; j++) if (h[j] !== 0) out.num(h[j]);`);
    body.push('} }');
  }
  // groups of buckets only, past the counters' groups (a window with many buckets)
  const next = valueGroups().length * MASK_BITS;
  body.push(`for (let from = ${next}; from < ${COUNTER_FIELDS.length} + h.length; from += ${MASK_BITS}) {`);
  body.push(
    `  const j0 = from - ${COUNTER_FIELDS.length}; const to = Math.min(h.length, j0 + ${MASK_BITS});`,
  );
  body.push('  let m = 0; for (let j = j0; j < to; j++) if (h[j] !== 0) m |= 1 << (j - j0);');
  body.push('  out.num(m); for (let j = j0; j < to; j++) if (h[j] !== 0) out.num(h[j]); }');
  return new Function('w', 'h', 'out', body.join('\n')) as (
    w: WindowAggregate,
    h: number[],
    out: NumberSink,
  ) => void;
})();

/** writeValues' reader: the counters into `w` (zero when not sent), the buckets into `h` (zeros, as long as sent) */
const readValues = (() => {
  const body: string[] = [];
  for (const { from, counters } of valueGroups()) {
    const { first, end, shift } = bucketRange(from);
    body.push('{ const m = src.num(); if (m !== 0) {');
    for (const { f, bit } of counters) body.push(`if ((m & ${bit}) !== 0) w.${f} = src.num();`);
    body.push(`const to = Math.min(h.length, ${end});`);
    body.push(`for (let j = ${first}; j < to; j++) if ((m & (1 << (j + ${shift}))) !== 0) h[j] = src.num();`);
    body.push('} }');
  }
  const next = valueGroups().length * MASK_BITS;
  body.push(`for (let from = ${next}; from < ${COUNTER_FIELDS.length} + h.length; from += ${MASK_BITS}) {`);
  body.push(
    `  const j0 = from - ${COUNTER_FIELDS.length}; const to = Math.min(h.length, j0 + ${MASK_BITS});`,
  );
  body.push(
    '  const m = src.num(); for (let j = j0; j < to; j++) if ((m & (1 << (j - j0))) !== 0) h[j] = src.num(); }',
  );
  return new Function('w', 'h', 'src', body.join('\n')) as (
    w: WindowAggregate,
    h: number[],
    src: NumberSource,
  ) => void;
})();

/**
 * A window writeWindow wrote, for the customer and trunk ('' for the customer's own) it belongs to.
 * `countsOnly`: its sets as their counts, each reading its keys from `src` only when first wanted
 * (DistinctCounter.readFrom 'later'; `src` must then still hold them), for a window to be scored:
 * scoring counts the keys, and most hours are never merged or compared key by key.
 */
export function readWindow(
  src: NumberSource,
  customerId: string,
  trunkId: string,
  countsOnly = false,
): WindowAggregate {
  const head = src.num();
  const buckets = head & BUCKETS;
  const hour = src.num();
  const hourMs = (head & WHOLE_HOUR) === 0 ? hour * HOUR_MS : hour;
  const first = src.num();
  const firstMs = (head & WHOLE_FIRST) === 0 ? first + hourMs : first;
  const last = src.num();
  const lastMs = (head & WHOLE_LAST) === 0 ? last + hourMs : last;
  // the window first, its sets after its values as they come: a shared placeholder until then
  const w = windowWith(customerId, trunkId, hourMs, NO_SET, NO_SET, NO_SET);
  w.firstMs = firstMs;
  w.lastMs = lastMs;
  const hist =
    buckets === DURATION_BUCKETS_S.length + 1 ? [0, 0, 0, 0, 0, 0] : new Array<number>(buckets).fill(0);
  readValues(w, hist, src);
  w.durationHist = hist;
  const keys = countsOnly ? 'later' : true;
  w.calling = DistinctCounter.readFrom(src, keys);
  w.called = DistinctCounter.readFrom(src, keys);
  w.pairs = DistinctCounter.readFrom(src, keys);
  return w;
}

/** readWindow's sets until the window's own are read: never kept, never written to */
const NO_SET = new DistinctCounter(0);
