import type { Severity } from '../cases/events.ts';
import type { TracebackAnswer } from './answer.ts';
import type { DeadlineAlert } from './deadline-watch.ts';
import type { TracebackRecord } from './record.ts';
import type { TracebackRequestDocument } from './request.ts';

export interface AnswerUpdate {
  answer: TracebackAnswer;
  answeredAt: string;
  customerId?: string;
  trunkId?: string;
  repeatCount?: number;
  severity?: Severity;
}

export interface FirstAnswer {
  answer: TracebackAnswer;
  answeredAt: string;
}

export interface HistoryEntry {
  answeredAt: string;
  tracebackId: string;
  /** the call the answer traced back (history.ts tracedCall): requests about one call count once */
  call?: string;
}

/** Traceback requests, answers and per-customer history (the Tracebacks table). */
export interface TracebackStore {
  /** stores a new request; when one with this id exists, returns it untouched (idempotent intake) */
  create(record: TracebackRecord): Promise<{ created: boolean; record: TracebackRecord }>;
  get(tracebackId: string): Promise<TracebackRecord | null>;
  /**
   * records the first answer, only while the request has none: of two deliveries searching at once,
   * one answer stands. false when another delivery answered first (read its answer and carry on)
   */
  saveFirstAnswer(tracebackId: string, update: AnswerUpdate): Promise<boolean>;
  /** records the answer; the request leaves the `open` status (and the deadline watch) */
  saveAnswer(tracebackId: string, update: AnswerUpdate): Promise<void>;
  /**
   * replaces a `not_found` answer after a search of late batches, only while the stored answer is
   * still the `not_found` one given at `expectedAnsweredAt` (of two searches at once, one wins); the
   * answer first given is kept as `firstAnswer`. false when the stored answer had changed.
   */
  reviseAnswer(
    tracebackId: string,
    expectedAnsweredAt: string,
    update: AnswerUpdate,
    firstAnswer: FirstAnswer,
  ): Promise<boolean>;
  markEventPublished(tracebackId: string, at: string): Promise<void>;
  /** open requests, most urgent (earliest deadline) first */
  listOpen(): Promise<TracebackRecord[]>;
  /** answered requests whose deadline is at or after `deadlineFrom`, earliest first; only `not_found` or `found` ones if asked */
  listAnswered(deadlineFrom: string, answerStatus?: TracebackAnswer['status']): Promise<TracebackRecord[]>;
  /** remembers a deadline alert; false when it was already recorded (another watcher sent it) */
  markAlertSent(tracebackId: string, key: string): Promise<boolean>;
  /** one entry per (customer, traceback), keyed by the traceback id alone: adding it again, at any time, keeps one */
  addHistory(customerId: string, entry: HistoryEntry): Promise<void>;
  history(customerId: string): Promise<HistoryEntry[]>;
}

/** The ComplianceEvents message for an answered traceback that names a customer. */
export interface TracebackEvent {
  type: 'traceback';
  traceback_id: string;
  customer_id: string;
  trunk_id: string;
  repeat_count: number;
  severity: Severity;
  answered_at: string;
  status: 'found';
  /** present when a search of late batches turned an earlier `not_found` answer into this one */
  revised_from?: 'not_found';
}

export interface TracebackEventPublisher {
  publish(event: TracebackEvent): Promise<void>;
}

/** Deadline alerts for people; messages carry ids and times, never phone numbers. */
export interface DeadlineNotifier {
  alert(alert: DeadlineAlert, record: TracebackRecord): Promise<void>;
}

/** The traceback queue, for requests sent back to intake (a `not_found` answer whose window gained batches). */
export interface TracebackQueue {
  send(request: TracebackRequestDocument): Promise<void>;
}
