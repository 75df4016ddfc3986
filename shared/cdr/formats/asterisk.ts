import {
  type CallOrigin,
  type CustomerAttribution,
  PEER_NAMES_ONLY,
  peerAddress,
  peerWithoutPort,
} from '../attribution.ts';
import type { CsvRecord } from '../csv-tokenizer.ts';
import {
  CANONICAL_SOURCE,
  emptyRawCall,
  NOT_REPORTED,
  type RawCall,
  type SourceColumns,
} from '../raw-call.ts';

/**
 * Asterisk `cdr_csv` Master.csv (no header): accountcode, src, dst, dcontext, clid, channel,
 * dstchannel, lastapp, lastdata, start, answer, end, duration, billsec, disposition, amaflags
 * [, uniqueid][, userfield][, peeraccount, linkedid, sequence] — 16 to 21 columns.
 * Times are local wall-clock; the caller supplies the zone.
 */
export const ASTERISK_MIN_COLUMNS = 16;
export const ASTERISK_MAX_COLUMNS = 21;

const LOCAL_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

export function looksLikeAsterisk(rec: CsvRecord): boolean {
  return (
    rec.count >= ASTERISK_MIN_COLUMNS &&
    rec.count <= ASTERISK_MAX_COLUMNS &&
    LOCAL_TIME.test(rec.field(9)) &&
    /^\d+$/.test(rec.field(13))
  );
}

/**
 * The per-call suffix each channel driver appends to the peer: chan_sip and chan_pjsip (and Local/,
 * with `;1`/`;2` for its two halves) write 8 hex digits, `SIP/carrier-a-0000001f`; chan_iax2 writes
 * its decimal call number, `IAX2/carrier-a-13`. For IAX2 the 8-hex form is still taken, so a name
 * written the SIP way keeps naming the same peer.
 */
const HEX_SUFFIX = /-[0-9a-f]{8}(;\d)?$/i;
const IAX2_SUFFIX = /-(?:[0-9a-f]{8}|\d+)$/i;

/**
 * `PJSIP/carrier-a-0000001f` -> `carrier-a`: the peer (trunk) of the channel, without the channel
 * technology and the per-call suffix, so it names the trunk the way the carrier provisioned it. A
 * peer written as an address (`SIP/203.0.113.9:5061-...`, `PJSIP/[2001:db8::7]:5060-...`,
 * `IAX2/192.168.2.14:4569-753`) is the bare address, and a host name loses its port too
 * (peerWithoutPort), so one peer is one trunk whatever port it signalled from.
 */
export function trunkFromChannel(channel: string): string {
  const slash = channel.indexOf('/');
  const tech = slash < 0 ? '' : channel.slice(0, slash).toUpperCase();
  const rest = channel.replace(/^[A-Za-z0-9]+\//, '');
  return peerWithoutPort(rest.replace(tech === 'IAX2' ? IAX2_SUFFIX : HEX_SUFFIX, ''));
}

/** Channel technologies whose peer is a provisioned trunk or endpoint name (not Local/, DAHDI/, ...). */
const PEER_TECHNOLOGIES = new Set(['SIP', 'PJSIP', 'IAX2']);

/**
 * Asterisk's stock peer names, the counterpart of FreeSWITCH's stock contexts: chan_pjsip hands every
 * caller no endpoint identifies to the endpoint named `anonymous` (`PJSIP/anonymous-00000001`). Such
 * a peer is whoever called unidentified, never one customer, so it names none (the trunk map may
 * still map it).
 */
const STOCK_PEERS = new Set(['anonymous']);

/** Where an Asterisk call came from: the peer of its channel (docs/switch-config.md, attribution). */
export function asteriskOrigin(channel: string, trunk = trunkFromChannel(channel)): CallOrigin {
  const slash = channel.indexOf('/');
  const peer = slash < 0 ? '' : trunk;
  const tech = slash < 0 ? '' : channel.slice(0, slash).toUpperCase();
  const namesCustomer =
    peer !== '' &&
    PEER_TECHNOLOGIES.has(tech) &&
    peerAddress(peer) === null &&
    !STOCK_PEERS.has(peer.toLowerCase());
  return { peer, namesCustomer };
}

/** epoch seconds of a uniqueid, after the systemname and its dash when asterisk.conf sets one */
const UNIQUEID = /(?:^|-)(\d{9,10})\.\d+$/;

/**
 * When Asterisk made the call, from the uniqueid its row carries (`1793514600.8`: epoch seconds, a
 * dot, a sequence number; `pbx1-1793514600.8` with a systemname): an instant written without a zone,
 * which tells which of the two readings of a start in the hour clocks repeat is the call's
 * (RepeatedHour). NaN for a row without one. Read only for such a start.
 */
export function asteriskCreatedMs(raw: RawCall): number {
  const m = UNIQUEID.exec(raw.call_id);
  return m ? Number(m[1]) * 1000 : Number.NaN;
}

/** `"Name" <2025550143>` -> `2025550143` */
function numberFromClid(clid: string): string {
  const m = /<([^>]*)>/.exec(clid);
  return m ? m[1] : '';
}

/** The cdr_csv columns each field is read from, as the reasons of a quarantined row name them. */
const ASTERISK_SOURCE: SourceColumns = {
  ...CANONICAL_SOURCE,
  call_id: 'uniqueid',
  start_time: 'start',
  answer_time: 'answer',
  end_time: 'end',
  duration_s: 'billsec',
  customer_id: 'accountcode',
  trunk_id: 'channel',
  calling_number: 'src',
  called_number: 'dst',
};

/**
 * The same, by where the row's customer and caller ID came from (index: customer from the channel
 * +2, caller ID from clid +1): chosen per row, built once.
 */
const ASTERISK_SOURCES: readonly SourceColumns[] = [
  ASTERISK_SOURCE,
  { ...ASTERISK_SOURCE, calling_number: 'clid' },
  { ...ASTERISK_SOURCE, customer_id: 'channel' },
  { ...ASTERISK_SOURCE, customer_id: 'channel', calling_number: 'clid' },
];

/**
 * The fields of a cdr_csv row of `count` fields that hold ids: accountcode, and uniqueid where the
 * row has one (asteriskRow reads it as the call id); peeraccount and linkedid in a row of all 21.
 * None for a row of another width: no telling which field is which.
 */
export function asteriskIdFields(count: number): number[] {
  if (count < ASTERISK_MIN_COLUMNS || count > ASTERISK_MAX_COLUMNS) return [];
  if (count === ASTERISK_MAX_COLUMNS) return [0, 16, 18, 19];
  return count >= 17 ? [0, 16] : [0];
}

/**
 * One cdr_csv row. accountcode names the customer; when it is empty (Asterisk's default), the
 * switch's attribution finds the customer from the channel's peer, or the row is unattributed.
 */
export function asteriskRow(rec: CsvRecord, attribution: CustomerAttribution = PEER_NAMES_ONLY): RawCall {
  if (rec.count < ASTERISK_MIN_COLUMNS || rec.count > ASTERISK_MAX_COLUMNS) {
    throw new RangeError(`has ${rec.count} fields, Asterisk cdr_csv has 16 to 21`);
  }
  const raw = emptyRawCall();
  raw.attestation = NOT_REPORTED; // the default templates carry no STIR/SHAKEN fields
  const channel = rec.field(5);
  // the channel's peer once: the trunk, and the customer when accountcode is empty
  const trunk = trunkFromChannel(channel);
  const accountcode = rec.field(0).trim();
  raw.customer_id = accountcode || attribution.customerFor(asteriskOrigin(channel, trunk));
  const src = rec.field(1);
  raw.calling_number = src || numberFromClid(rec.field(4));
  raw.columns = ASTERISK_SOURCES[(accountcode === '' ? 2 : 0) + (src === '' ? 1 : 0)];
  raw.called_number = rec.field(2);
  raw.trunk_id = trunk;
  raw.start_time = rec.field(9);
  raw.answer_time = rec.field(10);
  raw.end_time = rec.field(11);
  raw.duration_s = rec.field(13); // billsec: the answered part
  raw.disposition = rec.field(14);
  // uniqueid when the build logs it; otherwise the line number keeps call ids unique per batch
  raw.call_id = rec.count >= 17 && rec.field(16) !== '' ? rec.field(16) : `line-${rec.line}`;
  return raw;
}
