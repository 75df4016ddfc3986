import { CANONICAL_COLUMNS } from '../../shared/cdr/raw-call.ts';
import type { SampleCall } from './call.ts';
import { EAST, type Zone } from './nanp.ts';
import type { NumberStyle } from './number-format.ts';
import type { Random } from './random.ts';

/** How a switch spells start_time / answer_time / end_time. */
export type TimeStyle = 'iso-utc' | 'iso-offset' | 'epoch-s' | 'epoch-ms';
export type Compression = 'none' | 'gzip';

export interface CanonicalSwitch {
  id: string;
  format: 'csv' | 'jsonl';
  /** header names in the order written (CSV); canonical names, any case, plus unknown extras */
  columns: readonly string[];
  timeStyle: TimeStyle;
  /** zone used to write `iso-offset` times */
  offsetZone: Zone;
  callingStyles: readonly NumberStyle[];
  calledStyles: readonly NumberStyle[];
  /** SIP host written into sip: URIs */
  host: string;
  /** batch start minutes within the hour: [0] is one batch per hour, [0, 30] two */
  batchMinutes: readonly number[];
  /** whether the batch for this UTC hour is gzip-compressed */
  compression(hourOfDay: number): Compression;
  /** the file name of the batch (no directories), e.g. `16.csv.gz`, `16-30.csv` */
  fileName(hourOfDay: number, minute: number): string;
  callId(random: Random, startMs: number): string;
}

const hh = (hour: number) => String(hour).padStart(2, '0');
const mm = (minute: number) => String(minute).padStart(2, '0');

export const SBC_EAST: CanonicalSwitch = {
  id: 'sbc-east-1',
  format: 'csv',
  // non-canonical order, with an unknown column in the middle that readers must ignore
  columns: [
    'start_time',
    'call_id',
    'customer_id',
    'trunk_id',
    'calling_number',
    'called_number',
    'x_route_plan',
    'answer_time',
    'end_time',
    'duration_s',
    'sip_code',
    'disposition',
    'attestation',
    'verstat',
    'source_ip',
  ],
  timeStyle: 'iso-offset',
  offsetZone: EAST,
  callingStyles: ['e164', 'pretty', 'nanp10'],
  calledStyles: ['nanp10', 'e164', 'pretty'],
  host: 'sbc-east-1.carrier.example',
  batchMinutes: [0],
  // every third hour is gzip-compressed but keeps the .csv name: compression is detected from bytes
  compression: (hour) => (hour % 3 === 0 ? 'gzip' : 'none'),
  fileName: (hour) => `${hh(hour)}.csv`,
  callId: (random) => random.uuid(),
};

export const SBC_CENTRAL: CanonicalSwitch = {
  id: 'sbc-central-1',
  format: 'csv',
  // upper-case header (names match case-insensitively) and no disposition column: sip_code decides
  columns: [
    'CALL_ID',
    'CUSTOMER_ID',
    'START_TIME',
    'ANSWER_TIME',
    'END_TIME',
    'DURATION_S',
    'CALLED_NUMBER',
    'CALLING_NUMBER',
    'SIP_CODE',
    'ATTESTATION',
    'VERSTAT',
    'TRUNK_ID',
    'SOURCE_IP',
  ],
  timeStyle: 'epoch-s',
  offsetZone: EAST,
  callingStyles: ['nanp11', 'sip'],
  calledStyles: ['nanp11', 'e164'],
  host: '198.51.100.20',
  batchMinutes: [0],
  compression: () => 'gzip',
  fileName: (hour) => `${hh(hour)}.csv.gz`,
  callId: (random) => `${random.hex(24)}@198.51.100.20`,
};

export const GW_WHOLESALE: CanonicalSwitch = {
  id: 'gw-wholesale-1',
  format: 'csv',
  columns: [
    'customer_id',
    'trunk_id',
    'source_ip',
    'call_id',
    'calling_number',
    'called_number',
    'start_time',
    'answer_time',
    'end_time',
    'duration_s',
    'sip_code',
    'disposition',
    'attestation',
    'verstat',
  ],
  timeStyle: 'iso-utc',
  offsetZone: EAST,
  callingStyles: ['tel', 'e164'],
  calledStyles: ['sip', 'nanp11'],
  host: 'gw-wholesale-1.carrier.example',
  // two batches an hour, so one customer-hour arrives in two objects
  batchMinutes: [0, 30],
  compression: () => 'none',
  fileName: (hour, minute) => `${hh(hour)}-${mm(minute)}.csv`,
  callId: (random) => random.hex(32),
};

export const SBC_WEST: CanonicalSwitch = {
  id: 'sbc-west-1',
  format: 'jsonl',
  columns: [...CANONICAL_COLUMNS],
  timeStyle: 'epoch-ms',
  offsetZone: EAST,
  callingStyles: ['e164', 'sip'],
  calledStyles: ['e164', 'nanp10'],
  host: 'sbc-west-1.carrier.example',
  batchMinutes: [0],
  compression: () => 'none',
  fileName: (hour) => `${hh(hour)}.jsonl`,
  callId: (random) => random.uuid(),
};

export const CANONICAL_SWITCHES: readonly CanonicalSwitch[] = [SBC_EAST, SBC_CENTRAL, GW_WHOLESALE, SBC_WEST];

/** Native-format PBXs: they write one local-time file for the day, used as standalone CLI inputs. */
export const NATIVE_ZONE: Zone = EAST;
export const ASTERISK_SWITCH = 'pbx-asterisk-1';
export const FREESWITCH_SWITCH = 'pbx-freeswitch-1';
export const ASTERISK_FILE = 'native/asterisk/Master.csv';
export const FREESWITCH_FILE = 'native/freeswitch/Master.csv';

/** Per-run counter behind Asterisk's `<epoch>.<sequence>` uniqueid; one per generation run. */
export interface CallIdSequence {
  next: number;
}

/** Call id in the switch's own style (Asterisk uniqueid `<epoch>.<seq>`, FreeSWITCH uuid, SBC styles above). */
export function callIdFor(
  switchId: string,
  random: Random,
  startMs: number,
  sequence: CallIdSequence,
): string {
  const canonical = CANONICAL_SWITCHES.find((s) => s.id === switchId);
  if (canonical) return canonical.callId(random, startMs);
  if (switchId === ASTERISK_SWITCH) return `${Math.floor(startMs / 1000)}.${sequence.next++}`;
  return random.uuid();
}

/** Stable choice of spelling for a call's number, so the traceback builder can predict what the CDR shows. */
export function styleFor(styles: readonly NumberStyle[], call: SampleCall, salt: number): NumberStyle {
  let h = salt;
  for (let i = 0; i < call.callId.length; i++) h = (Math.imul(h, 31) + call.callId.charCodeAt(i)) >>> 0;
  return styles[h % styles.length];
}
