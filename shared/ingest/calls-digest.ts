import { fmix32 as mix } from '../cdr/byte-intern.ts';
import type { PackedCall } from '../cdr/packed-call.ts';
import { callIdsWord, callWhenWord } from '../cdr/recent-calls.ts';

/**
 * A fingerprint of the calls a batch counted, whatever their order and however the batch wrote them:
 * the same calls exported again as JSON Lines instead of CSV, with columns in another order or rows
 * sorted otherwise, have other lines (DecodedContent tells them apart) but the same fingerprint. A
 * call is what the reader's repeat check compares (recent-calls.ts: ids, numbers, start, billable
 * seconds and outcome), and the batch's calls are combined by sums and exclusive ors of two mixes of
 * each, which no order changes; with the count, 128 bits and a number of calls must agree.
 *
 * The key names the version of the words it is made of (`calls2:`), because claims are kept for good
 * (a content item in the manifest table) and compared with every batch to come, whatever the code that
 * took them. The words before this version let a change of a call id undo one of its customer id
 * (partyHash), so their digests, under `calls:`, may be those of other calls: a claim of that version
 * is never compared with one of this. The same bytes or the same lines sent again are still found,
 * whenever they were counted: their claims (the ETag's, DecodedContent's) do not depend on these
 * words, and are asked first. Only a batch counted before the change and sent again written otherwise
 * (JSON Lines for CSV, other columns or order) is not found, and counts its calls again.
 */
export class CallsDigest {
  private sumA = 0;
  private sumB = 0;
  private xorA = 0;
  private xorB = 0;
  private calls = 0;

  add(call: PackedCall): void {
    const ids = callIdsWord(call);
    const when = callWhenWord(call);
    const a = mix(ids ^ Math.imul(when, 0x9e3779b1));
    const b = mix(when ^ Math.imul(ids ^ 0x5bd1e995, 0x85ebca6b));
    this.sumA = (this.sumA + a) | 0;
    this.sumB = (this.sumB + b) | 0;
    this.xorA ^= b;
    this.xorB ^= mix(a ^ 0x27d4eb2d);
    this.calls++;
  }

  /** the key a batch claims its calls by (ManifestStore.claimContent) */
  key(): string {
    const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
    return `calls2:${hex(this.sumA)}${hex(this.sumB)}${hex(this.xorA)}${hex(this.xorB)}#${this.calls}`;
  }
}
