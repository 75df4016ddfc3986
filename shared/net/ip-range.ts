import { isIP } from 'node:net';

/**
 * IP addresses and CIDR blocks as inclusive ranges of integers, so that a re-applicant's
 * `198.51.100.0/24` is seen to contain a terminated customer's `198.51.100.7`.
 */
export interface IpRange {
  version: 4 | 6;
  first: bigint;
  last: bigint;
  /** prefix length: 32 or 128 for a single address */
  prefix: number;
  text: string;
}

function ipv4ToBigint(ip: string): bigint {
  return ip.split('.').reduce((acc, part) => (acc << 8n) + BigInt(Number(part)), 0n);
}

function ipv6ToBigint(ip: string): bigint {
  let text = ip;
  // an embedded IPv4 tail (::ffff:192.0.2.1) is two groups
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipv4ToBigint(v4[1]);
    text = `${text.slice(0, -v4[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...fill, ...tailGroups].reduce((acc, g) => (acc << 16n) + BigInt(`0x${g}`), 0n);
}

/** Parses `192.0.2.7`, `192.0.2.0/24`, `2001:db8::/32`; null when it is neither an address nor a CIDR. */
export function parseIpRange(input: string): IpRange | null {
  const text = input.trim();
  const [ip, prefixText, extra] = text.split('/');
  if (extra !== undefined) return null;
  const version = isIP(ip);
  if (version !== 4 && version !== 6) return null;
  const bits = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return null;
  const value = version === 4 ? ipv4ToBigint(ip) : ipv6ToBigint(ip);
  const hostBits = BigInt(bits - prefix);
  const first = (value >> hostBits) << hostBits;
  const last = first + (1n << hostBits) - 1n;
  return { version, first, last, prefix, text };
}

export function rangesOverlap(a: IpRange, b: IpRange): boolean {
  return a.version === b.version && a.first <= b.last && b.first <= a.last;
}

export function rangeContains(range: IpRange, ip: string): boolean {
  const single = parseIpRange(ip);
  return (
    single !== null &&
    single.version === range.version &&
    range.first <= single.first &&
    single.last <= range.last
  );
}

/**
 * The value of a dotted-quad IPv4 address (`198.51.100.7` -> 3325256711), or -1 for anything else
 * (IPv6, a port suffix, leading zeros, out-of-range parts): the integer form both CDR lanes compare
 * with declared ranges.
 */
export function ipv4Value(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4) return -1;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return -1;
    const n = Number(part);
    if (n > 255) return -1;
    value = value * 256 + n;
  }
  return value;
}

/**
 * A signalling address as switches write it: `198.51.100.7`, `198.51.100.7:5060`, `2001:db8::7` or
 * `[2001:db8::7]:5060`; the address without its port, or null when it is none of these.
 */
export function signallingAddress(text: string): string | null {
  const t = text.trim();
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::\d{1,5})?$/.exec(t);
  const candidate = bracketed ? bracketed[1] : (/^(\d+\.\d+\.\d+\.\d+):\d{1,5}$/.exec(t)?.[1] ?? t);
  return isIP(candidate) === 0 ? null : candidate;
}
