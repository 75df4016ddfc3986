/**
 * How many answered calls a figure about answered calls (their average duration, the share of them
 * under 6 s) needs before it is read as it stands. The volume gates count attempts, and at a low answer
 * rate a busy hour may answer only a handful: a third of 6 answered calls is 2 calls.
 */
export const MIN_ANSWERED = 30;

/** one-sided 95%: how far below an observed share the true share may plausibly lie */
const Z = 1.645;

/**
 * The lower end of the Wilson score interval of a share `k` of `n`: the least share the sample vouches
 * for. 2 of 6 vouches for 12%, 25 of 25 for 90%, so a small sample passes a threshold only when it
 * passes by far. 0 for an empty sample.
 */
export function shareAtLeast(k: number, n: number): number {
  if (n <= 0) return 0;
  const p = k / n;
  const z2n = (Z * Z) / n;
  const centre = p + z2n / 2;
  const margin = Z * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n));
  return Math.max(0, (centre - margin) / (1 + z2n));
}
