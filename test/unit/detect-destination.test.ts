import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  destinationOf,
  MAX_ON_NET_DIGITS,
  normalizeCalledNumber,
  normalizeNumber,
} from '../../shared/cdr/phone.ts';
import { Aggregator } from '../../shared/detect/aggregator.ts';
import { emptyReference, NumberInventory } from '../../shared/detect/reference.ts';
import { mergeInto, windowFromJson, windowToJson } from '../../shared/detect/window.ts';
import { callsInHour, HOUR } from '../helpers/traffic.ts';

const called = (raw: string) => destinationOf(normalizeCalledNumber(raw).value);

describe('destination of a call', () => {
  it('E.164 numbers in any spelling go to the PSTN', () => {
    for (const raw of [
      '+12025550143',
      '12025550143',
      '(202) 555-0143',
      '011 44 20 7946 0958',
      'sip:+12025550143@h',
    ])
      expect(called(raw), raw).toBe('pstn');
  });
  it('numbers dialled behind an outside-line 9 go to the PSTN', () => {
    for (const raw of ['9011442079460958', '912025550143', '9 1 202 555 0143', 'sip:912025550143@pbx'])
      expect(called(raw), raw).toBe('pstn');
    // as the number the PSTN saw, so a traceback request naming it finds the call
    expect(normalizeCalledNumber('9 1 (202) 555-0143').value).toBe('+12025550143');
    expect(normalizeCalledNumber('sip:9011442079460958@pbx').value).toBe('+442079460958');
    for (const raw of ['9011', '91202']) expect(called(raw), raw).toBe('on_net');
    // a public number's digits that are no number (area code 102): garbled, not an extension
    expect(called('91025550143')).toBe('pstn');
  });

  it('extensions, feature codes, SIP user names and voicemail stay on the switch', () => {
    for (const raw of ['1008', '3500', '*97', '*72#', 'voicemail', 'alice', 'sip:bob@pbx.example', '4'])
      expect(called(raw), raw).toBe('on_net');
  });
  it('911 and 933 (also behind an outside-line 9) are emergency calls', () => {
    for (const raw of ['911', '933', '9911', ' 911 ', 'sip:911@pbx', 'tel:911', '<sip:933@pbx;user=phone>'])
      expect(called(raw), raw).toBe('emergency');
    expect(called('9111')).toBe('on_net');
  });
  it('every normalizable number is PSTN', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (raw) => {
        const n = normalizeNumber(raw);
        // a + and digits, valid or kept as written (a bare + is no number: on-net, below)
        if (n.value.startsWith('+') && /\d/.test(n.value)) expect(destinationOf(n.value)).toBe('pstn');
        // anything else that is no number of an extension's few digits: a user name, a feature code
        else if (!/^[\d\s().\-/]*$/.test(n.value) && n.value.replace(/\D/g, '').length <= MAX_ON_NET_DIGITS)
          expect(destinationOf(n.value)).toBe('on_net');
      }),
    );
  });
});

function windowOf(calls: ReturnType<typeof callsInHour>, ref = emptyReference()) {
  const agg = new Aggregator(ref);
  for (const c of calls) agg.add(c);
  return [...agg.windows()][0];
}

describe('on-net and emergency calls in a window', () => {
  const mixed = callsInHour('PBX', HOUR, 40, (i) =>
    i % 4 === 0
      ? { calling: '1008', called: '3500' }
      : i % 4 === 1
        ? { calling: '1008', called: '*97' }
        : i % 4 === 2
          ? { calling: '2001', called: '911' }
          : { calling: '+12129870143', called: '+12025550199' },
  );

  it('are counted apart and fold nothing else', () => {
    const w = windowOf(mixed);
    expect(w.onNet).toBe(20);
    expect(w.emergency).toBe(10);
    expect(w.attempts).toBe(10);
    expect(w.callingInvalid).toBe(0);
    expect(w.called.count()).toBe(1);
  });

  it('merge by addition, and a stored window without them reads as zero', () => {
    const a = windowOf(mixed.slice(0, 17));
    const b = windowOf(mixed.slice(17));
    const merged = mergeInto(a, b);
    expect([merged.onNet, merged.emergency, merged.attempts]).toEqual([20, 10, 10]);
    const json = windowToJson(windowOf(mixed)) as unknown as Record<string, unknown>;
    delete json.onNet;
    delete json.emergency;
    delete json.callingChecked;
    delete json.callingOutsideInventory;
    const old = windowFromJson(json as never, 100);
    expect([old.onNet, old.emergency, old.callingChecked, old.attempts]).toEqual([0, 0, 0, 10]);
  });
});

describe('caller IDs checked against the inventory', () => {
  it('every call with a caller ID is checked, whatever its attestation', () => {
    const ref = emptyReference();
    const inv = new NumberInventory();
    inv.add('C1', '+12125550143');
    ref.inventory = inv;
    const calls = callsInHour('C1', HOUR, 10, (i) => ({
      calling: i < 4 ? '+12125550143' : `+1212555${String(2000 + i)}`,
      attestation: i % 2 ? 'B' : 'A',
    }));
    const w = windowOf(calls, ref);
    expect(w.callingChecked).toBe(10);
    expect(w.callingOutsideInventory).toBe(6);
    expect(w.aChecked).toBe(5);
    expect(w.aOutsideInventory).toBe(3);
  });
});
