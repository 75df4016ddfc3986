import { normalizeNumber } from '../cdr/phone.ts';
import type { Customer } from './customers.ts';
import type { CustomerDeclarations } from './declarations.ts';
import { numberKey, PLAIN_E164 } from './distinct.ts';
import { NumberSet } from './number-set.ts';
import { eachCsvObject, ReferenceDataError } from './reference-csv.ts';

/**
 * Reference data (docs/input-contract.md): number inventory and DNO list, and the customer registry
 * loaded with them (customers.ts). Parsers take the text and a source name; every error names the
 * source and line.
 */

/** A customer's inventory as number keys (see numberKey), for checking calls held as keys. */
export interface InventoryKeys {
  exact: NumberSet;
  /** `+1202555*` as value 1202555 with 7 digits */
  prefixes: Array<{ value: number; digits: number }>;
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

/**
 * Which numbers each customer may present with A attestation: exact E.164 numbers and `+1202555*`
 * prefixes. Exact numbers are kept as number keys, which is how calls are checked against them: a
 * carrier's inventory runs to hundreds of thousands of numbers, loaded by every thread that checks
 * calls, and as strings in a Set per customer they took tens of MB a thread and a collector that
 * copied each one.
 */
export class NumberInventory {
  /** numbers in plain E.164 (every number parseInventory admits), as keys: one key per number */
  private readonly exact = new Map<string, NumberSet>();
  /** any other text added (not plain E.164), kept as it is */
  private readonly odd = new Map<string, Set<string>>();
  private readonly prefixes = new Map<string, string[]>();
  private readonly keyCache = new Map<string, InventoryKeys | null>();
  /** bumped by every add, so callers caching keysOf know when to ask again */
  revision = 0;

  /**
   * The customer's inventory as keys, or null when it has none; rebuilt after any add. Only entries
   * that plain E.164 text can match are kept, so ownsKey(key) = owns('+' + key digits). The exact
   * set is the inventory's own: read it, never change it.
   */
  keysOf(customerId: string): InventoryKeys | null {
    const cached = this.keyCache.get(customerId);
    if (cached !== undefined) return cached;
    let keys: InventoryKeys | null = null;
    if (this.hasCustomer(customerId)) {
      keys = { exact: this.exact.get(customerId) ?? EMPTY_KEYS, prefixes: [] };
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
    // a Map's clear() makes a new table even when empty: once per number of a 100,000-number file
    if (this.keyCache.size > 0) this.keyCache.clear();
    this.revision++;
    if (number.endsWith('*')) {
      const p = number.slice(0, -1);
      const list = this.prefixes.get(customerId) ?? [];
      list.push(p);
      this.prefixes.set(customerId, list);
    } else if (PLAIN_E164.test(number)) {
      let set = this.exact.get(customerId);
      if (!set) {
        set = new NumberSet();
        this.exact.set(customerId, set);
      }
      set.add(numberKey(number));
    } else {
      const set = this.odd.get(customerId) ?? new Set();
      set.add(number);
      this.odd.set(customerId, set);
    }
  }

  /** Every (customer, number or `prefix*`) entry, to rebuild the inventory elsewhere (a worker thread). */
  entries(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    // a plain E.164 number's key is its digits: '+' and the key give the number back
    for (const [c, set] of this.exact) for (const k of set) out.push([c, `+${k}`]);
    for (const [c, set] of this.odd) for (const n of set) out.push([c, n]);
    for (const [c, list] of this.prefixes) for (const p of list) out.push([c, `${p}*`]);
    return out;
  }

  hasCustomer(customerId: string): boolean {
    return this.exact.has(customerId) || this.odd.has(customerId) || this.prefixes.has(customerId);
  }

  owns(customerId: string, e164: string): boolean {
    if (PLAIN_E164.test(e164)) {
      if (this.exact.get(customerId)?.has(numberKey(e164))) return true;
    } else if (this.odd.get(customerId)?.has(e164)) return true;
    const list = this.prefixes.get(customerId);
    if (list) for (const p of list) if (e164.startsWith(p)) return true;
    return false;
  }

  get size(): number {
    let n = 0;
    for (const s of this.exact.values()) n += s.size;
    for (const s of this.odd.values()) n += s.size;
    for (const l of this.prefixes.values()) n += l.length;
    return n;
  }
}

/** the exact keys of a customer with prefixes only */
const EMPTY_KEYS = new NumberSet();

export function parseInventory(text: string, source: string): NumberInventory {
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
