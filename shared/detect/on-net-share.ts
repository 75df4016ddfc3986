import { counted, pct } from './format.ts';

/** The fewest calls of a customer a warning about its on-net share is drawn from: fewer prove little. */
export const MOSTLY_ON_NET_MIN_CALLS = 100;
/** The on-net share of a customer's calls from which the warning is given. */
export const MOSTLY_ON_NET_SHARE = 0.5;
/** customers named in the warning line; the count says how many more there were */
const NAMED = 10;

/** A customer's calls in what was read, and how many of them were on-net. */
export interface OnNetShare {
  customerId: string;
  calls: number;
  onNet: number;
}

/**
 * Sums each customer's calls and on-net calls over windows (customer windows only: a trunk window
 * repeats some of their calls) and tells which customers' calls were mostly on-net.
 *
 * On-net calls are counted and judged by no rule. An office PBX's are mostly so, but a trunking
 * customer hands over calls for the PSTN: most of its calls on-net means the called numbers reached
 * us in a shape that did not read as numbers (an escaped `+`, a spreadsheet's rewrite, a prefix the
 * switch added), and its traffic escaped every rule without a finding to show it.
 */
export class OnNetShares {
  private readonly byCustomer = new Map<string, OnNetShare>();

  add(customerId: string, w: { attempts: number; onNet: number; emergency: number }): void {
    let s = this.byCustomer.get(customerId);
    if (s === undefined) {
      s = { customerId, calls: 0, onNet: 0 };
      this.byCustomer.set(customerId, s);
    }
    s.calls += w.attempts + w.onNet + w.emergency;
    s.onNet += w.onNet;
  }

  /** The customers with MOSTLY_ON_NET_MIN_CALLS calls or more, MOSTLY_ON_NET_SHARE of them on-net, most on-net first. */
  mostlyOnNet(): OnNetShare[] {
    return [...this.byCustomer.values()]
      .filter((s) => s.calls >= MOSTLY_ON_NET_MIN_CALLS && s.onNet >= s.calls * MOSTLY_ON_NET_SHARE)
      .sort((a, b) => b.onNet - a.onNet || (a.customerId < b.customerId ? -1 : 1));
  }
}

/**
 * One line for a log or stderr: where, each customer (the first NAMED) with its on-net share, what it
 * may mean and where to look. Null when no customer's calls were mostly on-net.
 */
export function mostlyOnNetSummary(where: string, shares: readonly OnNetShare[]): string | null {
  if (shares.length === 0) return null;
  const named = shares
    .slice(0, NAMED)
    .map((s) => `${s.customerId} (${s.onNet} of ${counted(s.calls, 'call')}, ${pct(s.onNet / s.calls)})`)
    .join(', ');
  const more = shares.length > NAMED ? `, and ${shares.length - NAMED} more` : '';
  return (
    `${where}: most calls of ${counted(shares.length, 'customer')} went to on-net destinations (extensions, feature codes, SIP user names), which no rule judges: ${named}${more}. ` +
    "An office PBX's calls are so; a trunking customer's are for the PSTN, and then its called numbers were likely mangled on the way (check the called_number column as the switch writes it)"
  );
}
