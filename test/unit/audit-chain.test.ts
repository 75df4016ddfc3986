import { describe, expect, it } from 'vitest';
import { appendAudit, auditStreams } from '../../shared/audit/append.ts';
import { canonicalJson } from '../../shared/audit/canonical-json.ts';
import { recordHash, verifyChain } from '../../shared/audit/chain.ts';
import { InMemoryAuditStore } from '../../shared/audit/in-memory.ts';
import type { AuditEntry, AuditRecord } from '../../shared/audit/record.ts';

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

describe('audit stream names', () => {
  it('name a case and give the case back from its stream name; other streams name none', () => {
    expect(auditStreams.forCase('C042-F-1a2b')).toBe('case#C042-F-1a2b');
    expect(auditStreams.caseOf(auditStreams.forCase('C042-F-1a2b'))).toBe('C042-F-1a2b');
    expect(auditStreams.caseOf(auditStreams.events)).toBeNull();
    expect(auditStreams.caseOf('onboarding#APP-7')).toBeNull();
  });
});
