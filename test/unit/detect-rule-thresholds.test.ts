import { describe, expect, it } from 'vitest';
import { parseCustomers } from '../../shared/detect/customers.ts';
import type { Finding } from '../../shared/detect/finding.ts';
import { loadPolicy } from '../../shared/detect/policy.ts';
import type { WindowContext } from '../../shared/detect/rules/derive.ts';
import type { SoftRuleCode } from '../../shared/detect/rules/index.ts';
import { evaluateWindow } from '../../shared/detect/score.ts';
import { emptyWindow, type WindowAggregate } from '../../shared/detect/window.ts';
import { customer, HOUR } from '../helpers/traffic.ts';

/**
 * Every soft rule exactly at, just below and just above its default threshold, and at the severity
 * lines of the evidence formula. Windows are built counter by counter: a clean hour of 1,000 calls
 * (60% answered, 2 minutes each, every (caller, called) pair distinct, no caller IDs counted) that
 * fires nothing, with one figure moved to put one rule where the test wants it.
 */
const policy = loadPolicy();
const CALLS = 1000;

/** A clean hour of `calls` calls: 60% answered, 2 minutes each, every (caller, called) pair distinct. */
function hourOf(calls: number): WindowAggregate {
  const w = emptyWindow('C1', '', HOUR, Number.POSITIVE_INFINITY);
  w.attempts = calls;
  w.answered = Math.round(calls * 0.6);
  w.durationSum = w.answered * 120;
  w.attA = calls;
  for (let i = 0; i < calls; i++) w.pairs.add(i + 1);
  return w;
}

const cleanHour = () => hourOf(CALLS);

function context(over: Partial<WindowContext> = {}): WindowContext {
  return {
    customer: customer('C1', 'standard', 'conversational'),
    earlierAttempts: [],
    seenCalling: null,
    tracebacks: 0,
    ...over,
  };
}

interface Case {
  code: SoftRuleCode;
  /** the count that puts the observed value exactly on the default threshold */
  at: number;
  /** the count at which the observed value is twice the threshold (half, for a minimum rule) */
  full: number;
  /** a window (and context) whose observed value is set by `n` */
  build(n: number): [WindowAggregate, WindowContext];
  direction?: 'min';
  inclusive?: boolean;
  /**
   * a textbook signature whose threshold is already half the hour: just past it is the majority,
   * so it is high at once
   */
  majorityAtThreshold?: boolean;
  /** a share whose threshold is above 50% cannot double: it stays medium on its own */
  cannotDouble?: boolean;
  /** a reason its module holds to medium on its own (weight 55: a question, not proof) */
  mediumAtMost?: boolean;
}

const counted =
  (set: (w: WindowAggregate, n: number) => void, ctx: Partial<WindowContext> = {}) =>
  (n: number): [WindowAggregate, WindowContext] => {
    const w = cleanHour();
    set(w, n);
    return [w, context(ctx)];
  };

const CASES: Case[] = [
  {
    code: 'SHORT_CALL_RATIO',
    at: 120, // 20% of 600 answered
    full: 240,
    build: counted((w, n) => {
      w.shortAnswered = n;
    }),
  },
  {
    code: 'LOW_ASR',
    direction: 'min',
    at: 250, // 25% of 1,000 attempts answered
    full: 125,
    build: counted((w, n) => {
      w.answered = n;
      w.durationSum = n * 120;
    }),
  },
  {
    code: 'LOW_ACD',
    direction: 'min',
    at: 30 * 600, // 30 s average over 600 answered calls
    full: 15 * 600,
    build: counted((w, n) => {
      w.durationSum = n;
    }),
  },
  {
    code: 'REJECTION_RATIO',
    at: 200,
    full: 400,
    build: counted((w, n) => {
      w.rej603 = n;
    }),
  },
  {
    code: 'VOLUME_SPIKE',
    at: 8 * 125, // 8x a median of 125
    full: 16 * 125,
    build: (n) => [hourOf(n), context({ earlierAttempts: [125, 125, 125] })],
  },
  {
    code: 'VOLUME_ABOVE_DECLARED',
    mediumAtMost: true,
    at: 3 * 125, // 3x a declared peak of 125 calls an hour
    full: 6 * 125,
    build: (n) => [
      hourOf(n),
      context({ customer: { ...customer('C1', 'standard', 'conversational'), declared_peak_per_hour: 125 } }),
    ],
  },
  {
    code: 'HIGH_FANOUT',
    at: 800,
    full: 1600,
    build: (n) => {
      // at least 900 calls, so 799 distinct called numbers still pass the 80% distinct share; a third
      // answered, since fan-out of calls that look like conversations is medium at most on its own
      const w = hourOf(Math.max(900, n));
      w.answered = Math.round(w.attempts / 3);
      w.durationSum = w.answered * 120;
      for (let i = 0; i < n; i++) w.called.add(i + 1);
      return [w, context()];
    },
  },
  {
    code: 'ANI_ROTATION',
    majorityAtThreshold: true,
    at: 500, // half the calls from caller IDs outside the inventory
    full: 1000,
    build: counted((w, n) => {
      for (let i = 0; i < 400; i++) w.calling.add(i + 1); // 2.5 calls per caller ID
      w.callingChecked = CALLS;
      w.callingOutsideInventory = n;
    }),
  },
  {
    code: 'NEIGHBOR_SPOOFING',
    at: 100,
    full: 200,
    build: counted((w, n) => {
      w.neighborNpaNxx = n;
    }),
  },
  {
    code: 'CALLING_EQUALS_CALLED',
    at: 20,
    full: 40,
    build: counted((w, n) => {
      w.callingEqualsCalled = n;
    }),
  },
  {
    code: 'FICTITIOUS_CALLING_NUMBER',
    at: 300,
    full: 600,
    build: counted((w, n) => {
      w.callingFictitious = n;
    }),
  },
  {
    code: 'WITHHELD_CALLING_NUMBER',
    mediumAtMost: true,
    at: 300, // 30% of the hour's calls without a caller ID
    full: 600,
    build: counted((w, n) => {
      w.callingBlank = n;
    }),
  },
  {
    code: 'UNSIGNED_OR_GATEWAY_ATTESTATION',
    cannotDouble: true,
    at: 600,
    full: 1000, // 100% is the most there is: 1.67x, and unsigned is not a signature
    build: counted((w, n) => {
      w.attNone = n;
      w.attA = CALLS - n;
    }),
  },
  {
    code: 'ATTESTATION_MISMATCH',
    at: 50,
    full: 100,
    build: counted((w, n) => {
      w.aChecked = CALLS;
      w.aOutsideInventory = n;
    }),
  },
  {
    code: 'OTHER_CUSTOMERS_NUMBER',
    at: 50, // 5% of the hour's calls from caller IDs other customers hold
    full: 100,
    build: counted((w, n) => {
      w.callingOtherCustomer = n;
    }),
  },
  {
    code: 'OUTSIDE_CALLING_HOURS',
    majorityAtThreshold: true,
    at: 500,
    full: 501, // a signature: the majority of the hour is fully past
    // a dialer: the clean hour's calls look like conversations, which cap other customers' at medium
    build: counted(
      (w, n) => {
        w.hoursKnown = CALLS;
        // outside federal hours is outside the stricter state hours too
        w.outsideHours = n;
        w.outsideStateHours = n;
      },
      { customer: customer('C1', 'standard', 'dialer') },
    ),
  },
  {
    code: 'REPEAT_CALLS',
    at: 500, // 500 of 1,000 calls with a caller ID repeat a pair seen before in the hour
    full: 1000,
    build: (n) => {
      const w = cleanHour();
      w.pairs = emptyWindow('C1', '', HOUR, Number.POSITIVE_INFINITY).pairs;
      for (let i = 0; i < CALLS - n; i++) w.pairs.add(i + 1);
      return [w, context()];
    },
  },
  {
    code: 'TRACEBACK_HISTORY',
    inclusive: true,
    at: 1,
    full: 2,
    build: (n) => [cleanHour(), context({ tracebacks: n })],
  },
];

function judge(c: Case, n: number): Finding | null {
  const [w, ctx] = c.build(n);
  return evaluateWindow(w, ctx, policy);
}

function codes(f: Finding | null): string[] {
  return f ? f.reasons.map((r) => r.code) : [];
}

describe('the clean hour', () => {
  it('fires nothing', () => {
    expect(evaluateWindow(cleanHour(), context(), policy)).toBeNull();
  });
});

describe.each(CASES)('$code', (c) => {
  const min = c.direction === 'min';
  const past = min ? -1 : 1;
  // one traceback is the threshold, two are twice it
  const highAtOnce = c.majorityAtThreshold || c.code === 'TRACEBACK_HISTORY';

  it('is quiet just short of its threshold', () => {
    expect(codes(judge(c, c.at - past))).toEqual([]);
  });

  it(c.inclusive ? 'fires exactly at its threshold' : 'is quiet exactly at its threshold', () => {
    expect(codes(judge(c, c.at))).toEqual(c.inclusive ? [c.code] : []);
  });

  it(`fires just past its threshold, alone and ${highAtOnce ? 'high' : 'low'}`, () => {
    const f = judge(c, c.at + past);
    expect(codes(f)).toEqual([c.code]);
    expect(f?.severity).toBe(highAtOnce ? 'high' : 'low');
  });

  const mediumAlone = c.cannotDouble || c.mediumAtMost;
  it(`is ${mediumAlone ? 'medium' : 'high'} on its own when fully past its threshold on at least 100 calls`, () => {
    const f = judge(c, c.full);
    expect(codes(f)).toEqual([c.code]);
    expect(f?.severity).toBe(mediumAlone ? 'medium' : 'high');
  });

  if (!highAtOnce && !mediumAlone)
    it('is medium one step short of fully past', () => {
      const f = judge(c, c.full - past);
      expect(codes(f)).toEqual([c.code]);
      expect(f?.severity).toBe('medium');
    });
});

describe('a figure just past its threshold', () => {
  it('reads past it in the sentence, not as the threshold rounded', () => {
    // a notifications sender's answer rate against its 25% line: 1,630 of 6,524 is 24.985%
    const w = hourOf(6524);
    w.answered = 1630;
    w.durationSum = w.answered * 120;
    const asr = evaluateWindow(w, context({ customer: customer('C1', 'standard', 'notifications') }), policy);
    expect(asr?.reasons.find((r) => r.code === 'LOW_ASR')?.detail).toMatch(
      /^only 24\.98% of 6,524 call attempts were answered;/,
    );
    // answered calls averaging 29.96 s against a 30 s line
    const short = cleanHour();
    short.durationSum = short.answered * 29.96;
    expect(evaluateWindow(short, context(), policy)?.reasons.find((r) => r.code === 'LOW_ACD')?.detail).toBe(
      'answered calls averaged 29.96 s (600 answered)',
    );
  });
});

describe('a warned customer', () => {
  it('is judged on a new customer’s thresholds until reinstated, and its finding says it was warned', () => {
    const declared = (status?: 'warned' | 'active') =>
      context({
        customer: {
          ...customer('C1', 'trusted', 'conversational'),
          declared_peak_per_hour: 100,
          ...(status ? { status, status_changed_at: '2026-11-20T10:00:00Z' } : {}),
        },
      });
    // 2.5x the declared peak: past a new customer's 2.1x, not a trusted one's
    expect(evaluateWindow(hourOf(250), declared(), policy)).toBeNull();
    expect(evaluateWindow(hourOf(250), declared('active'), policy)).toBeNull();
    const f = evaluateWindow(hourOf(250), declared('warned'), policy);
    expect(codes(f)).toEqual(['VOLUME_ABOVE_DECLARED']);
    expect(f?.metrics).toMatchObject({ vetting: 'trusted', status: 'warned' });
  });
});

describe('VOLUME_ABOVE_DECLARED', () => {
  it('is quiet for a customer that declared no peak, and held to a new customer’s stricter factor', () => {
    expect(evaluateWindow(hourOf(5000), context(), policy)).toBeNull();
    const declared = (vetting: 'new' | 'standard') =>
      context({ customer: { ...customer('C1', vetting, 'conversational'), declared_peak_per_hour: 100 } });
    // 2.5x the declared peak: past a new customer's 2.1x (3 x 0.7), not a standard one's 3x
    expect(codes(evaluateWindow(hourOf(250), declared('new'), policy))).toEqual(['VOLUME_ABOVE_DECLARED']);
    expect(evaluateWindow(hourOf(250), declared('standard'), policy)).toBeNull();
  });

  it('reads the declared peak from the registry CSV, empty for none, and names a bad one', () => {
    const header = 'customer_id,name,onboarded_at,vetting,traffic_profile,declared_peak_per_hour';
    const map = parseCustomers(
      `${header}\nA,Alpha,2026-01-01,standard,dialer,100\nB,Beta,,new,dialer,\n`,
      'c.csv',
    );
    expect(map.get('A')?.declared_peak_per_hour).toBe(100);
    expect(map.get('B')?.declared_peak_per_hour).toBeUndefined();
    expect(() => parseCustomers(`${header}\nC,Gamma,,new,dialer,-5\n`, 'c.csv')).toThrow(
      /c\.csv: line 2: declared_peak_per_hour: .*positive whole number/,
    );
  });

  it('reads the provider column: true, yes or 1, false, no or 0, empty for none, and names a bad one', () => {
    const header = 'customer_id,name,onboarded_at,vetting,traffic_profile,provider';
    const map = parseCustomers(
      `${header}\nA,Alpha,,trusted,conversational,true\nB,Beta,,new,dialer,No\nC,Gamma,,new,dialer,\nD,Delta,,new,dialer,1\n`,
      'c.csv',
    );
    expect(['A', 'B', 'C', 'D'].map((id) => map.get(id)?.provider)).toEqual([true, false, undefined, true]);
    expect(() => parseCustomers(`${header}\nE,Eps,,new,dialer,maybe\n`, 'c.csv')).toThrow(
      /c\.csv: line 2: provider: provider must be true or false/,
    );
  });

  it('refuses a customer listed twice, naming both lines (the second row would replace the first)', () => {
    const header = 'customer_id,name,onboarded_at,vetting,traffic_profile';
    expect(() =>
      parseCustomers(
        `${header}\nP100,A,,new,dialer\nP200,B,,new,dialer\nP100,A,,trusted,call_center\n`,
        'c.csv',
      ),
    ).toThrow('c.csv: line 4: customer_id P100 again (first on line 2)');
  });
});

describe('ANI_ROTATION', () => {
  it('says "1 call each" of caller IDs used once, "2.5 calls each on average" otherwise', () => {
    const detail = (distinct: number) => {
      const w = hourOf(CALLS);
      for (let i = 0; i < distinct; i++) w.calling.add(i + 1);
      w.callingChecked = CALLS;
      w.callingOutsideInventory = CALLS;
      return evaluateWindow(w, context(), policy)?.reasons.find((r) => r.code === 'ANI_ROTATION')?.detail;
    };
    expect(detail(CALLS)).toMatch(/, 1 call each$/);
    expect(detail(400)).toMatch(/, 2\.5 calls each on average$/);
  });
});
