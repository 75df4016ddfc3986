/**
 * Synthetic canonical CDR batches for the ingest tests: deterministic (seeded), with a robocalling
 * customer (bursts of short, unanswered, unsigned calls from rotating numbers), a well-behaved one,
 * and optional malformed rows.
 */
export const HEADER =
  'call_id,start_time,answer_time,end_time,duration_s,customer_id,trunk_id,calling_number,called_number,sip_code,disposition,attestation';

export const HOUR0 = Date.UTC(2026, 10, 27, 16);

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BatchSpec {
  seed: number;
  /** rows per (customer, hour) */
  rowsPerWindow: number;
  customers: string[];
  hours: number;
  /** customers whose traffic looks like robocalling */
  robocallers?: string[];
  trunks?: number;
  /** malformed rows appended at the end */
  badRows?: number;
  /** first hour of traffic (epoch ms, UTC hour) */
  startHourMs?: number;
  idPrefix?: string;
  /**
   * times with milliseconds (`...:07.123Z`), a shape only the parser's general lane reads; default
   * whole seconds (`...:07Z`), as switches write them, which canonical batches' fast lane reads
   */
  millis?: boolean;
}

export function nanp(r: () => number): string {
  const npa = 201 + Math.floor(r() * 700);
  const nxx = 200 + Math.floor(r() * 700);
  const line = Math.floor(r() * 10000);
  return `+1${npa}${nxx}${String(line).padStart(4, '0')}`;
}

export function cdrBatch(spec: BatchSpec): string {
  const r = rng(spec.seed);
  const start = spec.startHourMs ?? HOUR0;
  const lines = [HEADER];
  let n = 0;
  for (let h = 0; h < spec.hours; h++) {
    for (const customer of spec.customers) {
      const robo = spec.robocallers?.includes(customer) ?? false;
      const ownNumber = nanp(r);
      for (let i = 0; i < spec.rowsPerWindow; i++) {
        const offset = Math.floor(r() * 3_599_000);
        const t = start + h * 3_600_000 + (spec.millis ? offset : offset - (offset % 1000));
        const answered = robo ? r() < 0.15 : r() < 0.6;
        const dur = answered ? (robo ? 1 + Math.floor(r() * 4) : 30 + Math.floor(r() * 400)) : 0;
        const trunk = `T${1 + Math.floor(r() * (spec.trunks ?? 2))}`;
        const calling = robo ? nanp(r) : ownNumber;
        const time = (ms: number) => {
          const text = new Date(ms).toISOString();
          return spec.millis ? text : text.replace('.000Z', 'Z');
        };
        const iso = time(t);
        const answer = answered ? time(t + 5000) : '';
        const end = time(t + 5000 + dur * 1000);
        const sip = answered ? 200 : robo ? (r() < 0.5 ? 603 : 487) : 486;
        const att = robo ? (r() < 0.7 ? 'C' : '') : 'A';
        lines.push(
          `${spec.idPrefix ?? 'c'}${spec.seed}-${n++},${iso},${answer},${end},${dur},${customer},${trunk},${calling},${nanp(r)},${sip},${answered ? 'ANSWERED' : 'NO_ANSWER'},${att}`,
        );
      }
    }
  }
  for (let i = 0; i < (spec.badRows ?? 0); i++) {
    lines.push(
      `${spec.idPrefix ?? 'c'}bad-${i},not-a-time,,,,${spec.customers[0]},T1,+12025550143,+13125550199,,,`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * One hour of a small robocaller: 80 calls (under every hourly volume gate, even a new customer's:
 * an unregistered one is judged as new), one in 12 answered and hung up after 3 s, C-attested, each
 * from another valid caller ID.
 */
export function smallRobocallHour(hourMs: number, idPrefix: string): string {
  const rows = Array.from({ length: 80 }, (_, i) => {
    const start = new Date(hourMs + i * 40_000).toISOString().replace('.000Z', 'Z');
    const answered = i % 12 === 0;
    const calling = `+1212647${String(1000 + i).slice(-4)}`;
    const called = `+1312748${String(2000 + i).slice(-4)}`;
    return `${idPrefix}${i},${start},,,${answered ? 3 : 0},SMALL,T1,${calling},${called},${answered ? 200 : 486},${answered ? 'ANSWERED' : 'NO_ANSWER'},C`;
  });
  return `${HEADER}\n${rows.join('\n')}\n`;
}
