import type { Random } from './random.ts';

export type Attestation = 'A' | 'B' | 'C' | '';
export type Verstat = 'TN-Validation-Passed' | 'TN-Validation-Failed' | 'No-TN-Validation' | '';

/**
 * One generated call before any switch formats it. Numbers are E.164 when valid; planted invalid
 * caller IDs are kept as the raw text the switch would print, and blank caller ID is '' or 'anonymous'.
 */
export interface SampleCall {
  callId: string;
  switchId: string;
  customerId: string;
  trunkId: string;
  sourceIp: string;
  calling: string;
  called: string;
  /** seizure, epoch ms UTC, whole seconds */
  startMs: number;
  answerMs: number | null;
  endMs: number;
  /** billable seconds, 0 when unanswered */
  durationS: number;
  sipCode: number;
  attestation: Attestation;
  verstat: Verstat;
}

/** How a call ended, before timestamps are laid out. */
export interface Outcome {
  sipCode: number;
  durationS: number;
  /** seconds from seizure to answer (answered) or to the final response (unanswered) */
  setupS: number;
}

/** Final responses of calls that did not connect, weighted as an ordinary mix (busy, cancel, no answer...). */
const ORDINARY_FAILURES = [486, 487, 480, 404, 603] as const;
const ORDINARY_FAILURE_WEIGHTS = [30, 35, 20, 10, 5];
/** Blocking / unwanted responses (domain-notes 1.2 #4): 603 decline, 607 unwanted, 608 rejected, 403. */
export const REJECTIONS = [603, 607, 608, 403] as const;

export interface OutcomeModel {
  /** answer-seizure ratio */
  asr: number;
  /** draws the billable seconds of an answered call */
  duration(random: Random): number;
  /** share of attempts that end in a blocking response (603/607/608/403) instead of an ordinary failure */
  rejectionShare?: number;
}

export function drawOutcome(random: Random, model: OutcomeModel): Outcome {
  if (random.chance(model.asr)) {
    return {
      sipCode: 200,
      durationS: Math.max(1, Math.round(model.duration(random))),
      setupS: random.int(3, 18),
    };
  }
  const rejectionShare = model.rejectionShare ?? 0;
  // rejectionShare is a share of all attempts; turn it into a share of the unanswered ones
  const rejectedGivenFailed = Math.min(1, rejectionShare / Math.max(1e-9, 1 - model.asr));
  const sipCode = random.chance(rejectedGivenFailed)
    ? random.pick(REJECTIONS)
    : random.weighted(ORDINARY_FAILURES, ORDINARY_FAILURE_WEIGHTS);
  const setupS = sipCode === 480 || sipCode === 487 ? random.int(15, 40) : random.int(0, 6);
  return { sipCode, durationS: 0, setupS };
}

/** Conversational traffic: ACD about three minutes (domain-notes 1.2 #2). */
export const conversationalDuration = (random: Random) => random.logNormal(120, 0.9);

export function dispositionOf(sipCode: number): string {
  if (sipCode === 200) return 'ANSWERED';
  if (sipCode === 486) return 'BUSY';
  if (sipCode === 487) return 'CANCELLED';
  if (sipCode === 480) return 'NO_ANSWER';
  if (sipCode === 603 || sipCode === 607 || sipCode === 608 || sipCode === 403) return 'REJECTED';
  return 'FAILED';
}

/** Asterisk cdr_csv disposition vocabulary (note the space in NO ANSWER). */
export function asteriskDispositionOf(sipCode: number): string {
  if (sipCode === 200) return 'ANSWERED';
  if (sipCode === 486) return 'BUSY';
  if (sipCode === 487 || sipCode === 480) return 'NO ANSWER';
  return 'FAILED';
}

/** FreeSWITCH hangup_cause (Q.850 names) for a final SIP response. */
export function hangupCauseOf(sipCode: number): string {
  switch (sipCode) {
    case 200:
      return 'NORMAL_CLEARING';
    case 486:
      return 'USER_BUSY';
    case 487:
      return 'ORIGINATOR_CANCEL';
    case 480:
      return 'NO_ANSWER';
    case 404:
      return 'UNALLOCATED_NUMBER';
    case 403:
    case 603:
    case 607:
    case 608:
      return 'CALL_REJECTED';
    default:
      return 'NORMAL_TEMPORARY_FAILURE';
  }
}
