import { BlockList, isIP } from 'node:net';

/**
 * Whose call is it, when a native PBX row has no account code. Asterisk and FreeSWITCH leave
 * `accountcode` empty unless someone configured it, but every row still says where the call came
 * from: the channel's peer (`SIP/<peer>-0000001f`, `PJSIP/<peer>-...`), an address for a guest
 * channel (`SIP/203.0.113.9-...`), or the FreeSWITCH dialplan context. The switch's trunk map
 * (docs/switch-config.md) turns those into customers; a peer name the map does not list is taken as
 * the customer id itself. What is still unattributed is quarantined with a reason that names the
 * peer, so a batch's rows can be summed into one line per batch (see UnattributedTally).
 */

/** What a native row offers besides its account code. */
export interface CallOrigin {
  /** the channel peer, its address, or the dialplan context; '' when the row has none */
  peer: string;
  /**
   * whether the peer may stand for a customer by itself: a provisioned peer name may; an address, a
   * local or TDM channel, or a stock context or endpoint shared by every caller (FreeSWITCH's
   * `public`, chan_pjsip's `anonymous`) may not
   */
  namesCustomer: boolean;
}

/** One line of a trunk map: this peer name, address or CIDR block is this customer. */
export interface TrunkRoute {
  trunk: string;
  customerId: string;
}

/**
 * The customer a traceback answer names for a call no customer could be found for: the call was
 * still carried, and its trunk (the peer) says where it came from.
 */
export const UNATTRIBUTED_CUSTOMER = '(unattributed)';

/** Distinct peers remembered per attribution (a hostile batch cannot grow it without bound). */
const CACHE_LIMIT = 10_000;
const PEER_TEXT_LIMIT = 80;

export class UnattributedRow extends Error {
  override name = 'UnattributedRow';
}

const REASON_PREFIX = 'customer unattributed (peer ';

/** The quarantine reason of an unattributed row; the peer is JSON-quoted so it can be read back. */
export function unattributedReason(origin: CallOrigin): string {
  const peer = JSON.stringify(origin.peer.slice(0, PEER_TEXT_LIMIT));
  const why =
    origin.peer === ''
      ? 'the row names no peer'
      : peerAddress(origin.peer) !== null
        ? 'no trunk map entry covers this address'
        : 'the trunk map does not list it, and a local channel, stock context or anonymous endpoint names no customer';
  return `${REASON_PREFIX}${peer}): accountcode is empty and ${why}`;
}

/** The peer of an unattributed row's quarantine reason, or null for any other reason. */
export function unattributedPeer(reason: string): string | null {
  if (!reason.startsWith(REASON_PREFIX)) return null;
  const end = reason.indexOf('): ', REASON_PREFIX.length);
  if (end < 0) return null;
  try {
    return JSON.parse(reason.slice(REASON_PREFIX.length, end)) as string;
  } catch {
    return null;
  }
}

interface Subnet {
  block: BlockList;
  prefix: number;
  customerId: string;
}

function addressFamily(address: string): 'ipv4' | 'ipv6' | null {
  const v = isIP(address);
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : null;
}

/** An address as a trunk map writes it (`203.0.113.9`, `[2001:db8::1]`), without brackets; null otherwise. */
function mapAddress(trunk: string): string | null {
  const bare = trunk.startsWith('[') && trunk.endsWith(']') ? trunk.slice(1, -1) : trunk;
  return addressFamily(bare) ? bare : null;
}

/**
 * A peer written as an address, bare: `203.0.113.9`, `[2001:db8::1]`, and with the signalling port
 * that chan_sip, chan_pjsip and chan_iax2 may put in a channel name (`203.0.113.9:5061`,
 * `[2001:db8::1]:5060`). The port is dropped: the map matches addresses, and an address with a port
 * must never be mistaken for a peer name (which could name a customer by itself). Null otherwise.
 */
export function peerAddress(peer: string): string | null {
  const address = mapAddress(peer);
  if (address !== null) return address; // also a bare IPv6 address, whose last group looks like a port
  const withPort = /^(\[[^\]]+\]|[^:]+):\d{1,5}$/.exec(peer);
  return withPort ? mapAddress(withPort[1]) : null;
}

/**
 * A peer, or a map entry naming one, without the signalling port a channel name may carry: an address
 * bare (`203.0.113.9:5061` -> `203.0.113.9`, `[2001:db8::1]:5060` -> `2001:db8::1`), a host name without
 * its port (`sip.carrier.example:5060`). One peer is one trunk whatever port it signalled from, and a
 * map entry written with the port names the same trunk.
 */
export function peerWithoutPort(peer: string): string {
  // a name without ':' that does not start with a digit is neither an address nor has a port: most
  // peers, read once per row, so no address parsing for them
  const c = peer.charCodeAt(0);
  if (!(c >= 48 && c <= 57) && !peer.includes(':')) return peer;
  const address = peerAddress(peer);
  if (address !== null) return address;
  const host = /^([^:[\]]+):\d{1,5}$/.exec(peer);
  return host ? host[1] : peer;
}

/**
 * One switch's attribution: map entries by peer name (case-insensitive), exact address, or CIDR
 * (the longest prefix wins); then the peer name itself when it may name a customer.
 */
export class CustomerAttribution {
  readonly #routes: readonly TrunkRoute[];
  readonly #byName = new Map<string, string>();
  readonly #subnets: Subnet[] = [];
  readonly #cache = new Map<string, string | null>();
  readonly #unattributed: string | null;

  /** `unattributed`: the customer id of a call nobody could be found for; null quarantines it */
  constructor(routes: readonly TrunkRoute[] = [], unattributed: string | null = null) {
    this.#routes = routes;
    this.#unattributed = unattributed;
    for (const { trunk, customerId } of routes) {
      const slash = trunk.indexOf('/');
      // an entry written with a port names the peer as channels give it, without one
      const entry = slash < 0 ? peerWithoutPort(trunk) : trunk;
      const address = slash < 0 ? mapAddress(entry) : trunk.slice(0, slash);
      const family = address === null ? null : addressFamily(address);
      if (address === null || family === null) {
        this.#byName.set(entry.toLowerCase(), customerId);
        continue;
      }
      const prefix = slash < 0 ? (family === 'ipv4' ? 32 : 128) : Number(trunk.slice(slash + 1));
      const block = new BlockList();
      block.addSubnet(address, prefix, family);
      this.#subnets.push({ block, prefix, customerId });
    }
    this.#subnets.sort((a, b) => b.prefix - a.prefix);
  }

  get size(): number {
    return this.#byName.size + this.#subnets.length;
  }

  /** The map's entries, to build the same attribution elsewhere (another thread). */
  routes(): TrunkRoute[] {
    return [...this.#routes];
  }

  /**
   * The same map for the traceback lookup: a call without a customer is still a call we carried, so
   * it is answered as UNATTRIBUTED_CUSTOMER with its trunk, never as "not found".
   */
  forTraceback(): CustomerAttribution {
    return new CustomerAttribution(this.#routes, UNATTRIBUTED_CUSTOMER);
  }

  /** The customer of a row without account code; throws UnattributedRow (the quarantine reason). */
  customerFor(origin: CallOrigin): string {
    // the answer depends on namesCustomer too: `DAHDI/1-1` and `SIP/1-1-0000001f` share the peer
    // `1-1`, and whichever row came first must not decide the other's customer
    const key = `${origin.namesCustomer ? 'n' : '-'}${origin.peer}`;
    const cached = this.#cache.get(key);
    const customer = cached !== undefined ? cached : this.#resolve(origin);
    if (cached === undefined && this.#cache.size < CACHE_LIMIT) this.#cache.set(key, customer);
    if (customer !== null) return customer;
    if (this.#unattributed !== null) return this.#unattributed;
    throw new UnattributedRow(unattributedReason(origin));
  }

  #resolve(origin: CallOrigin): string | null {
    if (origin.peer === '') return null;
    const named = this.#byName.get(origin.peer.toLowerCase());
    if (named !== undefined) return named;
    const address = peerAddress(origin.peer);
    if (address !== null) {
      const family = addressFamily(address) as 'ipv4' | 'ipv6';
      for (const s of this.#subnets) if (s.block.check(address, family)) return s.customerId;
      return null;
    }
    return origin.namesCustomer ? origin.peer : null;
  }
}

/** No trunk map: provisioned peer names are customers, nothing else is. */
export const PEER_NAMES_ONLY = new CustomerAttribution();
