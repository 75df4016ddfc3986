import { unattributedPeer } from '../cdr/attribution.ts';
import type { QuarantinedRow } from '../cdr/record.ts';
import { pct } from '../detect/format.ts';
import { maskPhoneNumbers } from '../privacy/mask-numbers.ts';

/** Peers named in the summary line; the rest are counted together. */
const PEERS_SHOWN = 3;
/** Distinct peers counted one by one (a hostile batch cannot grow the tally without bound). */
const PEERS_TRACKED = 1000;

/** A tally's counts as plain data: rows without a customer, and rows per peer (up to PEERS_TRACKED peers). */
export interface PeerRows {
  unattributed: number;
  byPeer: Array<[peer: string, rows: number]>;
}

/**
 * Sums a batch's rows that could not be attributed to a customer, by peer, so an operator reads one
 * line per batch ("97% of the calls in ... could not be attributed; map its trunks") instead of a
 * quarantine line per row. Each row is still quarantined with its own line number and reason. Peer
 * names may be extensions or DIDs, so the line holds no phone number in clear (it goes to logs).
 */
export class UnattributedTally {
  unattributed = 0;
  readonly #byPeer = new Map<string, number>();

  /** a quarantined row; counted here only when it was quarantined for lack of a customer */
  quarantined(row: QuarantinedRow): void {
    const peer = unattributedPeer(row.reason);
    if (peer === null) return;
    this.unattributed++;
    this.#count(peer, 1);
  }

  #count(peer: string, rows: number): void {
    const seen = this.#byPeer.get(peer);
    if (seen !== undefined) this.#byPeer.set(peer, seen + rows);
    else if (this.#byPeer.size < PEERS_TRACKED) this.#byPeer.set(peer, rows);
  }

  /** What this tally counted, as plain data (for another thread's tally to add). */
  counts(): PeerRows {
    return { unattributed: this.unattributed, byPeer: [...this.#byPeer] };
  }

  /** Adds another tally's counts: the tally of a batch read in parts is the sum of its parts'. */
  add(other: PeerRows): void {
    this.unattributed += other.unattributed;
    for (const [peer, rows] of other.byPeer) this.#count(peer, rows);
  }

  /** the most frequent peers, most rows first; a peer shaped like a phone number keeps its last four digits */
  topPeers(n = PEERS_SHOWN): Array<{ peer: string; rows: number }> {
    return [...this.#byPeer]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, n)
      .map(([peer, rows]) => ({ peer: maskPhoneNumbers(peer), rows }));
  }

  /**
   * The operator's line for the batch, or null when every row found its customer. `where` names the
   * batch and its switch (`s3://.../Master.csv (switch sbc-x)`); `rows` is every data row read.
   */
  summary(where: string, rows: number): string | null {
    if (this.unattributed === 0) return null;
    // to a tenth of a point, as findings say shares (1 of 6 rows is 16.7%, not 16%), but never 0% for
    // some rows nor 100% for fewer than all
    const share = this.unattributed / Math.max(rows, this.unattributed);
    const said = pct(share);
    const shown = said === '0%' ? '<0.1%' : said === '100%' && share < 1 ? '>99.9%' : said;
    const top = this.topPeers();
    const named = top.reduce((s, p) => s + p.rows, 0);
    const peers = top.map((p) => `${p.peer === '' ? '(no peer)' : p.peer} (${p.rows})`);
    if (named < this.unattributed) peers.push(`others (${this.unattributed - named})`);
    return (
      `${shown} of the calls in ${where} (${this.unattributed} of ${rows} rows) could not be attributed to a customer: ` +
      `accountcode is empty and the trunk map does not cover peer ${peers.join(', ')}; ` +
      'map its trunks (traceguard trunks import) or set accountcode on the switch'
    );
  }
}
