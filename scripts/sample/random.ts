/**
 * Seeded randomness for the sample generator. Math.random is never used: the same seed must give
 * byte-identical output, so every draw comes from mulberry32 (small, fast, good enough for test data).
 */

/** One mulberry32 step function over a 32-bit state; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Mixes a seed with labels (customer index, hour, purpose) into an independent 32-bit seed, so each
 * customer-hour draws from its own stream and adding one customer does not reshuffle all the others.
 */
export function deriveSeed(seed: number, ...parts: Array<number | string>): number {
  let h = (seed ^ 0x811c9dc5) >>> 0;
  const mix = (code: number) => {
    h ^= code;
    h = Math.imul(h, 0x01000193) >>> 0;
  };
  for (const part of parts) {
    const text = String(part);
    for (let i = 0; i < text.length; i++) mix(text.charCodeAt(i));
    mix(0x2f); // separator so ("1","23") and ("12","3") differ
  }
  // final avalanche (murmur3 fmix32)
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

export interface Random {
  /** float in [0, 1) */
  next(): number;
  /** integer in [min, max], both inclusive */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  weighted<T>(items: readonly T[], weights: readonly number[]): T;
  /** standard normal draw (Box-Muller) */
  gauss(): number;
  /** log-normal with the given median; sigma is the spread of the underlying normal */
  logNormal(median: number, sigma: number): number;
  /** Poisson count with mean lambda (normal approximation above 30, where it is indistinguishable) */
  poisson(lambda: number): number;
  /** lowercase hex string of the given length */
  hex(length: number): string;
  /** RFC 4122-shaped (version 4) identifier drawn from this stream */
  uuid(): string;
}

export function createRandom(seed: number): Random {
  const next = mulberry32(seed);
  const random: Random = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (probability) => next() < probability,
    pick: (items) => {
      if (items.length === 0) throw new Error('random.pick: cannot pick from an empty list');
      return items[Math.floor(next() * items.length)];
    },
    weighted: (items, weights) => {
      let total = 0;
      for (const w of weights) total += w;
      let roll = next() * total;
      for (let i = 0; i < items.length; i++) {
        roll -= weights[i];
        if (roll < 0) return items[i];
      }
      return items[items.length - 1];
    },
    gauss: () => {
      const u = 1 - next(); // (0, 1], keeps log finite
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    logNormal: (median, sigma) => median * Math.exp(sigma * random.gauss()),
    poisson: (lambda) => {
      if (lambda <= 0) return 0;
      if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * random.gauss()));
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = next();
      while (p > limit) {
        k++;
        p *= next();
      }
      return k;
    },
    hex: (length) => {
      let out = '';
      while (out.length < length)
        out += Math.floor(next() * 4294967296)
          .toString(16)
          .padStart(8, '0');
      return out.slice(0, length);
    },
    uuid: () => {
      const h = random.hex(32);
      const variant = ((Number.parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
  };
  return random;
}
