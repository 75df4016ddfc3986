import { describe, expect, it } from 'vitest';
import { appendAudit, auditStreams } from '../../shared/audit/append.ts';
import { chainNext } from '../../shared/audit/chain.ts';
import { InMemoryAuditStore } from '../../shared/audit/in-memory.ts';
import type { AuditHead } from '../../shared/audit/ports.ts';
import type { AuditEntry, AuditRecord } from '../../shared/audit/record.ts';
import { InMemoryCaseStore } from '../../shared/cases/in-memory.ts';
import { type CaseRecord, newCase } from '../../shared/cases/model.ts';
import {
  type AuditVerifyDeps,
  FIRST_RECORD_GRACE_MS,
  verifyAuditStreams,
} from '../../shared/cases/verify-audit.ts';

/**
 * `audit verify` while the pipeline is still writing: streams appended to between its reads, a
 * head whose record shows a moment later, and a case whose first record is not written yet.
 */
const entry = (n: number, action = 'event.finding'): AuditEntry => ({
  actor: { role: 'system', id: 'system' },
  action,
  reason: `message ${n}`,
});

const NOW = new Date('2026-12-08T01:36:10.000Z');

/** An audit store on which other writers act at chosen moments of a reader's reads. */
class ConcurrentAuditStore extends InMemoryAuditStore {
  listReads = 0;
  headReads = 0;
  /** runs after each list read, with the read's number (a writer acting between the reads) */
  afterList: (read: number) => Promise<void> = async () => {};
  afterHead: (read: number) => Promise<void> = async () => {};
  /** sequence numbers a list read does not show yet (DynamoDB showing one item of a transaction first) */
  unseen = new Set<number>();

  override async list(stream: string, afterSeq?: number): Promise<unknown[]> {
    const records = (await super.list(stream, afterSeq)) as AuditRecord[];
    await this.afterList(++this.listReads);
    return records.filter((r) => !this.unseen.has(r.seq));
  }

  override async head(stream: string): Promise<AuditHead | null> {
    const head = await super.head(stream);
    await this.afterHead(++this.headReads);
    return head;
  }
}

async function storeWith(stream: string, count: number): Promise<ConcurrentAuditStore> {
  const store = new ConcurrentAuditStore();
  for (let n = 1; n <= count; n++) await appendAudit(store, stream, entry(n));
  return store;
}

const deps = (audit: InMemoryAuditStore, cases: InMemoryCaseStore | null = null): AuditVerifyDeps => ({
  audit,
  cases,
  now: () => NOW,
  settle: { reads: 4, waitMs: 0 },
});

const trigger = (customer: string, at: string) => ({
  key: `f-${customer}`,
  type: 'finding' as const,
  severity: 'high' as const,
  receivedAt: at,
  event: { customer_id: customer, reasons: [] },
});

async function caseOpenedAt(cases: InMemoryCaseStore, caseId: string, at: Date): Promise<CaseRecord> {
  const record = newCase(caseId, trigger(caseId.split('-')[0], at.toISOString()), at.toISOString());
  await cases.open(record);
  return record;
}

describe('audit verify while streams are being appended to', () => {
  it('verifies a stream another writer appends to right after its records are read', async () => {
    // the tester's `events: the stream's head names record 4819, its last record is 4816`: the
    // records were read, three more appended, then the head read
    const store = await storeWith('events', 4);
    store.afterList = async (read) => {
      if (read === 1) for (const n of [5, 6, 7]) await appendAudit(store, 'events', entry(n));
    };
    expect(await verifyAuditStreams(deps(store), ['events'], false)).toEqual([
      expect.objectContaining({ ok: true, stream: 'events', records: 4, tail: 'anchored' }),
    ]);
    // the next run reads them all
    expect(await verifyAuditStreams(deps(store), ['events'], false)).toEqual([
      expect.objectContaining({ ok: true, records: 7, tail: 'anchored' }),
    ]);
  });

  it('verifies records appended after the head was read, vouched for by the head read after them', async () => {
    const store = await storeWith('events', 4);
    store.afterHead = async (read) => {
      if (read === 1) await appendAudit(store, 'events', entry(5));
    };
    expect(await verifyAuditStreams(deps(store), ['events'], false)).toEqual([
      expect.objectContaining({ ok: true, records: 5, tail: 'anchored' }),
    ]);
    expect(store.headReads).toBe(2);
  });

  it('reads the tail again when the head shows a record before the records do', async () => {
    const store = await storeWith('events', 4);
    store.unseen.add(4);
    // record 4 shows from the third read of the records on
    store.afterList = async (read) => {
      if (read === 3) store.unseen.clear();
    };
    const [verdict] = await verifyAuditStreams(deps(store), ['events'], false);
    expect(verdict).toMatchObject({ ok: true, records: 4, tail: 'anchored' });
    expect(store.listReads).toBe(3);
  });

  it('still names records cut off the end, after reading the tail again a bounded number of times', async () => {
    const store = await storeWith('events', 4);
    store.records.get('events')?.delete(4);
    const waits: number[] = [];
    const [verdict] = await verifyAuditStreams(
      { ...deps(store), settle: { reads: 3, waitMs: 250 }, wait: async (ms) => void waits.push(ms) },
      ['events'],
      false,
    );
    expect(verdict).toEqual({
      ok: false,
      stream: 'events',
      records: 3,
      brokenAt: 4,
      problem: "the stream's head names record 4, its last record is 3: 1 record(s) cut off its end",
    });
    expect(waits).toEqual([250, 250]);
    expect(store.listReads).toBe(3);
  });

  it('names a record that was put past the head without moving it', async () => {
    const store = await storeWith('events', 3);
    const last = (await store.last('events')) as AuditRecord;
    store.records.get('events')?.set(4, chainNext('events', last, entry(4), NOW));
    expect((await verifyAuditStreams(deps(store), ['events'], false))[0]).toMatchObject({
      ok: false,
      brokenAt: 4,
      problem: "record 4 and after are past the stream's head (record 3): not appended as records are",
    });
  });

  it("names a last record that was replaced, though its chain's hashes hold", async () => {
    const store = await storeWith('events', 3);
    const chain = store.records.get('events') as Map<number, AuditRecord>;
    chain.set(3, chainNext('events', chain.get(2) as AuditRecord, entry(99), NOW));
    expect((await verifyAuditStreams(deps(store), ['events'], false))[0]).toMatchObject({
      ok: false,
      brokenAt: 3,
      problem: "record 3 is not the one the stream's head names: its hash differs",
    });
  });

  it('reads the case record before its stream: a decision saved and recorded meanwhile is not missing', async () => {
    const cases = new InMemoryCaseStore();
    const record = await caseOpenedAt(cases, 'C160-F-e626acb1fab65bcf', new Date(NOW.getTime() - 60_000));
    const stream = auditStreams.forCase(record.caseId);
    const store = await storeWith(stream, 0);
    await appendAudit(store, stream, entry(1, 'case.opened'));
    store.afterList = async (read) => {
      if (read !== 1) return;
      // the decision step: the case saved, then its audit record appended
      await cases.save({
        ...record,
        decisions: [
          { stage: 'analyst', decision: 'warn', reason: 'r', decidedBy: 'alice', at: NOW.toISOString() },
        ],
      });
      await appendAudit(store, stream, entry(2, 'decision.analyst'));
    };
    expect(await verifyAuditStreams(deps(store, cases), [stream], false)).toEqual([
      expect.objectContaining({ ok: true, records: 1 }),
    ]);
    expect(await verifyAuditStreams(deps(store, cases), [stream], false)).toEqual([
      expect.objectContaining({ ok: true, records: 2 }),
    ]);
  });
});

describe('audit verify of a case whose first audit record is not written yet', () => {
  const caseId = 'C278-F-78e91705dc63ff4b';
  const stream = auditStreams.forCase(caseId);
  const pending = {
    ok: true,
    stream,
    records: 0,
    pending: 'case opened at 2026-12-08T01:36:02.630Z, its first audit record not written yet',
  };

  it('is pending, not broken, while the case was opened recently, walking every stream or naming it', async () => {
    const cases = new InMemoryCaseStore();
    await caseOpenedAt(cases, caseId, new Date('2026-12-08T01:36:02.630Z'));
    const store = await storeWith('events', 2);
    expect(await verifyAuditStreams(deps(store, cases), ['events'], true)).toEqual([
      expect.objectContaining({ ok: true, stream: 'events' }),
      pending,
    ]);
    expect(await verifyAuditStreams(deps(store, cases), [stream], false)).toEqual([pending]);
  });

  it('verifies the stream when its first records were written after the streams were listed', async () => {
    const cases = new InMemoryCaseStore();
    await caseOpenedAt(cases, caseId, new Date(NOW.getTime() - 2 * FIRST_RECORD_GRACE_MS));
    const store = await storeWith('events', 2);
    // listed before the case's first record was written: by the time open cases are read it is there
    const listed = await store.streams();
    await appendAudit(store, stream, entry(1, 'case.opened'));
    expect(await verifyAuditStreams(deps(store, cases), listed, true)).toEqual([
      expect.objectContaining({ ok: true, stream: 'events' }),
      expect.objectContaining({ ok: true, stream, records: 1, tail: 'anchored' }),
    ]);
  });

  it('is broken once the case is older than the grace, or when a head says records were written', async () => {
    const cases = new InMemoryCaseStore();
    await caseOpenedAt(cases, caseId, new Date(NOW.getTime() - FIRST_RECORD_GRACE_MS - 1000));
    const store = await storeWith('events', 1);
    expect(await verifyAuditStreams(deps(store, cases), ['events'], true)).toEqual([
      expect.objectContaining({ ok: true, stream: 'events' }),
      {
        ok: false,
        stream,
        records: 0,
        brokenAt: 0,
        problem: 'an open case on record whose audit stream holds no records',
      },
    ]);

    // a case opened a moment ago whose only record was deleted: its head is left
    const fresh = new InMemoryCaseStore();
    await caseOpenedAt(fresh, caseId, new Date(NOW.getTime() - 1000));
    await appendAudit(store, stream, entry(1, 'case.opened'));
    store.records.get(stream)?.clear();
    expect(await verifyAuditStreams(deps(store, fresh), [stream], false)).toEqual([
      { ok: false, stream, records: 0, brokenAt: 0, problem: 'no records in this stream' },
    ]);
  });
});
