import { describe, expect, it } from 'vitest';
import { AuditAppendConflict, appendAudit, auditStreams } from '../../shared/audit/append.ts';
import { canonicalJson } from '../../shared/audit/canonical-json.ts';
import { recordHash, verifyChain } from '../../shared/audit/chain.ts';
import { InMemoryAuditStore } from '../../shared/audit/in-memory.ts';
import type { AuditEntry, AuditRecord } from '../../shared/audit/record.ts';
import { checkTail } from '../../shared/audit/tail.ts';

const entry = (n: number): AuditEntry => ({
  actor: { role: 'system', id: 'system' },
  action: 'case.step',
  reason: `step ${n}`,
  caseId: 'C042-F-1',
});

async function chainOf(count: number): Promise<{ store: InMemoryAuditStore; records: AuditRecord[] }> {
  const store = new InMemoryAuditStore();
  for (let i = 1; i <= count; i++) await appendAudit(store, 'case#C042-F-1', entry(i));
  return { store, records: (await store.list('case#C042-F-1')) as AuditRecord[] };
}

describe('canonical JSON', () => {
  it('does not depend on key order and leaves out undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: undefined } })).toBe('{"a":{"d":[1,"x"]},"b":1}');
    expect(canonicalJson({ a: { c: 2, b: 1 } })).toBe(canonicalJson({ a: { b: 1, c: 2 } }));
  });

  it('refuses values JSON cannot hold, naming where', () => {
    expect(() => canonicalJson({ a: [1, Number.NaN] })).toThrow('$.a[1] is NaN');
  });
});

describe('audit hash chain', () => {
  it('links each record to the one before and verifies clean', async () => {
    const { records } = await chainOf(4);
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(records[0].prevHash).toBe('0'.repeat(64));
    expect(records[2].prevHash).toBe(records[1].hash);
    expect(verifyChain('case#C042-F-1', records)).toMatchObject({
      ok: true,
      records: 4,
      head: records[3].hash,
    });
  });

  it('names the altered record when one field changes', async () => {
    const { records } = await chainOf(5);
    records[2] = { ...records[2], reason: 'something else' };
    expect(verifyChain('case#C042-F-1', records)).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('names the next record when a tamperer also recomputes the altered hash', async () => {
    const { records } = await chainOf(5);
    const forged = { ...records[1], reason: 'forged' };
    records[1] = { ...forged, hash: recordHash(forged) };
    expect(verifyChain('case#C042-F-1', records)).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('detects a deleted record as a gap', async () => {
    const { records } = await chainOf(4);
    records.splice(1, 1);
    const verdict = verifyChain('case#C042-F-1', records);
    expect(verdict).toMatchObject({ ok: false, brokenAt: 3 });
    expect(verdict.ok === false && verdict.problem).toContain('expected sequence 2');
  });

  it('keeps sequence numbers unique when writers race', async () => {
    const store = new InMemoryAuditStore();
    await Promise.all(Array.from({ length: 10 }, (_, i) => appendAudit(store, 'events', entry(i))));
    const records = await store.list('events');
    expect(records).toHaveLength(10);
    expect(verifyChain('events', records).ok).toBe(true);
  });

  it('refuses an entry with a malformed evidence digest', async () => {
    const store = new InMemoryAuditStore();
    await expect(appendAudit(store, 'events', { ...entry(1), evidenceDigest: 'abc' })).rejects.toThrow(
      /evidenceDigest/,
    );
  });
});

describe("audit stream's tail", () => {
  const stream = 'customer#C901';
  const verify = async (store: InMemoryAuditStore) => {
    const records = await store.list(stream);
    return checkTail(verifyChain(stream, records), records, await store.head(stream));
  };
  const streamOf = async (count: number) => {
    const store = new InMemoryAuditStore();
    for (let i = 1; i <= count; i++) await appendAudit(store, stream, entry(i));
    return store;
  };
  /** a stream as written before heads were kept: records without `anchored`, and no head */
  const legacyStreamOf = async (count: number) => {
    const store = await streamOf(count);
    const chain = store.records.get(stream) as Map<number, AuditRecord>;
    let prevHash = '0'.repeat(64);
    for (const seq of [...chain.keys()].sort((a, b) => a - b)) {
      const { hash: _hash, anchored: _anchored, ...rest } = chain.get(seq) as AuditRecord;
      const unsealed = { ...rest, prevHash };
      prevHash = recordHash(unsealed);
      chain.set(seq, { ...unsealed, hash: prevHash });
    }
    store.heads.delete(stream);
    return store;
  };

  it('is anchored by the head each append moves', async () => {
    const store = await streamOf(3);
    const records = (await store.list(stream)) as AuditRecord[];
    expect(await store.head(stream)).toEqual({ seq: 3, hash: records[2].hash });
    expect(await verify(store)).toMatchObject({ ok: true, records: 3, tail: 'anchored' });
  });

  it('names records deleted from the end, which leave a chain whose hashes hold', async () => {
    const store = await streamOf(3);
    store.records.get(stream)?.delete(3);
    expect(verifyChain(stream, await store.list(stream))).toMatchObject({ ok: true, records: 2 });
    expect(await verify(store)).toMatchObject({
      ok: false,
      brokenAt: 3,
      problem: "the stream's head names record 3, its last record is 2: 1 record(s) cut off its end",
    });
  });

  it('names a head deleted with the records it named', async () => {
    const store = await streamOf(3);
    store.records.get(stream)?.delete(3);
    store.heads.delete(stream);
    expect(await verify(store)).toMatchObject({
      ok: false,
      brokenAt: 2,
      problem: expect.stringMatching(/^the stream's head is missing, though record 2 was written with one/),
    });
  });

  it('refuses to append after a cut end instead of writing over the gap', async () => {
    const store = await streamOf(3);
    store.records.get(stream)?.delete(3);
    await expect(appendAudit(store, stream, entry(4))).rejects.toThrow(AuditAppendConflict);
    expect((await store.list(stream)).length).toBe(2);
  });

  it('verifies a stream from before heads as not anchored, and anchors it with its next append', async () => {
    const store = await legacyStreamOf(2);
    expect(await verify(store)).toMatchObject({ ok: true, records: 2, tail: 'not anchored' });
    await appendAudit(store, stream, entry(3));
    expect(await verify(store)).toMatchObject({ ok: true, records: 3, tail: 'anchored' });
    store.records.get(stream)?.delete(3);
    expect(await verify(store)).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('keeps one head when writers race on a stream from before heads', async () => {
    const store = await legacyStreamOf(2);
    await Promise.all(Array.from({ length: 6 }, (_, i) => appendAudit(store, stream, entry(i))));
    expect(await verify(store)).toMatchObject({ ok: true, records: 8, tail: 'anchored' });
  });
});

describe('audit stream names', () => {
  it('name a case and give the case back from its stream name; other streams name none', () => {
    expect(auditStreams.forCase('C042-F-1a2b')).toBe('case#C042-F-1a2b');
    expect(auditStreams.caseOf(auditStreams.forCase('C042-F-1a2b'))).toBe('C042-F-1a2b');
    expect(auditStreams.caseOf(auditStreams.events)).toBeNull();
    expect(auditStreams.caseOf('onboarding#APP-7')).toBeNull();
  });
});
