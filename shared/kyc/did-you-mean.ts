/**
 * What a person most likely meant by a name typed wrong: a customer id in the other case (the
 * registry's ids are case-sensitive, people typing them are not), an application field misspelt or
 * cut short (`renewing_customer` for `renewing_customer_id`). Every suggestion is phrased the same.
 */

/** The other spellings in case a person may have typed an id in: all upper, all lower. */
export function caseVariants(typed: string): string[] {
  return [...new Set([typed.toUpperCase(), typed.toLowerCase()])].filter((v) => v !== typed);
}

/** `did you mean X?`, or nothing when nothing is close. */
export function didYouMean(meant: string | null): string {
  return meant ? `did you mean ${meant}?` : '';
}

/** Compared without case, and with a dash, space or dot where the name has an underscore. */
function comparable(name: string): string {
  return name.toLowerCase().replace(/[-. ]/g, '_');
}

/** Letters to add, drop, change or swap with the next one to make one name the other (`fnr` is one from `frn`). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** Up to a third of a name's letters wrong (at least one) still reads as that name. */
const CLOSE_SHARE = 1 / 3;
/** A shorter name inside a known one counts only from this many letters (`id` is in too many). */
const MIN_PART = 3;

/**
 * The known name the typed one is closest to: the same name in another case or separator, one that
 * contains it or that it contains (a part left off or added), or one a few letters apart; the fewest
 * edits wins. Null when none is close enough to be worth suggesting.
 */
export function closestKnown(typed: string, known: readonly string[]): string | null {
  const t = comparable(typed);
  let best: { name: string; distance: number } | null = null;
  for (const name of known) {
    const k = comparable(name);
    const distance = editDistance(t, k);
    const part = Math.min(t.length, k.length) >= MIN_PART && (k.includes(t) || t.includes(k));
    const close = distance <= Math.max(1, Math.floor(t.length * CLOSE_SHARE));
    if ((part || close) && (best === null || distance < best.distance)) best = { name, distance };
  }
  return best?.name ?? null;
}
