import type { TracebackAnswer } from './answer.ts';
import type { BatchRef, ManifestReader } from './batches.ts';
import { hourKeysFor } from './batches.ts';
import type {
  AnswerUpdate,
  FirstAnswer,
  HistoryEntry,
  TracebackEvent,
  TracebackEventPublisher,
  TracebackQueue,
  TracebackStore,
} from './ports.ts';
import type { TracebackRecord } from './record.ts';
import type { TracebackRequestDocument } from './request.ts';

/** The store in one process (tests; the same contract the DynamoDB store keeps). */
export class InMemoryTracebackStore implements TracebackStore {
  readonly records = new Map<string, TracebackRecord>();
  readonly histories = new Map<string, Map<string, HistoryEntry>>();

  async create(record: TracebackRecord) {
    const existing = this.records.get(record.tracebackId);
    if (existing) return { created: false, record: structuredClone(existing) };
    this.records.set(record.tracebackId, structuredClone(record));
    return { created: true, record: structuredClone(record) };
  }

  async get(id: string) {
    const r = this.records.get(id);
    return r ? structuredClone(r) : null;
  }

  async saveFirstAnswer(id: string, update: AnswerUpdate) {
    if (this.require(id).answer) return false;
    await this.saveAnswer(id, update);
    return true;
  }

  async saveAnswer(id: string, update: AnswerUpdate) {
    const r = this.require(id);
    Object.assign(r, structuredClone(update), { status: 'answered' });
  }

  async reviseAnswer(id: string, expectedAnsweredAt: string, update: AnswerUpdate, firstAnswer: FirstAnswer) {
    const r = this.require(id);
    if (r.answeredAt !== expectedAnsweredAt || r.answer?.status !== 'not_found') return false;
    Object.assign(r, structuredClone(update), { firstAnswer: r.firstAnswer ?? structuredClone(firstAnswer) });
    return true;
  }

  async markEventPublished(id: string, at: string) {
    this.require(id).eventPublishedAt = at;
  }

  async listOpen() {
    return [...this.records.values()]
      .filter((r) => r.status === 'open')
      .sort((a, b) => a.deadline.localeCompare(b.deadline))
      .map((r) => structuredClone(r));
  }

  async listAnswered(deadlineFrom: string, answerStatus?: TracebackAnswer['status']) {
    return [...this.records.values()]
      .filter(
        (r) =>
          r.status === 'answered' &&
          r.deadline >= deadlineFrom &&
          (answerStatus === undefined || r.answer?.status === answerStatus),
      )
      .sort((a, b) => a.deadline.localeCompare(b.deadline))
      .map((r) => structuredClone(r));
  }

  async markAlertSent(id: string, key: string) {
    const r = this.require(id);
    if (r.alertsSent.includes(key)) return false;
    r.alertsSent.push(key);
    return true;
  }

  async addHistory(customerId: string, entry: HistoryEntry) {
    const list = this.histories.get(customerId) ?? new Map<string, HistoryEntry>();
    list.set(entry.tracebackId, { ...entry });
    this.histories.set(customerId, list);
  }

  async history(customerId: string) {
    return [...(this.histories.get(customerId)?.values() ?? [])];
  }

  private require(id: string): TracebackRecord {
    const r = this.records.get(id);
    if (!r) throw new Error(`traceback ${id} is not stored`);
    return r;
  }
}

/** A manifest of hour index items, built the way ingest writes them (one item per UTC hour a batch spans). */
export class InMemoryManifest implements ManifestReader {
  readonly hours = new Map<string, BatchRef[]>();
  queries = 0;

  add(batch: BatchRef): void {
    for (const key of hourKeysFor({ fromMs: batch.firstMs, toMs: batch.lastMs })) {
      const list = this.hours.get(key) ?? [];
      list.push(batch);
      this.hours.set(key, list);
    }
  }

  async batchesInHour(hourKey: string) {
    this.queries++;
    return [...(this.hours.get(hourKey) ?? [])];
  }
}

export class RecordingTracebackQueue implements TracebackQueue {
  readonly sent: TracebackRequestDocument[] = [];
  async send(request: TracebackRequestDocument) {
    this.sent.push(structuredClone(request));
  }
}

export class RecordingEventPublisher implements TracebackEventPublisher {
  readonly events: TracebackEvent[] = [];
  async publish(event: TracebackEvent) {
    this.events.push(event);
  }
}
