import { describe, expect, it } from 'vitest';
import { classifyNanp } from '../../shared/cdr/nanp.ts';
import { destinationOf, normalizeCalledNumber, normalizeNumber } from '../../shared/cdr/phone.ts';
import { parseTimestamp, ZoneClock } from '../../shared/cdr/time.ts';
import { ByteTimeParser } from '../../shared/cdr/time-bytes.ts';

describe('normalizeNumber', () => {
  it.each([
    ['+12125550143', '+12125550143'],
    ['12125550143', '+12125550143'],
    ['2125550143', '+12125550143'],
    ['(212) 555-0143', '+12125550143'],
    ['212.555.0143', '+12125550143'],
    ['sip:+12125550143@10.0.0.1;user=phone', '+12125550143'],
    ['<sip:2125550143@host>', '+12125550143'],
    ['tel:+12125550143;verstat=TN-Validation-Passed', '+12125550143'],
    ['011442071234567', '+442071234567'],
    ['00442071234567', '+442071234567'],
    ['+442071234567', '+442071234567'],
    // a spreadsheet's or a dataframe's float: its dot is no separator (20255501430 would be +20, Egypt)
    ['2125550143.0', '+12125550143'],
    ['+442071234567.00', '+442071234567'],
    // a SIP user@host logged without its scheme
    ['2125550143@10.0.0.1', '+12125550143'],
    ['+12125550143;verstat=TN-Validation-Passed@sbc', '+12125550143'],
  ])('%s -> %s', (raw, e164) => {
    expect(normalizeNumber(raw).value).toBe(e164);
  });

  it('keeps a dotted number that is no float as the separators it was written with', () => {
    // a dot with digits after it other than zeros is a separator, read as before
    expect(normalizeNumber('212.555.0143').value).toBe('+12125550143');
    expect(normalizeNumber('12125550143.000').value).toBe('+12125550143');
    expect(normalizeNumber('2125550143@').cls).toBe('invalid_digits');
  });

  it('reads verstat inside the user part or as a URI parameter', () => {
    expect(normalizeNumber('sip:+12125550143;verstat=TN-Validation-Failed@host').verstat).toBe(
      'TN-Validation-Failed',
    );
    expect(normalizeNumber('tel:+12125550143;verstat=No-TN-Validation').verstat).toBe('No-TN-Validation');
    expect(normalizeNumber('+12125550143').verstat).toBe('');
  });

  it('classifies blank and anonymous callers as blank, not invalid', () => {
    for (const raw of ['', '  ', 'anonymous', 'Anonymous', 'sip:anonymous@anonymous.invalid', 'Restricted']) {
      expect(normalizeNumber(raw).cls).toBe('blank');
    }
    // privacy as switches spell it: words that say the number is withheld, and the P / O display codes
    for (const raw of [
      'Private Caller',
      'Restricted Number',
      'Blocked',
      'OUT OF AREA',
      'Out-of-Area',
      'P',
      'O',
    ])
      expect(normalizeNumber(raw).cls, raw).toBe('blank');
    for (const raw of ['Unknown Caller', 'No Caller ID', 'Withheld Number', 'anonymous_caller'])
      expect(normalizeNumber(raw).cls, raw).toBe('blank');
    // other words are no caller ID anyone withheld
    for (const raw of ['number', 'caller id', 'CALLME', 'alice', 'PP'])
      expect(normalizeNumber(raw).cls, raw).toBe('invalid_digits');
  });

  it('reads the URI of a name-addr with a display name', () => {
    expect(normalizeNumber('"John Smith" <sip:+12129870143@sbc.example;user=phone>')).toMatchObject({
      value: '+12129870143',
      cls: 'valid',
    });
    // header parameters after the URI, and a '<' inside the display name
    expect(normalizeNumber('"John" <sip:+12129870143@h>;tag=a1').value).toBe('+12129870143');
    expect(normalizeNumber('"a<b" <sip:+12129870143@h>').value).toBe('+12129870143');
    expect(normalizeNumber('"Anonymous" <sip:anonymous@anonymous.invalid>').cls).toBe('blank');
  });

  it('reads a called number dialled behind a per-call caller-ID code (*67, *82, #31#), also after the outside-line 9', () => {
    for (const raw of ['*6712129870143', '*67 (212) 987-0143', '*8212129870143', '#31#+12129870143'])
      expect(normalizeCalledNumber(raw)).toMatchObject({ value: '+12129870143', cls: 'valid' });
    for (const raw of ['*67912129870143', '9*6712129870143', '9 *67 1 212 987 0143'])
      expect(normalizeCalledNumber(raw).value, raw).toBe('+12129870143');
    expect(normalizeCalledNumber('*82911').value).toBe('911');
    // a feature code alone, or one followed by no number, stays as dialled
    expect(normalizeCalledNumber('*67')).toMatchObject({ value: '*67', cls: 'invalid_digits' });
    expect(normalizeCalledNumber('*671234')).toMatchObject({ value: '1234', cls: 'invalid_digits' });
    // a caller ID never carries one: with it, it is no number (the invalid caller-ID rule sees it)
    expect(normalizeNumber('*6712129870143')).toMatchObject({
      value: '*6712129870143',
      cls: 'invalid_digits',
    });
  });

  it('leaves out an extension written after the number, in any spelling, as it leaves out ;ext=', () => {
    for (const raw of [
      '+12129870143 x123',
      '+12129870143x123',
      '(212) 987-0143 X 12',
      '2129870143 ext. 5',
      '+1 212 987 0143 ext 5',
      '+12129870143 extension 5',
      '+12129870143#12',
      '2129870143;ext=12',
    ]) {
      expect(normalizeNumber(raw), raw).toMatchObject({ value: '+12129870143', cls: 'valid' });
      expect(normalizeCalledNumber(raw), raw).toMatchObject({ value: '+12129870143', cls: 'valid' });
    }
    expect(destinationOf(normalizeCalledNumber('2129870143x12').value)).toBe('pstn');
    // no number before it, or letters in it: kept as written
    for (const raw of ['x123', '1008#12', 'CALL x12', '2129870143 x'])
      expect(normalizeNumber(raw), raw).toMatchObject({ value: raw, cls: 'invalid_digits' });
  });

  it('reads a called number behind the outside-line 9 with an extension after it as the number it reached', () => {
    for (const raw of ['9 1 212 987 0143 x12', '912129870143 ext. 5', '9 011 44 20 7946 0958 #3']) {
      const n = normalizeCalledNumber(raw);
      expect(n.value, raw).toMatch(/^\+(12129870143|442079460958)$/);
      expect(destinationOf(n.value), raw).toBe('pstn');
    }
  });

  it('reads digits in another width or script (full-width, Arabic-Indic) and Unicode dashes as ASCII', () => {
    for (const raw of [
      '＋１ (２１２) ９８７-０１４３',
      '+١٢١٢٩٨٧٠١٤٣',
      '+۱۲۱۲۹۸۷۰۱۴۳',
      '212−987‐0143',
      '２１２９８７０１４３ ｘ１２',
    ]) {
      expect(normalizeNumber(raw), raw).toMatchObject({ value: '+12129870143', cls: 'valid' });
      expect(normalizeCalledNumber(raw), raw).toMatchObject({ value: '+12129870143', cls: 'valid' });
    }
    // letters of another script are still no digits: kept as written
    expect(normalizeNumber('+１２１２ＣＡＬＬ')).toMatchObject({
      value: '+１２１２ＣＡＬＬ',
      cls: 'invalid_digits',
    });
  });

  it('a called number that is a bare + or a privacy word is kept as written, invalid, and not the PSTN', () => {
    for (const raw of ['+', 'anonymous', 'sip:anonymous@anonymous.invalid', 'Restricted']) {
      const n = normalizeCalledNumber(raw);
      expect(n.cls, raw).toBe('invalid_digits');
      expect(n.value, raw).not.toBe('');
      expect(destinationOf(n.value), raw).toBe('on_net');
    }
    // a number with a + is the public network's, valid or not
    expect(destinationOf(normalizeCalledNumber('+1 800 FLOWERS').value)).toBe('pstn');
  });

  it('reads international digits written without +, 011 or 00 after a country code, as switches log them', () => {
    for (const [raw, e164] of [
      ['442079460000', '+442079460000'],
      ['33142685300', '+33142685300'],
      ['861012345678', '+861012345678'],
      ['79161234567', '+79161234567'],
      ['919876543210', '+919876543210'],
      ['35312345678', '+35312345678'],
      ['44 20 7946 0000', '+442079460000'],
    ]) {
      expect(normalizeNumber(raw), raw).toMatchObject({ value: e164, cls: 'valid' });
      const called = normalizeCalledNumber(raw).value;
      expect(called, raw).toBe(raw === '919876543210' ? '+19876543210' : e164);
      expect(destinationOf(called), raw).toBe('pstn');
    }
    // no country code starts so (28, 0), too few or too many digits, 91 (India) but not 12 digits,
    // a 1 without the NANP's 11: kept as written
    for (const raw of [
      '28123456789',
      '04420794600',
      '442079460',
      '4420794600001234',
      '91025550143',
      '123456789012',
    ])
      expect(normalizeNumber(raw), raw).toMatchObject({ value: raw, cls: 'invalid_digits' });
    // behind a US PBX, 9 1 and ten digits is the outside line, not India
    expect(normalizeCalledNumber('912125550143').value).toBe('+12125550143');
  });

  it('keeps numbers it cannot normalize verbatim and calls them invalid', () => {
    expect(normalizeNumber('12345')).toMatchObject({ value: '12345', cls: 'invalid_digits' });
    expect(normalizeNumber('CALLME')).toMatchObject({ value: 'CALLME', cls: 'invalid_digits' });
    expect(normalizeNumber('+1212555014')).toMatchObject({ cls: 'invalid_digits' });
    expect(normalizeNumber('+1234567890123456')).toMatchObject({ cls: 'invalid_digits' });
  });
});

describe('NANP classes', () => {
  it.each([
    ['2125550143', 'fictitious'],
    ['2125551212', 'fictitious'],
    ['2125550200', 'valid'],
    ['2129871234', 'valid'],
    ['0125550143', 'invalid_npa'],
    ['1125550143', 'invalid_npa'],
    ['4115550143', 'invalid_npa'], // N11
    ['2915550143', 'invalid_npa'], // N9X
    ['3745550143', 'invalid_npa'], // 37X
    ['9645550143', 'invalid_npa'], // 96X
    ['2120550143', 'invalid_nxx'],
    ['2121550143', 'invalid_nxx'],
    ['2129111234', 'invalid_nxx'], // N11 exchange
    ['2225550143', 'invalid_npa'], // easily recognisable codes serve no area
    ['2005550143', 'invalid_npa'],
    ['4445550143', 'invalid_npa'],
    ['5335550200', 'non_geographic'],
    ['8445550200', 'toll_free'],
    ['8005550200', 'toll_free'],
    ['8335550200', 'toll_free'],
    ['9005550200', 'premium'],
    ['5005550200', 'non_geographic'],
  ])('%s is %s', (n, cls) => {
    expect(classifyNanp(n)).toBe(cls);
  });
});

describe('parseTimestamp', () => {
  const utc = Date.UTC(2026, 10, 27, 16, 31, 7);
  it.each([
    ['2026-11-27T16:31:07Z', utc],
    ['2026-11-27T16:31:07.250Z', utc + 250],
    ['2026-11-27T11:31:07-05:00', utc],
    ['2026-11-27T21:31:07+0500', utc],
    ['2026-11-27 16:31:07Z', utc],
    // as database and warehouse exports write them: a space before the zone, UTC or GMT for Z
    ['2026-11-27 16:31:07 UTC', utc],
    ['2026-11-27 16:31:07.250 utc', utc + 250],
    ['2026-11-27T16:31:07 GMT', utc],
    ['2026-11-27 11:31:07 -0500', utc],
    ['2026-11-27 16:31:07 Z', utc],
    ['1795797067', Date.UTC(2026, 10, 27, 16, 31, 7)],
    ['1795797067123', Date.UTC(2026, 10, 27, 16, 31, 7) + 123],
    ['1795797067.5', Date.UTC(2026, 10, 27, 16, 31, 7) + 500],
  ])('%s', (text, ms) => {
    expect(parseTimestamp(text, null)).toBe(ms);
  });

  it('cuts a fraction of a second to the millisecond, never into the next second, hour or day (both lanes)', () => {
    const ny = new ZoneClock('America/New_York');
    const cases: Array<[string, number, ZoneClock | null]> = [
      ['2026-11-27T16:59:59.9994Z', Date.UTC(2026, 10, 27, 16, 59, 59, 999), null],
      ['2026-11-27T16:59:59.9995Z', Date.UTC(2026, 10, 27, 16, 59, 59, 999), null],
      ['2026-11-27T23:59:59.9996Z', Date.UTC(2026, 10, 27, 23, 59, 59, 999), null],
      ['2026-11-27T23:59:59.9999999999999999999Z', Date.UTC(2026, 10, 27, 23, 59, 59, 999), null],
      ['2026-11-27T18:59:59,9996-05:00', Date.UTC(2026, 10, 27, 23, 59, 59, 999), null],
      ['2026-11-27 18:59:59.9996', Date.UTC(2026, 10, 27, 23, 59, 59, 999), ny],
      ['2026-11-27T16:31:07.1239Z', utc + 123, null],
      ['1795798799.9999', 1_795_798_799_999, null],
      ['1795798799.9995', 1_795_798_799_999, null],
      // read from the digits: 1795797067.123 * 1000 is 1795797067122.9998 as a float
      ['1795797067.123', utc + 123, null],
      ['1795797067.1', utc + 100, null],
      ['1795798799999.9', 1_795_798_799_999, null],
    ];
    for (const [text, ms, zone] of cases) {
      expect(parseTimestamp(text, zone), text).toBe(ms);
      const bytes = Buffer.from(`,${text},`);
      const fast = new ByteTimeParser(undefined, undefined, zone).parse(bytes, 1, bytes.length - 1);
      // the fast lane reads no fractional epoch: the general lane does
      if (!/^\d+\.\d+$/.test(text)) expect(fast, text).toBe(ms);
    }
  });

  it('rejects times without an offset unless a zone is given, and resolves DST', () => {
    expect(parseTimestamp('2026-11-27 11:31:07', null)).toBeNaN();
    const ny = new ZoneClock('America/New_York');
    expect(parseTimestamp('2026-11-27 11:31:07', ny)).toBe(utc);
    expect(parseTimestamp('2026-07-01 10:00:00', ny)).toBe(Date.UTC(2026, 6, 1, 14));
    expect(parseTimestamp('2026-03-08 03:30:00', ny)).toBe(Date.UTC(2026, 2, 8, 7, 30)); // just after spring-forward
  });

  it('rejects garbage and impossible dates', () => {
    for (const bad of [
      '',
      'yesterday',
      '2026-13-01T00:00:00Z',
      '2026-02-30T00:00:00Z',
      '2026-11-27T25:00:00Z',
      '12345',
      '2026-11-27T16:31:07+5',
      '2026-11-27 16:31:07  UTC',
      '2026-11-27 16:31:07 EST',
      '2026-11-27 16:31:07 UTC+1',
    ]) {
      expect(parseTimestamp(bad, null)).toBeNaN();
    }
  });

  it('names unknown zones', () => {
    expect(() => new ZoneClock('Mars/Olympus')).toThrow(/unknown time zone 'Mars\/Olympus'/);
  });
});
