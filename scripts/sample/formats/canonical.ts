import { dispositionOf, type SampleCall } from '../call.ts';
import { formatNumber } from '../number-format.ts';
import { type CanonicalSwitch, styleFor } from '../switches.ts';
import { isoUtc, isoWithOffset } from '../time.ts';
import { csvField } from './csv-field.ts';

/**
 * Writers for the canonical CDR layout (docs/input-contract.md) as each SBC spells it: CSV with the
 * switch's own column order and header case, or JSON Lines with typed values.
 */

/** Salts for styleFor, shared with the traceback builder so it knows how the CDR spelled each number. */
export const CALLING_SALT = 17;
export const CALLED_SALT = 29;

const ROUTE_PLANS = ['LCR-1', 'LCR-2', 'PREMIUM', 'DIRECT'];

export function formatTime(sw: CanonicalSwitch, ms: number): string {
  switch (sw.timeStyle) {
    case 'iso-utc':
      return isoUtc(ms);
    case 'iso-offset':
      return isoWithOffset(ms, sw.offsetZone);
    case 'epoch-s':
      return String(Math.floor(ms / 1000));
    case 'epoch-ms':
      return String(ms);
  }
}

export function callingAsWritten(sw: CanonicalSwitch, call: SampleCall): string {
  return formatNumber(call.calling, styleFor(sw.callingStyles, call, CALLING_SALT), sw.host, call.verstat);
}

export function calledAsWritten(sw: CanonicalSwitch, call: SampleCall): string {
  return formatNumber(call.called, styleFor(sw.calledStyles, call, CALLED_SALT), sw.host);
}

/** Every canonical column's text for this call on this switch (keys are lower-case column names). */
export function canonicalValues(sw: CanonicalSwitch, call: SampleCall): Record<string, string> {
  return {
    call_id: call.callId,
    start_time: formatTime(sw, call.startMs),
    answer_time: call.answerMs === null ? '' : formatTime(sw, call.answerMs),
    end_time: formatTime(sw, call.endMs),
    duration_s: String(call.durationS),
    customer_id: call.customerId,
    trunk_id: call.trunkId,
    calling_number: callingAsWritten(sw, call),
    called_number: calledAsWritten(sw, call),
    sip_code: String(call.sipCode),
    disposition: dispositionOf(call.sipCode),
    attestation: call.attestation,
    verstat: call.verstat,
    source_ip: call.sourceIp,
    x_route_plan: ROUTE_PLANS[call.startMs % ROUTE_PLANS.length],
  };
}

export function csvHeader(sw: CanonicalSwitch): string {
  return sw.columns.join(',');
}

/** One CSV line (no line break) from column values; columns missing from `values` are written empty. */
export function csvLineFromValues(sw: CanonicalSwitch, values: Record<string, string>): string {
  return sw.columns.map((column) => csvField(values[column.toLowerCase()] ?? '')).join(',');
}

export function csvLine(sw: CanonicalSwitch, call: SampleCall): string {
  return csvLineFromValues(sw, canonicalValues(sw, call));
}

/** Typed JSON values: times and counts as numbers, unanswered answer_time as null, unsigned calls omit attestation. */
export function jsonRecord(sw: CanonicalSwitch, call: SampleCall): Record<string, string | number | null> {
  const values = canonicalValues(sw, call);
  const record: Record<string, string | number | null> = {};
  for (const column of sw.columns) {
    const key = column.toLowerCase();
    const text = values[key];
    if ((key === 'attestation' || key === 'verstat') && text === '') continue;
    const isTime = key === 'start_time' || key === 'answer_time' || key === 'end_time';
    if (key === 'answer_time' && call.answerMs === null) record[key] = null;
    else if (isTime) record[key] = sw.timeStyle.startsWith('epoch') ? Number(text) : text;
    else if (key === 'duration_s' || key === 'sip_code') record[key] = Number(text);
    else record[key] = text;
  }
  return record;
}

export function jsonLine(sw: CanonicalSwitch, call: SampleCall): string {
  return JSON.stringify(jsonRecord(sw, call));
}

/** The line (no line break) a switch writes for this call, CSV or JSON Lines. */
export function canonicalLine(sw: CanonicalSwitch, call: SampleCall): string {
  return sw.format === 'csv' ? csvLine(sw, call) : jsonLine(sw, call);
}
