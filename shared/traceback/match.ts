import { callerIdKey } from '../cdr/phone.ts';
import type { CallRecord } from '../cdr/record.ts';
import type { TracebackRequest } from './request.ts';

/** Switch clocks and the requester's clock disagree by seconds to a minute or two. */
export const DEFAULT_TOLERANCE_S = 120;

export interface SearchWindow {
  fromMs: number;
  toMs: number;
}

export function searchWindow(callMs: number, toleranceS: number = DEFAULT_TOLERANCE_S): SearchWindow {
  return { fromMs: callMs - toleranceS * 1000, toMs: callMs + toleranceS * 1000 };
}

/**
 * Whether a normalized call is the one the request describes: same calling and called number (both
 * sides normalized to E.164 by the same code) and a start time inside the window (inclusive). A caller
 * ID that is no number (a spoofed `5565541`) is kept by ingest as written, so it is compared as its
 * callerIdKey: `556-5541` in a request finds `5565541` in a row; a withheld one is '' on both sides.
 */
export function matchesRequest(record: CallRecord, request: TracebackRequest, window: SearchWindow): boolean {
  return (
    record.startMs >= window.fromMs &&
    record.startMs <= window.toMs &&
    record.called === request.called &&
    (record.calling === request.calling ||
      (request.callingClass === 'invalid_digits' && callerIdKey(record.calling) === request.calling))
  );
}
