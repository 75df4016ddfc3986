import { asteriskDispositionOf, hangupCauseOf, type SampleCall } from '../call.ts';
import { formatNumber } from '../number-format.ts';
import { localWallClock } from '../time.ts';
import { quoted } from './csv-field.ts';

/**
 * Writers for the native PBX formats (docs/input-contract.md, domain-notes 4.1 and 4.2). Both write
 * local wall-clock times without a zone, which is why the sample ships native/README.txt.
 */

export const ASTERISK_COLUMNS = 18; // 16 base columns + uniqueid + userfield (the common sample cdr.conf)
export const FREESWITCH_COLUMNS = 15; // the `example` default template

const CALLER_NAMES = ['WIRELESS CALLER', 'ACME CORP', 'FRONT DESK', 'SALES'];

/** Same-call-stable small number, so derived fields (channel suffix, caller name) stay deterministic. */
function callHash(call: SampleCall): number {
  let h = 7;
  for (let i = 0; i < call.callId.length; i++) h = (Math.imul(h, 31) + call.callId.charCodeAt(i)) >>> 0;
  return h;
}

/** How Asterisk prints the caller: 10-digit for most trunks, 11-digit for some, anything else verbatim. */
export function asteriskCalling(call: SampleCall): string {
  return formatNumber(call.calling, callHash(call) % 4 === 0 ? 'nanp11' : 'nanp10', '');
}

/**
 * Asterisk cdr_csv Master.csv line, 18 columns: accountcode, src, dst, dcontext, clid, channel, dstchannel,
 * lastapp, lastdata, start, answer, end, duration, billsec, disposition, amaflags, uniqueid, userfield.
 * Strings quoted, duration/billsec bare, an empty answer time written as an empty bare field.
 */
export function asteriskLine(call: SampleCall, zone: string): string {
  const h = callHash(call);
  const src = asteriskCalling(call);
  const dst = formatNumber(call.called, 'nanp11', '');
  const suffix = (h & 0xffffff).toString(16).padStart(8, '0');
  const answered = call.answerMs !== null;
  const name = CALLER_NAMES[h % CALLER_NAMES.length];
  return [
    quoted(call.customerId),
    quoted(src),
    quoted(dst),
    quoted('from-trunk'),
    quoted(`"${name}" <${src}>`),
    quoted(`PJSIP/${call.trunkId}-${suffix}`),
    quoted(answered ? `PJSIP/carrier-out-${suffix}` : ''),
    quoted('Dial'),
    quoted(`PJSIP/${dst}@carrier-out,60`),
    quoted(localWallClock(call.startMs, zone)),
    call.answerMs === null ? '' : quoted(localWallClock(call.answerMs, zone)),
    quoted(localWallClock(call.endMs, zone)),
    String(Math.round((call.endMs - call.startMs) / 1000)),
    String(call.durationS),
    quoted(asteriskDispositionOf(call.sipCode)),
    quoted('DOCUMENTATION'),
    quoted(call.callId),
    quoted(''),
  ].join(',');
}

/**
 * FreeSWITCH mod_cdr_csv `example` template line, all 15 fields quoted: caller_id_name, caller_id_number,
 * destination_number, context, start_stamp, answer_stamp, end_stamp, duration, billsec, hangup_cause,
 * uuid, bleg_uuid, accountcode, read_codec, write_codec.
 */
export function freeswitchLine(call: SampleCall, zone: string): string {
  const h = callHash(call);
  const answered = call.answerMs !== null;
  const blegUuid = answered
    ? `${call.callId.slice(0, 24)}${(h >>> 0).toString(16).padStart(8, '0').slice(0, 8)}${call.callId.slice(32)}`
    : '';
  return [
    CALLER_NAMES[h % CALLER_NAMES.length],
    formatNumber(call.calling, 'e164', ''),
    formatNumber(call.called, 'nanp11', ''),
    'public',
    localWallClock(call.startMs, zone),
    call.answerMs === null ? '' : localWallClock(call.answerMs, zone),
    localWallClock(call.endMs, zone),
    String(Math.round((call.endMs - call.startMs) / 1000)),
    String(call.durationS),
    hangupCauseOf(call.sipCode),
    call.callId,
    blegUuid,
    call.customerId,
    'PCMU',
    'PCMU',
  ]
    .map(quoted)
    .join(',');
}
