import { numberKey } from '../cdr/number-key.ts';
import { type IpRange, ipv4Value, parseIpRange, signallingAddress } from '../net/ip-range.ts';
import type { Customer } from './customers.ts';
import { NumberSet } from './number-set.ts';

/**
 * What a customer declared at onboarding about where its calls come from and which numbers they
 * present, in the form the per-call checks need: IPv4 ranges as integer pairs, numbers as keys. Only
 * customers that declared something have an entry; the others are never checked.
 */
export class CustomerDeclarations {
  /** IPv4 ranges as [first, last] pairs, inclusive */
  private readonly v4: Float64Array;
  private readonly v6: IpRange[];
  /** whether the customer declared any originating address (else sources are not checked) */
  readonly checksSources: boolean;
  /** declared calling numbers as numberKey keys; null when none were declared (not checked) */
  readonly numbers: NumberSet | null;

  constructor(ipRanges: readonly string[], numbers: readonly string[]) {
    const ranges = ipRanges.map(parseIpRange).filter((r): r is IpRange => r !== null);
    const v4 = ranges.filter((r) => r.version === 4);
    this.v4 = new Float64Array(v4.flatMap((r) => [Number(r.first), Number(r.last)]));
    this.v6 = ranges.filter((r) => r.version === 6);
    this.checksSources = ranges.length > 0;
    if (numbers.length === 0) this.numbers = null;
    else {
      this.numbers = new NumberSet(numbers.length);
      for (const n of numbers) this.numbers.add(numberKey(n));
    }
  }

  /** Whether the IPv4 address with this value (ipv4Value) is inside a declared range. */
  containsV4(value: number): boolean {
    const v4 = this.v4;
    for (let i = 0; i < v4.length; i += 2) if (value >= v4[i] && value <= v4[i + 1]) return true;
    return false;
  }

  /**
   * Whether a call's signalling address (as the CDR wrote it, port and brackets allowed) is inside a
   * declared range; an address that is not an IP at all is not.
   */
  containsAddress(text: string): boolean {
    const v = ipv4Value(text);
    if (v >= 0) return this.containsV4(v);
    const address = signallingAddress(text);
    if (address === null) return false;
    const asV4 = ipv4Value(address);
    if (asV4 >= 0) return this.containsV4(asV4);
    const single = parseIpRange(address);
    if (single === null) return false;
    if (single.version === 4) return this.containsV4(Number(single.first));
    return this.v6.some((r) => r.first <= single.first && single.last <= r.last);
  }
}

/** What a registry row declared: the columns the per-call checks read. */
export type DeclaredColumns = Pick<Customer, 'customer_id' | 'declared_ip_ranges' | 'declared_numbers'>;

/** Declarations of the customers that made any, by customer id. */
export function declarationsOf(customers: Iterable<DeclaredColumns>): Map<string, CustomerDeclarations> {
  const out = new Map<string, CustomerDeclarations>();
  for (const c of customers) {
    const ips = c.declared_ip_ranges ?? [];
    const numbers = c.declared_numbers ?? [];
    if (ips.length > 0 || numbers.length > 0) out.set(c.customer_id, new CustomerDeclarations(ips, numbers));
  }
  return out;
}
