import { isIP } from 'node:net';
import { z } from 'zod';
import {
  CustomerAttribution,
  PEER_NAMES_ONLY,
  peerWithoutPort,
  type TrunkRoute,
} from '../cdr/attribution.ts';
import { csvObjects } from '../detect/reference-csv.ts';
import { parseIpRange } from '../net/ip-range.ts';

/**
 * The trunk map (docs/switch-config.md): which customer each switch's trunks belong to, for native
 * PBX rows whose accountcode is empty. CSV with a header `switch_id,trunk,customer_id` (any order,
 * any case; other columns ignored). `trunk` is a channel peer or FreeSWITCH context name
 * (`carrier-a`), an address (`203.0.113.9`) or a CIDR block (`203.0.113.0/24`); `switch_id` may be
 * `*` for an entry that holds on every switch (a switch's own entry for the same trunk wins).
 */

export const TRUNK_MAP_COLUMNS = ['switch_id', 'trunk', 'customer_id'] as const;
export const ANY_SWITCH = '*';

export class TrunkMapError extends Error {
  override name = 'TrunkMapError';
}

function validCidr(trunk: string): boolean {
  const [address, prefix, extra] = trunk.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined || !/^\d{1,3}$/.test(prefix ?? '')) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * The trunk an entry names, one key however it is spelt, so one trunk is mapped at most once per
 * switch and a switch's own entry replaces the `*` one: a name in any case, with or without the port
 * a channel name may carry (`sip.carrier.example:5060`); an address with or without its port and IPv6
 * brackets, in any of its spellings (`[2001:DB8::7]:5060` is `2001:db8::7`), the same as its /32 or
 * /128; a CIDR block by the addresses it holds (`203.0.113.5/24` is `203.0.113.0/24`).
 */
export function trunkKey(trunk: string): string {
  const peer = trunk.includes('/') ? trunk : peerWithoutPort(trunk);
  // a scoped address (`fe80::1%eth0`) is keyed as written: parseIpRange cannot read its zone
  const range = peer.includes('%') ? null : parseIpRange(peer);
  return range ? `ipv${range.version} ${range.first}/${range.prefix}` : peer.toLowerCase();
}

export const trunkRowSchema = z.object({
  switch_id: z
    .string()
    .trim()
    .min(1, 'is empty')
    .regex(/^[^/\s]+$/, 'must be one key segment (the part after cdr/) or *: no "/" and no spaces'),
  trunk: z
    .string()
    .trim()
    .min(1, 'is empty')
    .regex(/^\S+$/, 'must not contain spaces')
    .refine((t) => !t.includes('/') || validCidr(t), {
      error: (issue) =>
        `'${String(issue.input)}' is not a CIDR block (address/prefix, e.g. 203.0.113.0/24); a peer name has no "/"`,
    }),
  customer_id: z.string().trim().min(1, 'is empty'),
});

export interface TrunkMapEntry extends TrunkRoute {
  switchId: string;
  line: number;
}

/** The validated map, with one CustomerAttribution per switch built on first use. */
export class TrunkMap {
  readonly #entries: TrunkMapEntry[];
  readonly #bySwitch = new Map<string, CustomerAttribution>();

  constructor(entries: TrunkMapEntry[] = []) {
    this.#entries = entries;
  }

  get size(): number {
    return this.#entries.length;
  }

  entries(): TrunkMapEntry[] {
    return [...this.#entries];
  }

  /** the switches the map names, `*` excluded */
  switchIds(): string[] {
    return [...new Set(this.#entries.map((e) => e.switchId).filter((s) => s !== ANY_SWITCH))].sort();
  }

  forSwitch(switchId: string): CustomerAttribution {
    if (this.#entries.length === 0) return PEER_NAMES_ONLY;
    let attribution = this.#bySwitch.get(switchId);
    if (!attribution) {
      const routes = new Map<string, TrunkRoute>();
      // `*` first, so the switch's own entry for the same trunk replaces it
      for (const which of [ANY_SWITCH, switchId])
        for (const e of this.#entries)
          if (e.switchId === which)
            routes.set(trunkKey(e.trunk), { trunk: e.trunk, customerId: e.customerId });
      attribution = new CustomerAttribution([...routes.values()]);
      this.#bySwitch.set(switchId, attribution);
    }
    return attribution;
  }
}

export const NO_TRUNK_MAP = new TrunkMap();

/** Parses and validates the whole document; the first problem throws, naming line, switch and field. */
export function parseTrunkMap(text: string, source: string): TrunkMap {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '')
    throw new TrunkMapError(`${source}: empty file (expected a header ${TRUNK_MAP_COLUMNS.join(',')})`);
  let rows: ReturnType<typeof csvObjects>;
  try {
    rows = csvObjects(body, source, [...TRUNK_MAP_COLUMNS]);
  } catch (e) {
    throw new TrunkMapError((e as Error).message);
  }
  const entries: TrunkMapEntry[] = [];
  const seen = new Map<string, { line: number; trunk: string }>();
  for (const { line, row: cells } of rows) {
    const where = `${source}: line ${line}: switch '${cells.switch_id}' trunk '${cells.trunk}'`;
    const parsed = trunkRowSchema.safeParse(cells);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new TrunkMapError(`${where}: ${issue.path.join('.') || 'row'} ${issue.message}`);
    }
    const row = parsed.data;
    const key = `${row.switch_id}\u0000${trunkKey(row.trunk)}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      // another spelling of the same trunk (a port, brackets, a /32) is named, so the clash is seen
      const spelt = earlier.trunk.toLowerCase() === row.trunk.toLowerCase() ? '' : ` as '${earlier.trunk}'`;
      throw new TrunkMapError(
        `${where}: this trunk is mapped twice for the switch (first on line ${earlier.line}${spelt})`,
      );
    }
    seen.set(key, { line, trunk: row.trunk });
    entries.push({ switchId: row.switch_id, trunk: row.trunk, customerId: row.customer_id, line });
  }
  return new TrunkMap(entries);
}
