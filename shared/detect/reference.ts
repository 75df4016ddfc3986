import { numberKey, PLAIN_E164 } from '../cdr/number-key.ts';
import { normalizeNumber } from '../cdr/phone.ts';
import type { Customer } from './customers.ts';
import type { CustomerDeclarations } from './declarations.ts';
import { readPlainInventory } from './inventory-plain.ts';
import { KEY_SPLIT, keyHigh, keyLow } from './number-set.ts';
import { OwnedNumbers, type SharedOwnedNumbers } from './owned-numbers.ts';
import { eachCsvObject, ReferenceDataError } from './reference-csv.ts';

/**
 * Reference data (docs/input-contract.md): number inventory and DNO list, and the customer registry
 * loaded with them (customers.ts). Parsers take the text and a source name; every error names the
 * source and line.
 */

/**
 * A customer's inventory as number keys (see numberKey), for checking calls held as keys: its exact
 * numbers in the inventory's one table, under its number there, and its prefixes.
 */
export class InventoryKeys {
  private readonly owned: OwnedNumbers;
  /** the customer's number in `owned` (NumberInventory.exactHolder answers with it), -1 when it has none */
  readonly customerNo: number;
  /** `+1202555*` as value 1202555 with 7 digits */
  readonly prefixes: Array<{ value: number; digits: number }> = [];

  constructor(owned: OwnedNumbers, customerNo: number) {
    this.owned = owned;
    this.customerNo = customerNo;
  }

  /** Whether the key hi * KEY_SPLIT + lo is one of the customer's exact numbers. */
  hasParts(hi: number, lo: number): boolean {
    return this.customerNo >= 0 && this.owned.has(this.customerNo, hi, lo);
  }

  has(key: number): boolean {
    const hi = keyHigh(key);
    return this.hasParts(hi, keyLow(key, hi));
  }
}

/** Decimal digits of a non-negative integer key. */
function digitCount(key: number): number {
  let d = 1;
  while (key >= 10 ** d) d++;
  return d;
}

/**
 * True when the E.164 number whose key is `key` starts with one of the prefixes. Keys of plain E.164
 * text have no leading zero, so "the first `digits` digits equal `value`" is exactly startsWith.
 */
export function keyHasPrefix(key: number, prefixes: InventoryKeys['prefixes']): boolean {
  if (prefixes.length === 0) return false;
  const d = digitCount(key);
  for (const p of prefixes) {
    if (p.digits <= d && Math.floor(key / 10 ** (d - p.digits)) === p.value) return true;
  }
  return false;
}

/** A NumberInventory for another thread (NumberInventory.fromShared): its table in shared memory. */
export interface SharedInventory {
  owned: SharedOwnedNumbers;
  /** customer ids by their number in the table */
  customerIds: string[];
  odd: Map<string, Set<string>>;
  prefixes: Map<string, string[]>;
}

/**
 * Which numbers each customer may present with A attestation: exact E.164 numbers and `+1202555*`
 * prefixes. Exact numbers are kept as number keys, which is how calls are checked against them: a
 * carrier's inventory runs to hundreds of thousands of numbers, loaded by every thread that checks
 * calls, and as strings in a Set per customer they took tens of MB a thread and a collector that
 * copied each one.
 */
export class NumberInventory {
  /**
   * numbers in plain E.164 (every number parseInventory admits), as keys, all customers' in one table
   * (see OwnedNumbers) under the customer's number here
   */
  private owned = new OwnedNumbers();
  private readonly customerNos = new Map<string, number>();
  private readonly customerIds: string[] = [];
  /** any other text added (not plain E.164), kept as it is */
  private readonly odd = new Map<string, Set<string>>();
  private readonly prefixes = new Map<string, string[]>();
  /** whether the table is in shared memory (share, fromShared): read only from then on */
  private shared = false;

  private readonly keyCache = new Map<string, InventoryKeys | null>();
  /** bumped by every add, so callers caching keysOf know when to ask again */
  revision = 0;

  /**
   * The inventory for other threads (analyze's workers), its table of numbers in shared memory: each
   * builds the same inventory around it (fromShared) instead of reading the file again, and the table
   * is in memory once (at 20,000 customers, 119,000 numbers: 4 MB, and about 100 ms of each worker's
   * start). The tables are only read from then on; adding to a shared inventory throws.
   */
  share(): SharedInventory {
    this.shared = true;
    return {
      owned: this.owned.share(),
      customerIds: this.customerIds,
      odd: this.odd,
      prefixes: this.prefixes,
    };
  }

  static fromShared(s: SharedInventory): NumberInventory {
    const inv = new NumberInventory();
    inv.owned = OwnedNumbers.fromShared(s.owned);
    s.customerIds.forEach((id, no) => {
      inv.customerIds.push(id);
      inv.customerNos.set(id, no);
    });
    for (const [c, set] of s.odd) inv.odd.set(c, set);
    for (const [c, list] of s.prefixes) inv.prefixes.set(c, list);
    inv.shared = true;
    return inv;
  }

  /**
   * The customer's inventory as keys, or null when it has none; rebuilt after any add. Only entries
   * that plain E.164 text can match are kept, so a key it holds is one owns('+' + key digits) answers
   * true for. Read it, never change it.
   */
  keysOf(customerId: string): InventoryKeys | null {
    const cached = this.keyCache.get(customerId);
    if (cached !== undefined) return cached;
    let keys: InventoryKeys | null = null;
    if (this.hasCustomer(customerId)) {
      keys = new InventoryKeys(this.owned, this.customerNos.get(customerId) ?? -1);
      for (const p of this.prefixes.get(customerId) ?? []) {
        if (p === '' || p === '+') keys.prefixes.push({ value: 0, digits: 0 });
        else if (/^\+\d{1,15}$/.test(p))
          keys.prefixes.push({ value: Number(p.slice(1)), digits: p.length - 1 });
      }
    }
    this.keyCache.set(customerId, keys);
    return keys;
  }

  add(customerId: string, number: string): void {
    this.changed();
    if (number.endsWith('*')) {
      const p = number.slice(0, -1);
      const list = this.prefixes.get(customerId) ?? [];
      list.push(p);
      this.prefixes.set(customerId, list);
      // in the table too, for prefixHolder: a prefix plain E.164 numbers can start with (`+1404881`)
      if (PLAIN_E164.test(p)) {
        const key = numberKey(p);
        const hi = keyHigh(key);
        this.owned.addPrefix(this.customerNo(customerId), hi, keyLow(key, hi), p.length - 1);
      }
    } else if (PLAIN_E164.test(number)) {
      this.own(customerId, numberKey(number));
    } else {
      const set = this.odd.get(customerId) ?? new Set();
      set.add(number);
      this.odd.set(customerId, set);
    }
  }

  /**
   * Adds a plain E.164 number (see PLAIN_E164) given as its key, the digits' value: what add() does
   * with such text, for a reader that has the digits already.
   */
  addPlainKey(customerId: string, key: number): void {
    this.changed();
    this.own(customerId, key);
  }

  /**
   * Who lists the plain E.164 number whose key is hi * KEY_SPLIT + lo (see KEY_SPLIT) exactly, as a
   * customer number (customerIdOf gives its id): `customerNo` (InventoryKeys.customerNo) when that
   * customer does, else another customer that does, else -1. The one probe that checks a call
   * against its customer's numbers: whoever else holds the number is on the same probe sequence.
   */
  exactHolder(customerNo: number, hi: number, lo: number): number {
    return this.owned.exactHolder(customerNo, hi, lo);
  }

  /**
   * Who holds the plain E.164 number hi * KEY_SPLIT + lo by a prefix (`+1404881*`), for a number no
   * customer lists exactly: the customer with the longest prefix covering it, or -1.
   */
  prefixHolder(hi: number, lo: number): number {
    return this.owned.prefixHolder(hi, lo);
  }

  /** The id of the customer numbered `no` by exactHolder or prefixHolder. */
  customerIdOf(no: number): string {
    const id = this.customerIds[no];
    if (id === undefined) throw new RangeError(`no customer numbered ${no} in the number inventory`);
    return id;
  }

  /** Every add: keysOf's answers are rebuilt, and callers caching them see the new revision. */
  private changed(): void {
    if (this.shared) throw new RangeError('a number inventory in shared memory is read only');
    // a Map's clear() makes a new table even when empty: once per number of a 100,000-number file
    if (this.keyCache.size > 0) this.keyCache.clear();
    this.revision++;
  }

  /** The customer's exact number, as its key, in the one table of every customer's numbers. */
  private own(customerId: string, key: number): void {
    const hi = keyHigh(key);
    this.owned.add(this.customerNo(customerId), hi, keyLow(key, hi));
  }

  /** The customer's number in the table, given when it first lists a number or prefix there. */
  private customerNo(customerId: string): number {
    let no = this.customerNos.get(customerId);
    if (no === undefined) {
      no = this.customerIds.length;
      this.customerIds.push(customerId);
      this.customerNos.set(customerId, no);
    }
    return no;
  }

  /** Sizes the table for `count` plain numbers at once, for a reader that knows how many lines come. */
  reservePlain(count: number): void {
    this.owned.reserve(count);
  }

  /** Every (customer, number or `prefix*`) entry, to rebuild the inventory elsewhere (a worker thread). */
  entries(): Array<[string, string]> {
    // a plain E.164 number's key is its digits: '+' and the key give the number back; customers in
    // the order they came, as the other kinds keep them
    const byCustomer: string[][] = this.customerIds.map(() => []);
    this.owned.forEach((no, hi, lo) => {
      byCustomer[no].push(`+${hi * KEY_SPLIT + lo}`);
    });
    const out: Array<[string, string]> = [];
    byCustomer.forEach((numbers, no) => {
      for (const n of numbers) out.push([this.customerIds[no], n]);
    });
    for (const [c, set] of this.odd) for (const n of set) out.push([c, n]);
    for (const [c, list] of this.prefixes) for (const p of list) out.push([c, `${p}*`]);
    return out;
  }

  hasCustomer(customerId: string): boolean {
    return this.customerNos.has(customerId) || this.odd.has(customerId) || this.prefixes.has(customerId);
  }

  owns(customerId: string, e164: string): boolean {
    if (PLAIN_E164.test(e164)) {
      const no = this.customerNos.get(customerId);
      if (no !== undefined) {
        const key = numberKey(e164);
        const hi = keyHigh(key);
        if (this.owned.has(no, hi, keyLow(key, hi))) return true;
      }
    } else if (this.odd.get(customerId)?.has(e164)) return true;
    const list = this.prefixes.get(customerId);
    if (list) for (const p of list) if (e164.startsWith(p)) return true;
    return false;
  }

  get size(): number {
    let n = this.owned.size;
    for (const s of this.odd.values()) n += s.size;
    for (const l of this.prefixes.values()) n += l.length;
    return n;
  }
}

/** A number inventory from its text, or from the file's bytes (UTF-8), which the quick reader takes as they are. */
export function parseInventory(file: string | Buffer, source: string): NumberInventory {
  const quick = new NumberInventory();
  if (readPlainInventory(file, quick)) return quick;
  const text = typeof file === 'string' ? file : file.toString('utf8');
  const inv = new NumberInventory();
  eachCsvObject(text, source, ['customer_id', 'number'], (line, row) => {
    const customer = row.customer_id;
    const raw = row.number;
    if (!customer) throw new ReferenceDataError(`${source}: line ${line}: customer_id is empty`);
    if (raw.endsWith('*')) {
      if (!/^\+\d{1,14}\*$/.test(raw))
        throw new ReferenceDataError(`${source}: line ${line}: prefix '${raw}' must look like +1202555*`);
      inv.add(customer, raw);
      return;
    }
    // plain E.164 is what normalizing it gives back: most files hold nothing else, and normalizing
    // each of a 100,000-number file was a third of the time every thread spent reading it
    const value = PLAIN_E164.test(raw) ? raw : normalizeNumber(raw).value;
    if (!value.startsWith('+'))
      throw new ReferenceDataError(`${source}: line ${line}: '${raw}' is not an E.164 number or prefix`);
    inv.add(customer, value);
  });
  return inv;
}

/** DNO list: one number per line (E.164 or 10-digit NANP), `#` starts a comment. */
export function parseDno(text: string, source: string): Set<string> {
  const set = new Set<string>();
  text.split(/\r?\n/).forEach((lineText, i) => {
    const t = lineText.replace(/#.*/, '').trim();
    if (t === '') return;
    const n = normalizeNumber(t);
    if (!n.value.startsWith('+'))
      throw new ReferenceDataError(`${source}: line ${i + 1}: '${t.slice(0, 40)}' is not a phone number`);
    set.add(n.value);
  });
  return set;
}

export interface ReferenceData {
  customers: Map<string, Customer>;
  inventory: NumberInventory;
  dno: Set<string>;
  /** what customers declared at onboarding (source addresses, calling numbers): checked per call */
  declarations: Map<string, CustomerDeclarations>;
}

export function emptyReference(): ReferenceData {
  return {
    customers: new Map(),
    inventory: new NumberInventory(),
    dno: new Set(),
    declarations: new Map(),
  };
}
