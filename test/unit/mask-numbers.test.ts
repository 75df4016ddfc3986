import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeCalledNumber, normalizeNumber } from '../../shared/cdr/phone.ts';
import { asciiDigits } from '../../shared/privacy/ascii-digits.ts';
import {
  containsPhoneNumber,
  maskPhoneNumbers,
  maskQuarantinedRow,
} from '../../shared/privacy/mask-numbers.ts';

/**
 * Phone numbers never reach a terminal or a log in clear: whatever the CDR parser reads as a number,
 * in any shape the input contract accepts, keeps only its last four digits; dates, times, epochs,
 * addresses, ids and counts around it stay as they were.
 */
describe('maskPhoneNumbers: the shapes a tester found printed in clear by quarantine show', () => {
  it.each([
    ['+1 202 736 5000', '***5000'],
    ['202 736 5000', '***5000'],
    ['442079460000', '***0000'],
    ['011442079460000', '***0000'],
    ['２０２７３６５０００', '***5000'],
    ['+44 20 7946 0000', '***0000'],
    // a valid Egyptian number (+20 2 7937 4450)
    ['20279374450', '***4450'],
    // a per-call code behind a PBX's outside line: the contract's own example
    ['9*6712025550143', '***0143'],
    // a spreadsheet's float: its last four are the number's, not the fraction's
    ['2025550143.0', '***0143'],
  ])('%s', (written, masked) => {
    expect(maskPhoneNumbers(written)).toBe(masked);
    expect(containsPhoneNumber(written)).toBe(true);
    const row = `c7,2026-11-20T10:00:00Z,,,0,C1,T1,${written},anonymous,486,NO_ANSWER,A`;
    expect(maskPhoneNumbers(row)).toBe(
      `c7,2026-11-20T10:00:00Z,,,0,C1,T1,${masked},anonymous,486,NO_ANSWER,A`,
    );
  });
});

describe('maskPhoneNumbers: every number shape of the input contract', () => {
  it.each([
    ['+12025550143', '***0143'],
    ['12025550143', '***0143'],
    ['2025550143', '***0143'],
    ['(202) 555-0143', '***0143'],
    ['+1 (202) 555-0143', '***0143'],
    ['1-202-555-0143', '***0143'],
    ['202.555.0143', '***0143'],
    ['011 44 20 7946 0000', '***0000'],
    ['0044 20 7946 0000', '***0000'],
    ['+44 (0) 20 7946 0000', '***0000'],
    ['+33 1 23 45 67 89', '***6789'],
    ['sip:+12025550143@example.net;user=phone', 'sip:***0143@example.net;user=phone'],
    [
      'sip:+12025550143;verstat=TN-Validation-Passed@example.net',
      'sip:***0143;verstat=TN-Validation-Passed@example.net',
    ],
    ['tel:+1-202-555-0143', 'tel:***0143'],
    ['"Front desk" <sip:+12025550143@10.0.0.1>;tag=a1', '"Front desk" <sip:***0143@10.0.0.1>;tag=a1'],
    ['+12025550143;ext=12', '***0143;ext=12'],
    ['202-555-0143 x123', '***0143 x123'],
    ['+12025550143x123', '***0143x123'],
    ['(202) 555-0143 ext. 12', '***0143 ext. 12'],
    ['2025550143#12', '***0143#12'],
    // Unicode dashes and minus, full-width and Arabic-Indic digits, as the parser reads them
    ['202\u2010555\u20130143', '***0143'],
    ['202\u2212555\u22120143', '***0143'],
    ['＋１ ２０２ ５５５ ０１４３', '***0143'],
    ['\u0662\u0660\u0662\u0665\u0665\u0665\u0660\u0661\u0664\u0663', '***0143'],
    ['\u06f2\u06f0\u06f2-\u06f5\u06f5\u06f5-\u06f0\u06f1\u06f4\u06f3', '***0143'],
    // other decimal digits the parser does not read are masked all the same
    ['\u0968\u0966\u0968\u096b\u096b\u096b\u0966\u0967\u096a\u0969', '***0143'],
    // a called number: a per-call code in front, or behind a PBX's outside-line 9
    ['*6712025550143', '***0143'],
    ['912025550143', '***0143'],
    ['9 011 44 20 7946 0000', '***0000'],
    // an S3 key in a dead-letter or a URL, percent-encoded
    ['cdr%2Fsw%2F%2B12025550143.csv', 'cdr%2Fsw%2F%2B***0143.csv'],
    // a channel named after the number
    ['SIP/2025550143-00000001', 'SIP/***0143-00000001'],
  ])('%s', (written, masked) => {
    expect(maskPhoneNumbers(written)).toBe(masked);
  });

  it('masks a number with digits glued in front whole, not from where the junk lets a shorter one start', () => {
    // `5 011 44 20 7946` reads as a +501 number: masking only it would leave `0000` after `***7946`
    expect(maskPhoneNumbers('5 011 44 20 7946 0000')).toBe('***0000');
    expect(maskPhoneNumbers('2025550143 3125550199')).toBe('***0143 ***0199');
  });
});

describe('maskPhoneNumbers: what operators read stays readable', () => {
  it('leaves times, epochs, addresses, ids, codes and counts of a quarantined row alone', () => {
    const row =
      'b962d82f-10b5-445f-875f-442079460000,2026-11-20T10:00:00Z,2026-11-20 10:00:31.5+05:30,1795000000,' +
      '1795000000123,131.0,C1,T1,,anonymous,486,NO_ANSWER,198.51.100.200:5060,2001:db8::1,sip/trunk-2025550143';
    expect(maskPhoneNumbers(row)).toBe(row);
    const lines = [
      '  line 12: start_time 2026-11-20T10:00:00Z is outside the plausible range 2000-01-01T00:00:00.000Z to 2026-12-08T00:00:00.000Z',
      'ingest done: 90000 row(s): 89997 call(s) counted, 3 quarantined',
      "  line 90001: start_time '1795000000' is not an ISO 8601 time with offset (within ±14:00) or epoch",
      'cdr/sbc-east-1/2026/11/20/Master-20261120-1000.csv#5d41402abc4b2a76b9719d911017c592',
      'case C042-F-96aa1234567890e0, call 3f2a9c1234567890ab, T_2025550143 at 10:00:00 and 16:00-17:00 UTC',
    ];
    for (const line of lines) expect(maskPhoneNumbers(line)).toBe(line);
  });

  it('leaves an Asterisk uniqueid readable whatever the length of its sequence number', () => {
    // `1795798800.7` read as eleven digits is +1 795 798 8007; `1795798800.41`, twelve, is no number
    for (const id of ['1795798800.7', '1795798800.41', '1795798800.12345678', '0999999999.3'])
      expect(maskPhoneNumbers(`"C100","${id}",""`)).toBe(`"C100","${id}",""`);
    // a number after the epoch's dot is still one
    expect(maskPhoneNumbers('1795798800.2025550143')).toBe('1795798800.***0143');
    expect(maskPhoneNumbers('1.795.798.8007')).toBe('***8007');
  });

  it('masks the number among them, and only it', () => {
    expect(maskPhoneNumbers('line 7: 2026-11-20 10:00:00 2025550143 10.0.0.1 486')).toBe(
      'line 7: 2026-11-20 10:00:00 ***0143 10.0.0.1 486',
    );
  });

  it('reads a hostile row of a MiB of short digit groups in seconds, not minutes', () => {
    const row = Array.from({ length: 350_000 }, (_, i) => String((i * 37) % 100).padStart(2, '0')).join(' ');
    const started = performance.now();
    expect(containsPhoneNumber(maskPhoneNumbers(row))).toBe(false);
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});

describe('maskQuarantinedRow: id fields stay as written', () => {
  const row = '1795795320.44,10023456789,4412345678,2024561111,"(301) 555-2600"';
  const ids = { fields: 5, at: [0, 1, 2] };

  it('masks every number but those in the fields ingest named as ids', () => {
    const kept = '1795795320.44,10023456789,4412345678,***1111,"***2600"';
    expect(maskQuarantinedRow(row, ids)).toBe(kept);
    expect(maskQuarantinedRow(`${row}\r\n`, ids)).toBe(`${kept}\r\n`);
    // fields counted in characters, not bytes
    expect(maskQuarantinedRow(`é${row}`, ids)).toBe(`é${kept}`);
  });

  it('masks all of a row whose fields are not those ingest counted, or named by no ids', () => {
    const whole = '1795795320.44,***6789,***5678,***1111,"***2600"';
    expect(maskQuarantinedRow(row)).toBe(whole);
    expect(maskQuarantinedRow(`${row},x`, ids)).toBe(`${whole},x`);
    expect(maskQuarantinedRow(row, { fields: 5, at: [9, -1, 1.5] })).toBe(whole);
    // cut short inside a quoted field
    expect(maskQuarantinedRow('1,10023456789,"2024561111', { fields: 3, at: [1] })).toBe(
      '1,***6789,"***1111',
    );
    // two records: no telling which is the row
    expect(maskQuarantinedRow(`${row}\n${row}`, ids)).toBe(`${whole}\n${whole}`);
  });
});

/** A number the parser reads, written in one of the shapes of the input contract. */
interface Written {
  written: string;
  /** digits of an extension written after it, which stay */
  extension: string;
}

const SCRIPTS: Array<(d: string) => string> = [
  (d) => d,
  (d) => String.fromCharCode(0xff10 + Number(d)),
  (d) => String.fromCharCode(0x0660 + Number(d)),
  (d) => String.fromCharCode(0x06f0 + Number(d)),
];
const SEPARATORS = [' ', '-', '.', '\u2010', '\u2013', '\u2212', '/'];

const digitsOf = (min: number, max: number) =>
  fc.array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max }).map((d) => d.join(''));

/** national digits of a NANP number, or a country code and its subscriber digits */
const number = fc.oneof(
  fc.tuple(fc.constantFrom(...'23456789'), digitsOf(9, 9)).map(([first, rest]) => ({
    cc: '1',
    groups: [first + rest.slice(0, 2), rest.slice(2, 5), rest.slice(5)],
  })),
  fc
    .tuple(
      fc.constantFrom('44', '20', '33', '49', '81', '52', '234', '971', '353', '61', '86', '7'),
      digitsOf(9, 12),
    )
    .map(([cc, sub]) => ({
      cc,
      groups: [sub.slice(0, 2), sub.slice(2, 6), sub.slice(6)].filter((g) => g !== ''),
    })),
);

const shape = fc
  .record({
    n: number,
    script: fc.constantFrom(...SCRIPTS),
    separator: fc.constantFrom(...SEPARATORS),
    grouped: fc.boolean(),
    prefix: fc.constantFrom('+', 'none', 'trunk', 'international', '*67', 'outside line'),
    wrapper: fc.constantFrom(
      'bare',
      'sip',
      'sip verstat',
      'tel',
      'display name',
      ';ext=',
      ' x',
      ' ext. ',
      '#',
    ),
    extension: digitsOf(1, 4),
  })
  .map(({ n, script, separator, grouped, prefix, wrapper, extension }): Written => {
    const nanp = n.cc === '1';
    const national = grouped ? n.groups.join(separator) : n.groups.join('');
    const international = `${n.cc}${grouped ? separator : ''}${national}`;
    const dialled = {
      '+': `+${international}`,
      none: nanp ? national : international,
      trunk: nanp ? `1${separator}${national}` : `00${separator}${international}`,
      international: `011${separator}${international}`,
      '*67': `*67${nanp ? `1${national}` : `011${international}`}`,
      'outside line': `9${nanp ? `1${national}` : `011${international}`}`,
    }[prefix];
    const w = dialled.replace(/\d/g, script);
    const written = {
      bare: w,
      sip: `sip:${w}@example.net;user=phone`,
      'sip verstat': `sip:${w};verstat=TN-Validation-Passed@example.net`,
      tel: `tel:${w}`,
      'display name': `"Front desk" <sip:${w}@example.net>;tag=abc`,
      ';ext=': `${w};ext=${extension}`,
      ' x': `${w} x${extension}`,
      ' ext. ': `${w} ext. ${extension}`,
      '#': `${w}#${extension}`,
    }[wrapper];
    return { written, extension: /ext|x|#/.test(wrapper) ? extension : '' };
  });

const quote = (field: string) => (/[",]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field);

describe('maskPhoneNumbers: property', () => {
  it('masks any number the parser reads, in any accepted shape, inside a quarantined row, and nothing else', () => {
    const before = 'b962d82f-10b5-445f-875f-f12345678901,2026-11-20T10:00:00Z,1795000000,131.0,C1,T1,';
    const after = ',anonymous,486,NO_ANSWER,A,203.0.113.200';
    fc.assert(
      fc.property(shape, ({ written, extension }) => {
        const read = [normalizeNumber(written), normalizeCalledNumber(written)].find((n) =>
          n.value.startsWith('+'),
        );
        fc.pre(read !== undefined);
        const masked = maskPhoneNumbers(`${before}${quote(written)}${after}`);
        expect(masked.startsWith(before) && masked.endsWith(after)).toBe(true);
        const field = masked.slice(before.length, masked.length - after.length);
        expect(field).toContain(`***${read?.value.slice(-4)}`);
        // no digit of the number left but the four kept: only those of the extension
        expect(asciiDigits(field.replace(/\*\*\*\d{4}/g, '')).replace(/\D/g, '')).toBe(extension);
        expect(containsPhoneNumber(masked)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});
