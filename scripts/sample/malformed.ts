import type { SampleCall } from './call.ts';
import { canonicalValues, csvLineFromValues, jsonRecord } from './formats/canonical.ts';
import type { Random } from './random.ts';
import { type CanonicalSwitch, GW_WHOLESALE, SBC_CENTRAL, SBC_EAST, SBC_WEST } from './switches.ts';

/**
 * Rows that a reader must quarantine (docs/input-contract.md: never stop the batch, never lose the row).
 * Each is a copy of a real row from the same batch with one thing broken, so everything else about it
 * looks normal. They are extra rows: the calls they were copied from are still present and intact.
 */
export type DefectKind =
  | 'missing_call_id'
  | 'unparseable_start_time'
  | 'negative_duration'
  | 'wrong_column_count'
  | 'bad_attestation'
  | 'truncated_json';

export interface Defect {
  switchId: string;
  hour: number;
  /** batch start minute (gw-wholesale-1 writes two batches an hour) */
  minute: number;
  /** inserted after this many good rows of the batch (or at the end of a shorter batch) */
  afterRow: number;
  kind: DefectKind;
}

export const DEFECTS: readonly Defect[] = [
  { switchId: SBC_EAST.id, hour: 9, minute: 0, afterRow: 5, kind: 'missing_call_id' },
  { switchId: SBC_EAST.id, hour: 14, minute: 0, afterRow: 40, kind: 'wrong_column_count' },
  { switchId: SBC_CENTRAL.id, hour: 12, minute: 0, afterRow: 10, kind: 'unparseable_start_time' },
  { switchId: SBC_CENTRAL.id, hour: 20, minute: 0, afterRow: 100, kind: 'bad_attestation' },
  { switchId: GW_WHOLESALE.id, hour: 16, minute: 30, afterRow: 20, kind: 'negative_duration' },
  { switchId: SBC_WEST.id, hour: 13, minute: 0, afterRow: 7, kind: 'bad_attestation' },
  { switchId: SBC_WEST.id, hour: 18, minute: 0, afterRow: 50, kind: 'truncated_json' },
  { switchId: SBC_WEST.id, hour: 21, minute: 0, afterRow: 3, kind: 'missing_call_id' },
];

export const DEFECT_DESCRIPTIONS: Record<DefectKind, string> = {
  missing_call_id: 'call_id is empty (CSV) or absent (JSON)',
  unparseable_start_time: 'start_time is not ISO 8601 or epoch',
  negative_duration: 'duration_s is negative',
  wrong_column_count: 'row has fewer fields than the header',
  bad_attestation: 'attestation is not A, B, C or empty',
  truncated_json: 'line is not valid JSON (cut off mid-object)',
};

/** The broken line (no line break) for a defect, copied from `template` with a fresh call id. */
export function defectLine(
  sw: CanonicalSwitch,
  defect: Defect,
  template: SampleCall,
  random: Random,
): string {
  const call: SampleCall = { ...template, callId: sw.callId(random, template.startMs) };
  if (sw.format === 'jsonl') {
    const record = jsonRecord(sw, call);
    switch (defect.kind) {
      case 'missing_call_id':
        delete record.call_id;
        return JSON.stringify(record);
      case 'bad_attestation':
        return JSON.stringify({ ...record, attestation: 'D' });
      case 'truncated_json': {
        const text = JSON.stringify(record);
        return text.slice(0, Math.floor(text.length / 2));
      }
      default:
        throw new Error(`defect ${defect.kind} is not defined for JSON Lines (switch ${sw.id})`);
    }
  }
  const values = canonicalValues(sw, call);
  switch (defect.kind) {
    case 'missing_call_id':
      return csvLineFromValues(sw, { ...values, call_id: '' });
    case 'unparseable_start_time':
      return csvLineFromValues(sw, { ...values, start_time: 'yesterday 25:61' });
    case 'negative_duration':
      return csvLineFromValues(sw, { ...values, duration_s: '-6' });
    case 'bad_attestation':
      return csvLineFromValues(sw, { ...values, attestation: 'X' });
    case 'wrong_column_count':
      return csvLineFromValues(sw, values).split(',').slice(0, -3).join(',');
    case 'truncated_json':
      throw new Error(`defect ${defect.kind} is only defined for JSON Lines (switch ${sw.id})`);
  }
}
