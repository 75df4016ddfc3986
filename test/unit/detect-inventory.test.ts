import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numberKey, PLAIN_E164 } from '../../shared/cdr/number-key.ts';
import { normalizeNumber } from '../../shared/cdr/phone.ts';
import { readPlainInventory } from '../../shared/detect/inventory-plain.ts';
import { KEY_SPLIT, keyHigh, keyLow } from '../../shared/detect/number-set.ts';
import { OwnedNumbers } from '../../shared/detect/owned-numbers.ts';
import { keyHasPrefix, NumberInventory, parseInventory } from '../../shared/detect/reference.ts';

/** The number inventory keeps plain E.164 numbers as keys: what it answers must be what strings would. */
describe('number inventory', () => {
  const e164 = fc.oneof(
    fc.integer({ min: 2_000_000_000, max: 9_999_999_999 }).map((n) => `+1${n}`),
    fc.integer({ min: 10_000_000, max: 999_999_999_999_999 }).map((n) => `+${n}`),
  );
  // text that is not plain E.164, as callers may still hand it in
  const odd = fc.constantFrom('+0123456789', 'anonymous', '+1202555012345678', '1001', '');
  const prefix = fc.constantFrom('+1202555*', '+44*', '+1*');

  it('owns, keysOf and entries agree with a plain list of strings, whatever is added', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('C1', 'C2', 'C3'), fc.oneof(e164, odd, prefix)), { maxLength: 40 }),
        fc.array(fc.oneof(e164, odd), { maxLength: 20 }),
        (added, probes) => {
          const inv = new NumberInventory();
          for (const [c, n] of added) inv.add(c, n);
          const list = (c: string) => added.filter(([k]) => k === c).map(([, n]) => n);
          const ownsByText = (c: string, n: string) =>
            list(c).some((e) => (e.endsWith('*') ? n.startsWith(e.slice(0, -1)) : e === n));
          // another thread's inventory around the same table in shared memory answers the same
          const shared = NumberInventory.fromShared(inv.share());
          for (const view of [inv, shared])
            for (const c of ['C1', 'C2', 'C3', 'C4']) {
              expect(view.hasCustomer(c)).toBe(list(c).length > 0);
              for (const n of [...probes, ...list(c).filter((e) => !e.endsWith('*'))]) {
                expect(view.owns(c, n)).toBe(ownsByText(c, n));
                // the key view (calls on the fast lane) answers the same for plain E.164 text
                const keys = view.keysOf(c);
                if (/^\+[1-9]\d{0,14}$/.test(n) && keys) {
                  const k = numberKey(n);
                  expect(keys.has(k) || keyHasPrefix(k, keys.prefixes)).toBe(ownsByText(c, n));
                }
              }
            }
          // whoever holds it: a customer listing it exactly, else one with the longest prefix covering it
          const listing = (n: string): string[] => added.filter(([, e]) => e === n).map(([c]) => c);
          const longestPrefix = (n: string) => {
            const covering = added.filter(([, e]) => e.endsWith('*') && n.startsWith(e.slice(0, -1)));
            const longest = Math.max(...covering.map(([, e]) => e.length));
            return covering.filter(([, e]) => e.length === longest).map(([c]): string => c);
          };
          for (const view of [inv, shared])
            for (const n of [...probes, ...added.map(([, e]) => e)].filter((e) => PLAIN_E164.test(e))) {
              const k = numberKey(n);
              const hi = keyHigh(k);
              const lo = keyLow(k, hi);
              const name = (no: number) => (no < 0 ? null : view.customerIdOf(no));
              const exact = name(view.exactHolder(-1, hi, lo));
              if (listing(n).length === 0) expect(exact).toBeNull();
              else expect(listing(n)).toContain(exact);
              // a customer asking for itself is the answer whenever it lists the number
              for (const c of ['C1', 'C2', 'C3']) {
                const no = view.keysOf(c)?.customerNo ?? -1;
                if (listing(n).includes(c)) expect(name(view.exactHolder(no, hi, lo))).toBe(c);
                else expect(name(view.exactHolder(no, hi, lo))).toBe(exact);
              }
              const byPrefix = name(view.prefixHolder(hi, lo));
              if (longestPrefix(n).length === 0) expect(byPrefix).toBeNull();
              else expect(longestPrefix(n)).toContain(byPrefix);
            }
          expect(shared.size).toBe(inv.size);
          // shared, both are read only: a number added in one thread would be half written in another
          expect(() => inv.add('C1', '+12025550100')).toThrow(/read only/);
          expect(() => shared.addPlainKey('C1', 12025550100)).toThrow(/read only/);
          // entries rebuild the same inventory (a worker thread's copy)
          const copy = new NumberInventory();
          for (const [c, n] of inv.entries()) copy.add(c, n);
          expect(new Set(copy.entries().map((e) => e.join(' ')))).toEqual(
            new Set(added.map((e) => e.join(' '))),
          );
          expect(copy.size).toBe(inv.size);
        },
      ),
    );
  });

  it("the one table of every customer's numbers answers as a set per customer would, however it grows", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 60 }), fc.integer({ min: 0, max: 2 ** 50 })), { maxLength: 3000 }),
        fc.array(fc.tuple(fc.nat({ max: 61 }), fc.integer({ min: 0, max: 2 ** 50 })), { maxLength: 200 }),
        (added, probes) => {
          const table = new OwnedNumbers();
          const expected = new Set<string>();
          const parts = (key: number) => [keyHigh(key), keyLow(key, keyHigh(key))] as const;
          for (const [no, key] of added) {
            const [hi, lo] = parts(key);
            expect(table.add(no, hi, lo)).toBe(!expected.has(`${no} ${key}`));
            expected.add(`${no} ${key}`);
          }
          expect(table.size).toBe(expected.size);
          for (const [no, key] of [...added, ...probes]) {
            const [hi, lo] = parts(key);
            expect(table.has(no, hi, lo)).toBe(expected.has(`${no} ${key}`));
          }
          const listed: string[] = [];
          table.forEach((no, hi, lo) => {
            listed.push(`${no} ${hi * KEY_SPLIT + lo}`);
          });
          expect(listed.sort()).toEqual([...expected].sort());
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a prefix in the table names its customer for every number it covers, the longest prefix first, however it grows', () => {
    const parts = (key: number) => [keyHigh(key), keyLow(key, keyHigh(key))] as const;
    fc.assert(
      fc.property(
        // prefixes of the same few numbers' first digits, so that they nest
        fc.array(
          fc.tuple(
            fc.nat({ max: 40 }),
            fc.constantFrom(14048812345, 447700900123),
            fc.integer({ min: 1, max: 11 }),
          ),
          {
            maxLength: 30,
          },
        ),
        fc.array(fc.tuple(fc.nat({ max: 40 }), fc.integer({ min: 0, max: 2 ** 50 })), { maxLength: 1500 }),
        (prefixes, numbers) => {
          const table = new OwnedNumbers();
          const first = new Map<string, number>();
          for (const [no, key] of numbers) table.add(no, ...parts(key));
          for (const [no, number, digits] of prefixes) {
            const text = String(number).slice(0, digits);
            table.addPrefix(no, ...parts(Number(text)), text.length);
            if (!first.has(text)) first.set(text, no);
          }
          // a prefix is no exact number: the exact numbers are as they were
          expect(table.size).toBe(new Set(numbers.map(([no, key]) => `${no} ${key}`)).size);
          for (const n of [14048812345, 14048819999, 447700900123, 44770, 1, 99]) {
            const covering = [...first.keys()].filter((p) => String(n).startsWith(p));
            const longest = covering.sort((a, b) => b.length - a.length)[0];
            const holders = prefixes
              .filter(([, number, digits]) => String(number).slice(0, digits) === longest)
              .map(([no]) => no);
            const got = table.prefixHolder(...parts(n));
            if (longest === undefined) expect(got).toBe(-1);
            else expect(holders).toContain(got);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a plain E.164 number is taken as written: normalizing it would give it back unchanged', () => {
    // parseInventory skips normalizing such numbers (most of a carrier's file), on this ground
    fc.assert(
      fc.property(fc.stringMatching(/^\+[1-9]\d{0,14}$/), (raw) => {
        expect(PLAIN_E164.test(raw)).toBe(true);
        expect(normalizeNumber(raw).value).toBe(raw);
        const inv = parseInventory(`customer_id,number\nC1,${raw}\n`, 'numbers.csv');
        expect(inv.entries()).toEqual([['C1', raw]]);
      }),
      { numRuns: 500 },
    );
  });

  it('a parsed file counts each number once and answers for it in any written form', () => {
    const inv = parseInventory(
      'customer_id,number\nC1,+12025550143\nC1,(202) 555-0143\nC1,+1303555*\nC2,+447700900123\n',
      'numbers.csv',
    );
    expect(inv.size).toBe(3);
    expect(inv.owns('C1', '+12025550143')).toBe(true);
    expect(inv.owns('C1', '+13035550000')).toBe(true);
    expect(inv.owns('C2', '+12025550143')).toBe(false);
    // who holds a number: the customer listing it, else the one whose prefix covers it
    const holder = (e164: string) => {
      const k = numberKey(e164);
      const hi = keyHigh(k);
      const exact = inv.exactHolder(-1, hi, keyLow(k, hi));
      const no = exact >= 0 ? exact : inv.prefixHolder(hi, keyLow(k, hi));
      return no < 0 ? null : inv.customerIdOf(no);
    };
    expect(holder('+447700900123')).toBe('C2');
    expect(holder('+13035550000')).toBe('C1');
    expect(holder('+1303555')).toBe('C1');
    expect(holder('+130355')).toBeNull();
    expect(holder('+14045550000')).toBeNull();
    expect(inv.entries()).toEqual([
      ['C1', '+12025550143'],
      ['C2', '+447700900123'],
      ['C1', '+1303555*'],
    ]);
  });

  /** what an inventory holds, in an order that does not depend on how its table was sized */
  const holdings = (inv: NumberInventory) =>
    inv.entries().sort(([a, x], [b, y]) => a.localeCompare(b) || x.localeCompare(y));
  /** the same file with an extra column: the quick reader gives up on it, so it is read the general way */
  const generalWay = (lines: string[]) =>
    ['customer_id,number,note', ...lines.map((l) => (l === '' ? l : `${l},`))].join('\n');

  it('a plain file read the quick way holds what the general CSV reader makes of it, LF or CRLF, ids repeated or not', () => {
    const id = fc.stringMatching(/^[!#-+\--~]{1,12}$/);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.oneof(fc.constantFrom('C1', 'C2'), id), e164), { minLength: 1, maxLength: 60 }),
        fc.boolean(),
        fc.boolean(),
        (rows, crlf, finalNewline) => {
          const lines = rows.map(([c, n]) => `${c},${n}`);
          const eol = crlf ? '\r\n' : '\n';
          const text = `customer_id,number${eol}${lines.join(eol)}${finalNewline ? eol : ''}`;
          const quick = new NumberInventory();
          expect(readPlainInventory(text, quick)).toBe(true);
          const general = parseInventory(generalWay(lines), 'numbers.csv');
          expect(holdings(quick)).toEqual(holdings(general));
          expect(holdings(parseInventory(text, 'numbers.csv'))).toEqual(holdings(general));
          // the file's bytes, as a worker reads them, give the same
          expect(holdings(parseInventory(Buffer.from(text), 'numbers.csv'))).toEqual(holdings(general));
          for (const [c, n] of rows) expect(quick.owns(c, n)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a line the quick reader cannot take sends the whole file the general way, errors and all', () => {
    const plain = ['C1,+12025550143', 'C2,+447700900123'];
    const odd = [
      'C1,(202) 555-0143', // another way to write a number
      'C1,+1303555*', // a prefix
      ' C1 ,+12025550144', // blanks trimmed
      '"C1",+12025550145', // quoted
      'C1,+012025550143', // not plain E.164 (a leading zero): kept as written
      'C1,hello', // not a number: an error with its line
      'C1,+1202555014312345', // 19 digits
      '', // an empty line
      ',+12025550146', // no customer: an error with its line
      'C1,+12025550147,extra', // a third field
      'C\u00e91,+12025550148', // an id beyond ASCII
    ];
    // what a file makes: its holdings, or its error (the line counted in the file each was given)
    const outcome = (file: string | Buffer) => {
      try {
        return holdings(parseInventory(file, 'numbers.csv'));
      } catch (e) {
        return (e as Error).message.replace(/line \d+/, 'line N');
      }
    };
    for (const line of odd) {
      const text = ['customer_id,number', plain[0], line, plain[1]].join('\n');
      expect(readPlainInventory(text, new NumberInventory())).toBe(false);
      const expected = outcome(generalWay([plain[0], line, plain[1]]));
      expect(outcome(text), line).toEqual(expected);
      // the file's bytes, as a worker reads them, give the same
      expect(outcome(Buffer.from(text)), line).toEqual(expected);
    }
    expect(() =>
      parseInventory('customer_id,number\nC1,+12025550143\n,+12025550146\n', 'numbers.csv'),
    ).toThrow('numbers.csv: line 3: customer_id is empty');
  });
});
