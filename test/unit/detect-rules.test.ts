import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../shared/cdr/record.ts';
import { HOUR_MS } from '../../shared/cdr/time.ts';
import { loadPolicy } from '../../shared/detect/policy.ts';
import { NumberInventory } from '../../shared/detect/reference.ts';
import { shareAtLeast } from '../../shared/detect/rules/answered-sample.ts';
import { TracebackHistory } from '../../shared/detect/traceback-history.ts';
import {
  analyzeCalls,
  type CallSpec,
  callsInHour,
  codesFor,
  customer,
  HOUR,
  randomNumber,
  referenceWith,
  rng,
  worstSeverity,
} from '../helpers/traffic.ts';

const H = HOUR_MS;

const ref = referenceWith;

/** A steady pool of caller IDs, as a real business presents. */
function pool(n: number, seed: number): string[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => randomNumber(r));
}

function normalHours(
  id: string,
  hours: number,
  perHour: number,
  seed: number,
  numbers = pool(20, seed),
): CallRecord[] {
  const r = rng(seed);
  const out: CallRecord[] = [];
  for (let h = 0; h < hours; h++) {
    out.push(
      ...callsInHour(
        id,
        HOUR + h * H,
        perHour,
        () => {
          const answered = r.next() < 0.6;
          return {
            calling: r.pick(numbers),
            answered,
            durationS: r.int(60, 400),
            sipCode: answered ? 200 : r.pick([486, 487, 480]),
          };
        },
        seed + h,
      ),
    );
  }
  return out;
}

describe('each reason fires on its planted case', () => {
  const cases: Array<
    [string, () => { calls: CallRecord[]; r?: ReturnType<typeof ref>; tb?: TracebackHistory }]
  > = [
    [
      'SHORT_CALL_RATIO',
      () => {
        const r = rng(1);
        const nums = pool(20, 1);
        return {
          calls: callsInHour('X', HOUR, 400, () => ({
            calling: r.pick(nums),
            answered: true,
            durationS: r.next() < 0.7 ? 3 : 200,
          })),
        };
      },
    ],
    [
      'LOW_ASR',
      () => {
        const r = rng(2);
        const nums = pool(20, 2);
        return {
          calls: callsInHour('X', HOUR, 400, () => ({
            calling: r.pick(nums),
            answered: r.next() < 0.08,
            durationS: 120,
            sipCode: undefined,
          })),
        };
      },
    ],
    [
      'LOW_ACD',
      () => {
        const nums = pool(20, 3);
        const r = rng(3);
        return {
          calls: callsInHour('X', HOUR, 300, () => ({ calling: r.pick(nums), durationS: r.int(8, 15) })),
        };
      },
    ],
    [
      'REJECTION_RATIO',
      () => {
        const r = rng(4);
        const nums = pool(20, 4);
        return {
          calls: callsInHour('X', HOUR, 300, () =>
            r.next() < 0.5
              ? { calling: r.pick(nums), answered: false, sipCode: r.pick([603, 607, 608, 403]) }
              : { calling: r.pick(nums) },
          ),
        };
      },
    ],
    [
      'VOLUME_SPIKE',
      () => {
        const nums = pool(20, 5);
        return {
          calls: [
            ...normalHours('X', 5, 40, 5, nums),
            ...normalHours('X', 6, 0, 5, nums),
            ...callsInHour('X', HOUR + 5 * H, 1200, (i) => ({ calling: nums[i % 20] })),
          ],
        };
      },
    ],
    [
      'HIGH_FANOUT',
      () => {
        const nums = pool(20, 6);
        return { calls: callsInHour('X', HOUR, 2500, (i) => ({ calling: nums[i % 20] })) };
      },
    ],
    ['ANI_ROTATION', () => ({ calls: callsInHour('X', HOUR, 800, () => ({})) })],
    [
      'NEIGHBOR_SPOOFING',
      () => {
        const r = rng(8);
        return {
          calls: callsInHour('X', HOUR, 300, () => {
            const called = randomNumber(r);
            return { called, calling: `${called.slice(0, 8)}${String(r.int(0, 9999)).padStart(4, '0')}` };
          }),
        };
      },
    ],
    [
      'CALLING_EQUALS_CALLED',
      () => {
        const r = rng(9);
        const nums = pool(20, 9);
        return {
          calls: callsInHour('X', HOUR, 300, () => {
            const called = randomNumber(r);
            return { called, calling: r.next() < 0.2 ? called : r.pick(nums) };
          }),
        };
      },
    ],
    [
      'INVALID_CALLING_NUMBER',
      () => ({
        calls: callsInHour('X', HOUR, 100, (i) => ({
          calling: i % 10 === 0 ? '+12915550200' : '+12125550200',
        })),
      }),
    ],
    [
      'DNO_CALLING_NUMBER',
      () => {
        const r = ref();
        r.dno.add('+18005550200');
        return {
          calls: callsInHour('X', HOUR, 10, (i) => ({ calling: i < 2 ? '+18005550200' : '+12125550200' })),
          r,
        };
      },
    ],
    [
      'UNSIGNED_OR_GATEWAY_ATTESTATION',
      () => {
        const nums = pool(20, 12);
        return {
          calls: callsInHour('X', HOUR, 300, (i) => ({
            calling: nums[i % 20],
            attestation: i % 3 === 0 ? 'C' : '',
          })),
        };
      },
    ],
    [
      'ATTESTATION_MISMATCH',
      () => {
        const r = ref(customer('X', 'standard', 'conversational'));
        r.inventory = new NumberInventory();
        r.inventory.add('X', '+1212555*');
        const nums = pool(20, 13);
        return {
          calls: callsInHour('X', HOUR, 200, (i) => ({ calling: i % 2 ? '+12125550300' : nums[i % 20] })),
          r,
        };
      },
    ],
    [
      'OUTSIDE_CALLING_HOURS',
      () => {
        const nums = pool(20, 14);
        // 03:00 UTC = 22:00 in New York
        return {
          calls: callsInHour('X', Date.UTC(2026, 10, 28, 3), 300, (i) => ({ calling: nums[i % 20] })),
          r: ref(customer('X', 'standard', 'dialer')),
        };
      },
    ],
    [
      'WITHHELD_CALLING_NUMBER',
      () => {
        const nums = pool(20, 19);
        // two calls in five withheld: empty, or `anonymous` as a switch writes a restricted caller ID
        return {
          calls: callsInHour('X', HOUR, 300, (i) => ({
            calling: i % 5 === 0 ? '' : i % 5 === 1 ? 'anonymous' : nums[i % 20],
          })),
        };
      },
    ],
    [
      'REPEAT_CALLS',
      () => {
        const nums = pool(5, 15);
        const targets = pool(20, 16);
        return {
          calls: callsInHour('X', HOUR, 300, (i) => ({ calling: nums[i % 5], called: targets[i % 20] })),
        };
      },
    ],
    [
      'TRACEBACK_HISTORY',
      () => {
        const tb = new TracebackHistory();
        tb.add('X', HOUR - 2 * 86_400_000);
        return { calls: normalHours('X', 1, 30, 17), tb };
      },
    ],
  ];

  it.each(cases)('%s', (code, build) => {
    const { calls, r, tb } = build();
    const findings = analyzeCalls(calls, r ?? ref(), tb ?? null);
    expect(codesFor(findings, 'X')).toContain(code);
    const reason = findings.flatMap((f) => f.reasons).find((x) => x.code === code);
    expect(reason?.detail.length).toBeGreaterThan(20);
    expect(Number.isFinite(reason?.observed)).toBe(true);
  });
});

describe('legitimate look-alikes stay quiet', () => {
  it('a notifications sender: many short answered calls from its own A-attested numbers', () => {
    const r = ref(customer('N', 'standard', 'notifications'));
    r.inventory.add('N', '+1212987*');
    const numbers = Array.from({ length: 10 }, (_, i) => `+1212987${String(1000 + i)}`);
    const g = rng(21);
    const calls: CallRecord[] = [];
    for (let h = 0; h < 8; h++) {
      calls.push(
        ...callsInHour(
          'N',
          HOUR + h * H,
          1500,
          (i) => ({ calling: numbers[i % 10], answered: g.next() < 0.85, durationS: g.int(2, 8) }),
          100 + h,
        ),
      );
    }
    expect(analyzeCalls(calls, r).filter((f) => f.customer_id === 'N')).toEqual([]);
  });

  it("a school's emergency notification retrying unanswered numbers up to 3 times in the hour: no repeat calls; a number called 6 times an hour still is", () => {
    const g = rng(40);
    // each of 400 numbers called until answered, at most 4 times (a first call and 3 retries), 40% a try
    const attempts: CallSpec[] = [];
    for (let i = 0; i < 400; i++) {
      const called = `+1212${String(2000000 + i)}`;
      for (let k = 0; k < 4; k++) {
        const answered = g.next() < 0.4;
        attempts.push({
          calling: '+12124567100',
          called,
          ...(answered ? { durationS: 40 } : { answered: false }),
        });
        if (answered) break;
      }
    }
    const r = ref(customer('SCH', 'standard', 'notifications'));
    const retries = analyzeCalls(
      callsInHour('SCH', HOUR, attempts.length, (i) => attempts[i]),
      r,
    );
    expect(codesFor(retries, 'SCH').has('REPEAT_CALLS')).toBe(false);
    // 150 numbers called 6 times each in the hour: 83% repeats, more than a first call and 3 retries make
    const hammered = callsInHour('SCH', HOUR, 900, (i) => ({
      calling: '+12124567100',
      called: `+1212${String(2000000 + (i % 150))}`,
      answered: false,
    }));
    const findings = analyzeCalls(hammered, r);
    expect(codesFor(findings, 'SCH')).toContain('REPEAT_CALLS');
  });

  it('a high-volume call center with stable numbers and normal hours', () => {
    const r = ref(customer('CC', 'standard', 'call_center'));
    const numbers = pool(300, 22);
    r.inventory = new NumberInventory();
    for (const n of numbers) r.inventory.add('CC', n);
    const g = rng(22);
    const calls: CallRecord[] = [];
    for (let h = 0; h < 8; h++) {
      calls.push(
        ...callsInHour(
          'CC',
          HOUR + h * H,
          4000,
          () => {
            const answered = g.next() < 0.4;
            return {
              calling: g.pick(numbers),
              answered,
              durationS: g.int(30, 150),
              sipCode: answered ? 200 : g.pick([486, 487, 480, 404]),
            };
          },
          200 + h,
        ),
      );
    }
    expect(analyzeCalls(calls, r).filter((f) => f.customer_id === 'CC')).toEqual([]);
  });

  it('a trusted customer with a small sample of short calls', () => {
    const r = ref(customer('T', 'trusted', 'conversational'));
    const calls = callsInHour('T', HOUR, 20, (i) => ({
      calling: '+12129870000',
      durationS: i % 2 ? 2 : 200,
    }));
    expect(analyzeCalls(calls, r)).toEqual([]);
  });

  it('the same short-call pattern is flagged for a new customer at a volume a trusted one is allowed', () => {
    const numbers = pool(20, 30);
    const g = rng(30);
    const traffic = (id: string) =>
      callsInHour(id, HOUR, 150, () => ({ calling: g.pick(numbers), durationS: g.next() < 0.25 ? 3 : 200 }));
    const r = ref(customer('NEW', 'new', 'conversational'), customer('OLD', 'trusted', 'conversational'));
    const findings = analyzeCalls([...traffic('NEW'), ...traffic('OLD')], r);
    expect(codesFor(findings, 'NEW')).toContain('SHORT_CALL_RATIO');
    expect(codesFor(findings, 'OLD').has('SHORT_CALL_RATIO')).toBe(false);
  });

  it('anonymous callers are not invalid caller IDs', () => {
    const g = rng(31);
    const numbers = pool(20, 31);
    const calls = callsInHour('A', HOUR, 400, () => ({
      calling: g.next() < 0.03 ? 'anonymous' : g.pick(numbers),
    }));
    expect(codesFor(analyzeCalls(calls, ref(customer('A', 'standard', 'conversational'))), 'A').size).toBe(0);
  });

  it("a small town's business calling its own exchange from numbers it holds is no neighbour spoofing", () => {
    const g = rng(33);
    // its own DIDs, all in 212-987, and a third of its calls to neighbours in 212-987
    const own = Array.from({ length: 40 }, (_, i) => `+1212987${String(2000 + i)}`);
    const traffic = (id: string) =>
      callsInHour(id, HOUR, 300, (i) => ({
        calling: g.pick(own),
        called: i % 3 === 0 ? `+1212987${String(g.int(5000, 9999))}` : randomNumber(g),
        durationS: g.int(60, 400),
      }));
    const r = ref(
      customer('OWN', 'standard', 'conversational'),
      customer('SPOOF', 'standard', 'conversational'),
    );
    r.inventory = new NumberInventory();
    for (const n of own) r.inventory.add('OWN', n);
    // the same calls from a customer that does not hold those numbers are spoofed neighbours
    const findings = analyzeCalls([...traffic('OWN'), ...traffic('SPOOF')], r);
    expect(codesFor(findings, 'OWN').has('NEIGHBOR_SPOOFING')).toBe(false);
    expect(codesFor(findings, 'SPOOF')).toContain('NEIGHBOR_SPOOFING');
  });

  it('users calling their own numbers (voicemail checks) are not caller-equals-called spoofing', () => {
    const g = rng(35);
    const own = Array.from({ length: 30 }, (_, i) => `+1212987${String(3000 + i)}`);
    const traffic = (id: string) =>
      callsInHour(id, HOUR, 200, (i) => {
        const calling = g.pick(own);
        return { calling, called: i % 8 === 0 ? calling : randomNumber(g), durationS: g.int(30, 300) };
      });
    const r = ref(customer('VM', 'standard', 'conversational'), customer('SP', 'standard', 'conversational'));
    r.inventory = new NumberInventory();
    for (const n of own) r.inventory.add('VM', n);
    const findings = analyzeCalls([...traffic('VM'), ...traffic('SP')], r);
    expect(codesFor(findings, 'VM').has('CALLING_EQUALS_CALLED')).toBe(false);
    expect(codesFor(findings, 'SP')).toContain('CALLING_EQUALS_CALLED');
  });

  it("a provider customer's gateway traffic: fresh foreign caller IDs, all C-attested, judged on its quality only", () => {
    const g = rng(36);
    // every call from another caller abroad, C-attested as a gateway must, answered and talked through
    const traffic = (id: string) =>
      [0, 1, 2].flatMap((h) =>
        callsInHour(
          id,
          HOUR + h * H,
          600,
          () => ({
            calling: `+44${g.int(7_000_000_000, 7_999_999_999)}`,
            attestation: 'C',
            answered: g.next() < 0.55,
            durationS: g.int(60, 500),
          }),
          40 + h,
        ),
      );
    const r = ref(
      { ...customer('GW', 'trusted', 'conversational'), provider: true },
      customer('CX', 'trusted', 'conversational'),
    );
    const findings = analyzeCalls([...traffic('GW'), ...traffic('CX')], r);
    expect(codesFor(findings, 'GW').size).toBe(0);
    // the same traffic from a customer not registered as a provider is fresh caller IDs, unsigned
    expect([...codesFor(findings, 'CX')].sort()).toEqual(['ANI_ROTATION', 'UNSIGNED_OR_GATEWAY_ATTESTATION']);
    // a policy that judges providers too
    const judged = analyzeCalls(traffic('GW'), r, null, {
      rules: { ANI_ROTATION: { providers: true }, UNSIGNED_OR_GATEWAY_ATTESTATION: { providers: true } },
    });
    expect(codesFor(judged, 'GW').size).toBe(2);
  });

  it("a wholesale provider's subscribers reach a thousand numbers an hour: no fan-out, unless the policy judges providers", () => {
    const g = rng(37);
    // 1,100 subscribers each calling a contact of their own, answered and talked through
    const traffic = (id: string) =>
      [0, 1, 2].flatMap((h) =>
        callsInHour(
          id,
          HOUR + h * H,
          1100,
          () => ({ calling: randomNumber(g), answered: g.next() < 0.6, durationS: g.int(40, 600) }),
          50 + h,
        ),
      );
    const r = ref(
      { ...customer('WS', 'standard', 'conversational'), provider: true },
      customer('BZ', 'standard', 'conversational'),
    );
    const findings = analyzeCalls([...traffic('WS'), ...traffic('BZ')], r);
    expect(codesFor(findings, 'WS').has('HIGH_FANOUT')).toBe(false);
    // one sender (not a provider) dialling as many numbers is a campaign working through a list
    expect(codesFor(findings, 'BZ')).toContain('HIGH_FANOUT');
    const judged = analyzeCalls(traffic('WS'), r, null, { rules: { HIGH_FANOUT: { providers: true } } });
    expect(codesFor(judged, 'WS')).toContain('HIGH_FANOUT');
  });

  it("a wholesale provider's transit at night is not its solicitation: no calling-hours reason, unless the policy judges providers", () => {
    const g = rng(39);
    // 22:xx in New York: its customers' calls, a third answered, briefly
    const night = Date.UTC(2026, 10, 28, 3);
    const traffic = (id: string) =>
      callsInHour(id, night, 600, () => ({
        calling: randomNumber(g),
        called: `+1212${g.int(2000000, 9999999)}`,
        ...(g.next() < 0.3 ? { durationS: g.int(20, 40) } : { answered: false }),
      }));
    const r = ref(
      { ...customer('WS', 'standard', 'conversational'), provider: true },
      customer('BZ', 'standard', 'conversational'),
    );
    const findings = analyzeCalls([...traffic('WS'), ...traffic('BZ')], r);
    expect(codesFor(findings, 'WS').has('OUTSIDE_CALLING_HOURS')).toBe(false);
    // one sender (not a provider) calling at night is bound by calling hours
    expect(codesFor(findings, 'BZ')).toContain('OUTSIDE_CALLING_HOURS');
    const judged = analyzeCalls(traffic('WS'), r, null, {
      rules: { OUTSIDE_CALLING_HOURS: { providers: true } },
    });
    expect(codesFor(judged, 'WS')).toContain('OUTSIDE_CALLING_HOURS');
  });

  it('fan-out up to the peak a customer declared at onboarding is what it was approved for; past it, it fires', () => {
    const g = rng(38);
    const numbers = pool(40, 38);
    const hour = (id: string, calls: number) =>
      callsInHour(id, HOUR, calls, () => ({
        calling: g.pick(numbers),
        answered: g.next() < 0.65,
        durationS: g.int(20, 90),
      }));
    // a delivery app's drivers calling customers through its proxy numbers: 1,500 an hour, declared 3,000
    const r = ref(
      { ...customer('DL', 'trusted', 'conversational'), declared_peak_per_hour: 3000 },
      { ...customer('SM', 'trusted', 'conversational'), declared_peak_per_hour: 1000 },
      customer('ND', 'trusted', 'conversational'),
    );
    const findings = analyzeCalls([...hour('DL', 1500), ...hour('SM', 1500), ...hour('ND', 1500)], r);
    expect(codesFor(findings, 'DL').has('HIGH_FANOUT')).toBe(false);
    // a customer that declared less, or nothing, is judged on the rule's own threshold
    expect(codesFor(findings, 'SM')).toContain('HIGH_FANOUT');
    expect(codesFor(findings, 'ND')).toContain('HIGH_FANOUT');
  });

  it('a practice whose staff withhold their number on a fifth of its calls: no reason; on a third, a low one', () => {
    const g = rng(39);
    const numbers = pool(10, 39);
    const hour = (id: string, withheld: number) =>
      callsInHour(id, HOUR, 200, (i) => ({
        calling: i < 200 * withheld ? 'anonymous' : g.pick(numbers),
        answered: g.next() < 0.7,
        durationS: g.int(40, 400),
      }));
    const r = ref(customer('P', 'standard', 'conversational'), customer('Q', 'standard', 'conversational'));
    const findings = analyzeCalls([...hour('P', 0.2), ...hour('Q', 0.35)], r);
    expect(codesFor(findings, 'P').size).toBe(0);
    expect([...codesFor(findings, 'Q')]).toEqual(['WITHHELD_CALLING_NUMBER']);
    expect(worstSeverity(findings, 'Q')).toBe('low');
  });

  it('a wholesale upstream with a normal share of B and C attestation', () => {
    const g = rng(32);
    const numbers = pool(60, 32);
    const calls = callsInHour('W', HOUR, 600, () => ({
      calling: g.pick(numbers),
      attestation: g.next() < 0.25 ? g.pick(['B', 'C'] as const) : 'A',
    }));
    expect(codesFor(analyzeCalls(calls, ref(customer('W', 'trusted', 'conversational'))), 'W').size).toBe(0);
  });
});

describe('scoring', () => {
  it('hard rules cannot be relaxed by policy and set a severity floor', () => {
    expect(() => loadPolicy({ rules: { DNO_CALLING_NUMBER: { threshold: 100 } } })).toThrow(
      /rules: Unrecognized key.*DNO_CALLING_NUMBER/,
    );
    const r = ref(customer('D', 'trusted', 'conversational'));
    r.dno.add('+18005550200');
    const [f] = analyzeCalls(
      callsInHour('D', HOUR, 50, (i) => ({ calling: i === 0 ? '+18005550200' : '+12129870000' })),
      r,
    );
    expect(f.severity).toBe('high');
    expect(f.score).toBeGreaterThanOrEqual(65);
  });

  it('reserved fictitious caller IDs are invalid ones: a few dozen an hour open a case below the share rule', () => {
    const g = rng(34);
    const numbers = pool(20, 34);
    // 15% of 300 calls from 555-01XX, unsigned: under the fictitious share rule's 30%
    const calls = callsInHour('F', HOUR, 300, (i) =>
      i % 20 < 3
        ? { calling: `+1212555${String(100 + g.int(0, 99)).padStart(4, '0')}`, attestation: '' }
        : { calling: g.pick(numbers) },
    );
    const [f] = analyzeCalls(calls, ref(customer('F', 'standard', 'conversational')));
    expect(f.severity).toBe('high');
    expect(f.reasons.map((x) => x.code)).toEqual(['INVALID_CALLING_NUMBER']);
    expect(f.reasons[0].observed).toBe(45);
    expect(f.metrics.invalid_calling).toBe(45);
  });

  it('policy overrides are validated with a message that names the field', () => {
    expect(() => loadPolicy({ rules: { LOW_ASR: { threshold: -1 } } }, 'my.json')).toThrow(
      /my.json: rules.LOW_ASR.threshold/,
    );
    expect(() => loadPolicy({ severity: { medium: 90 } }, 'p.json')).toThrow(/severity lines must rise/);
    expect(loadPolicy({ rules: { LOW_ASR: { threshold: 0.5 } } }).rules.LOW_ASR.threshold).toBe(0.5);
  });

  it('more reasons and larger excess give a higher score', () => {
    const one = analyzeCalls(
      callsInHour('X', HOUR, 400, (i) => ({
        calling: pool(20, 40)[i % 20],
        durationS: i % 10 < 3 ? 3 : 200,
      })),
    );
    const many = analyzeCalls(callsInHour('Y', HOUR, 400, () => ({ durationS: 2, attestation: 'C' })));
    expect(many[0].score).toBeGreaterThan(one[0].score);
    expect(many[0].reasons.length).toBeGreaterThan(one[0].reasons.length);
  });
});

describe('attestation the source does not report', () => {
  it('is neither signed nor unsigned: a switch without the column does not make every customer look unsigned', async () => {
    const { parse } = await import('../helpers/parse.ts');
    const { Aggregator } = await import('../../shared/detect/aggregator.ts');
    const { scoreAll } = await import('../../shared/detect/analysis.ts');
    const g = rng(50);
    const nums = pool(20, 50);
    const rows = (withColumn: boolean) =>
      Array.from({ length: 300 }, (_, i) => {
        const base = `c${i},${new Date(HOUR + i * 10_000).toISOString()},U,${g.pick(nums)},${randomNumber(g)},120,200`;
        return withColumn ? `${base},` : base; // empty attestation = unsigned; no column = not reported
      });
    const header = 'call_id,start_time,customer_id,calling_number,called_number,duration_s,sip_code';
    const without = await parse(`${header}\n${rows(false).join('\n')}\n`);
    const unsigned = await parse(`${header},attestation\n${rows(true).join('\n')}\n`);
    expect(without.calls.every((c) => c.attestation === '?')).toBe(true);
    expect(unsigned.calls.every((c) => c.attestation === '')).toBe(true);
    const codes = (calls: typeof without.calls) => {
      const agg = new Aggregator(ref());
      for (const c of calls) agg.add(c);
      return scoreAll(agg, ref(), loadPolicy(), null).flatMap((f) => f.reasons.map((r) => r.code));
    };
    expect(codes(without.calls)).not.toContain('UNSIGNED_OR_GATEWAY_ATTESTATION');
    expect(codes(unsigned.calls)).toContain('UNSIGNED_OR_GATEWAY_ATTESTATION');
  });
});

describe('short answered calls on a small sample', () => {
  /** a dialer's hour of 200 attempts at a low answer rate: `answered` answered calls, `short` of them under 6 s */
  const hour = (answered: number, short: number) =>
    callsInHour('X', HOUR, 200, (i) =>
      i < answered
        ? { calling: OWN_DID, durationS: i < short ? 3 : 180 }
        : { calling: OWN_DID, answered: false },
    );
  const OWN_DID = '+13125550100';
  const shortFires = (answered: number, short: number) =>
    codesFor(analyzeCalls(hour(answered, short), ref(customer('X', 'standard', 'conversational'))), 'X').has(
      'SHORT_CALL_RATIO',
    );

  it('a share over a handful of answered calls is not evidence unless nearly all of them were short', () => {
    // 2 of 6 is 33%, past the 20% threshold, but 6 calls vouch for no more than 12%
    expect(shortFires(6, 2)).toBe(false);
    // every one of 12 answered calls short: the sample vouches for far more than 20%
    expect(shortFires(12, 12)).toBe(true);
  });

  it('from 30 answered calls the share is read as it stands', () => {
    expect(shortFires(30, 8)).toBe(true);
    expect(shortFires(29, 8)).toBe(false);
  });

  it('shareAtLeast is the Wilson lower bound: below the share, closer to it as the sample grows', () => {
    expect(shareAtLeast(2, 6)).toBeCloseTo(0.117, 3);
    expect(shareAtLeast(25, 25)).toBeCloseTo(0.902, 3);
    expect(shareAtLeast(500, 1000)).toBeCloseTo(0.474, 3);
    expect(shareAtLeast(0, 10)).toBe(0);
    expect(shareAtLeast(0, 0)).toBe(0);
  });
});
