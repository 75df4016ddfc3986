import { z } from 'zod';
import { CsvTokenizer } from '../cdr/csv-tokenizer.ts';
import { normalizeNumber } from '../cdr/phone.ts';
import { numberKey } from './distinct.ts';
import { NumberSet } from './number-set.ts';

/**
 * Reference data (contracts.md section 2): customer registry, number inventory, DNO list.
 * Parsers take the text and a source name; every error names the source and line.
 */
export class ReferenceDataError extends Error {
  override name = 'ReferenceDataError';
}

export const VETTING = ['new', 'standard', 'trusted'] as const;
export const PROFILES = ['conversational', 'call_center', 'notifications', 'dialer'] as const;
export type Vetting = (typeof VETTING)[number];
export type TrafficProfile = (typeof PROFILES)[number];

export const customerSchema = z.object({
  customer_id: z.string().trim().min(1, 'customer_id is empty'),
  name: z.string().trim(),
  onboarded_at: z
    .string()
    .trim()
    .refine((s) => s === '' || !Number.isNaN(Date.parse(s)), 'onboarded_at is not a date'),
  vetting: z.enum(VETTING),
  traffic_profile: z.enum(PROFILES),
});
export type Customer = z.infer<typeof customerSchema>;

/** Rows of a CSV file with a header, as objects keyed by lower-cased header names. */
function csvObjects(
  text: string,
  source: string,
  required: string[],
): Array<{ line: number; row: Record<string, string> }> {
  const out: Array<{ line: number; row: Record<string, string> }> = [];
  let header: string[] | null = null;
  const tok = new CsvTokenizer({
    record(rec) {
      const fields = Array.from({ length: rec.count }, (_, i) => rec.field(i).trim());
      if (!header) {
        header = fields.map((f) => f.toLowerCase());
        const missing = required.filter((c) => !header?.includes(c));
        if (missing.length)
          throw new ReferenceDataError(`${source}: line ${rec.line}: header lacks ${missing.join(', ')}`);
        return;
      }
      const row: Record<string, string> = {};
      header.forEach((h, i) => {
        row[h] = fields[i] ?? '';
      });
      out.push({ line: rec.line, row });
    },
    bad(line, reason) {
      throw new ReferenceDataError(`${source}: line ${line}: ${reason}`);
    },
  });
  tok.push(Buffer.from(text, 'utf8'));
  tok.end();
  return out;
}

export function parseCustomers(text: string, source: string): Map<string, Customer> {
  const map = new Map<string, Customer>();
  for (const { line, row } of csvObjects(text, source, ['customer_id', 'vetting', 'traffic_profile'])) {
    const parsed = customerSchema.safeParse({
      name: '',
      onboarded_at: '',
      ...row,
      vetting: row.vetting?.toLowerCase(),
      traffic_profile: row.traffic_profile?.toLowerCase(),
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ReferenceDataError(
        `${source}: line ${line}: ${issue.path.join('.') || 'row'}: ${issue.message}`,
      );
    }
    map.set(parsed.data.customer_id, parsed.data);
  }
  return map;
}

/** Customers seen in CDRs but missing from the registry are treated as new (contracts.md). */
export function unknownCustomer(customerId: string): Customer {
  return {
    customer_id: customerId,
    name: '',
    onboarded_at: '',
    vetting: 'new',
    traffic_profile: 'conversational',
  };
}

/** A customer's inventory as number keys (see numberKey), for checking calls held as keys. */
export interface InventoryKeys {
  exact: NumberSet;
  /** `+1202555*` as value 1202555 with 7 digits */
  prefixes: Array<{ value: number; digits: number }>;
}

/** E.164 text that numberKey maps one-to-one: '+' and 1-15 digits without a leading zero. */
const PLAIN_E164 = /^\+[1-9]\d{0,14}$/;

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

/** Which numbers each customer may present with A attestation: exact E.164 numbers and `+1202555*` prefixes. */
export class NumberInventory {
  private readonly exact = new Map<string, Set<string>>();
  private readonly prefixes = new Map<string, string[]>();
  private readonly keyCache = new Map<string, InventoryKeys | null>();
  /** bumped by every add, so callers caching keysOf know when to ask again */
  revision = 0;

  /**
   * The customer's inventory as keys, or null when it has none; rebuilt after any add. Only entries
   * that plain E.164 text can match are kept, so ownsKey(key) = owns('+' + key digits).
   */
  keysOf(customerId: string): InventoryKeys | null {
    const cached = this.keyCache.get(customerId);
    if (cached !== undefined) return cached;
    let keys: InventoryKeys | null = null;
    if (this.hasCustomer(customerId)) {
      keys = { exact: new NumberSet(), prefixes: [] };
      for (const n of this.exact.get(customerId) ?? []) if (PLAIN_E164.test(n)) keys.exact.add(numberKey(n));
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
    this.keyCache.clear();
    this.revision++;
    if (number.endsWith('*')) {
      const p = number.slice(0, -1);
      const list = this.prefixes.get(customerId) ?? [];
      list.push(p);
      this.prefixes.set(customerId, list);
    } else {
      const set = this.exact.get(customerId) ?? new Set();
      set.add(number);
      this.exact.set(customerId, set);
    }
  }

  /** Every (customer, number or `prefix*`) entry, to rebuild the inventory elsewhere (a worker thread). */
  entries(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const [c, set] of this.exact) for (const n of set) out.push([c, n]);
    for (const [c, list] of this.prefixes) for (const p of list) out.push([c, `${p}*`]);
    return out;
  }

  hasCustomer(customerId: string): boolean {
    return this.exact.has(customerId) || this.prefixes.has(customerId);
  }

  owns(customerId: string, e164: string): boolean {
    if (this.exact.get(customerId)?.has(e164)) return true;
    const list = this.prefixes.get(customerId);
    if (list) for (const p of list) if (e164.startsWith(p)) return true;
    return false;
  }

  get size(): number {
    let n = 0;
    for (const s of this.exact.values()) n += s.size;
    for (const l of this.prefixes.values()) n += l.length;
    return n;
  }
}

export function parseInventory(text: string, source: string): NumberInventory {
  const inv = new NumberInventory();
  for (const { line, row } of csvObjects(text, source, ['customer_id', 'number'])) {
    const customer = row.customer_id;
    const raw = row.number;
    if (!customer) throw new ReferenceDataError(`${source}: line ${line}: customer_id is empty`);
    if (raw.endsWith('*')) {
      if (!/^\+\d{1,14}\*$/.test(raw))
        throw new ReferenceDataError(`${source}: line ${line}: prefix '${raw}' must look like +1202555*`);
      inv.add(customer, raw);
      continue;
    }
    const n = normalizeNumber(raw);
    if (!n.value.startsWith('+'))
      throw new ReferenceDataError(`${source}: line ${line}: '${raw}' is not an E.164 number or prefix`);
    inv.add(customer, n.value);
  }
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
}

export function emptyReference(): ReferenceData {
  return { customers: new Map(), inventory: new NumberInventory(), dno: new Set() };
}
