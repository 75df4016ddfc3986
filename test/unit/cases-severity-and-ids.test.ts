import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDynamoDb, startDynamoDb } from '../../local/emulators/dynamodb.ts';
import { InMemoryAuditStore } from '../../shared/audit/in-memory.ts';
import { DynamoCaseStore } from '../../shared/aws/cases-store.ts';
import { type EscalationEvent, eventKey } from '../../shared/cases/events.ts';
import {
  InMemoryCaseStore,
  InMemoryCustomerRegistry,
  RecordingNotifier,
} from '../../shared/cases/in-memory.ts';
import { type CaseTrigger, caseIdFor, EXECUTION_NAME, newCase } from '../../shared/cases/model.ts';
import type { CaseStore, ExecutionStarter } from '../../shared/cases/ports.ts';
import { recordRefusal } from '../../shared/cases/refusal.ts';
import { startOrAttachCase } from '../../shared/cases/start-case.ts';
import { createPkSkTable } from '../helpers/dynamodb-tables.ts';

/**
 * Two escalation fixes: (a) an event that joins an open case raises the case's own severity when it
 * is more severe (issue 6: "a repeat opens or raises an escalation case at high severity"), in both
 * case stores, and a step saving a case it read earlier cannot lower it again (nor a refused decision
 * recorded from an earlier read undo a step); (b) case ids are
 * valid Step Functions execution names whatever the customer id.
 */

class RecordingStarter implements ExecutionStarter {
  readonly started: string[] = [];
  async start(caseId: string): Promise<'started' | 'already'> {
    if (this.started.includes(caseId)) return 'already';
    this.started.push(caseId);
    return 'started';
  }
}

const finding = (severity: EscalationEvent['severity'], customer = 'C042'): EscalationEvent => ({
  type: 'finding',
  customer_id: customer,
  window_start: '2026-11-27T16:00:00Z',
  window_end: '2026-11-27T17:00:00Z',
  severity,
  score: severity === 'critical' ? 92 : 70,
  reasons: [{ code: 'SHORT_CALL_RATIO', observed: 0.8, threshold: 0.2 }],
  metrics: { calls: 400 },
  example_calls: [],
});
const traceback = (id: string, severity: EscalationEvent['severity']): EscalationEvent => ({
  type: 'traceback',
  traceback_id: id,
  customer_id: 'C042',
  repeat_count: 2,
  severity,
});

function raisingScenarios(makeStore: () => CaseStore) {
  const open = async (store: CaseStore, audit: InMemoryAuditStore, event: EscalationEvent) =>
    startOrAttachCase(event, {
      cases: store,
      starter: new RecordingStarter(),
      audit,
      customers: new InMemoryCustomerRegistry(),
      notifier: new RecordingNotifier(),
    });

  it('a repeat traceback at high severity raises a medium case to high, once, with an audit record', async () => {
    const store = makeStore();
    const audit = new InMemoryAuditStore();
    const first = await open(store, audit, traceback('ITG-1', 'medium'));
    expect((await store.get(first.caseId))?.severity).toBe('medium');

    expect(await open(store, audit, traceback('ITG-2', 'high'))).toEqual({
      outcome: 'attached',
      caseId: first.caseId,
      duplicate: false,
    });
    expect((await store.get(first.caseId))?.severity).toBe('high');
    // the redelivered message neither lowers nor re-raises
    await open(store, audit, traceback('ITG-2', 'high'));
    const actions = [...(audit.records.get(`case#${first.caseId}`)?.values() ?? [])].map((r) => r.action);
    expect(actions).toEqual(['case.opened', 'case.attached', 'case.severity_raised']);
  });

  it('a less severe event joins the case without lowering it', async () => {
    const store = makeStore();
    const audit = new InMemoryAuditStore();
    const first = await open(store, audit, finding('critical'));
    await open(store, audit, traceback('ITG-3', 'high'));
    const record = await store.get(first.caseId);
    expect(record?.severity).toBe('critical');
    expect(record?.triggers.map((t) => t.type)).toEqual(['finding', 'traceback']);
  });

  it('a finding re-scored higher for the same window joins the case and raises it', async () => {
    const store = makeStore();
    const audit = new InMemoryAuditStore();
    const first = await open(store, audit, finding('high'));
    const raised = await open(store, audit, finding('critical'));
    expect(raised).toMatchObject({ outcome: 'attached', caseId: first.caseId, duplicate: false });
    const record = await store.get(first.caseId);
    expect(record?.severity).toBe('critical');
    expect(record?.triggers.map((t) => t.severity)).toEqual(['high', 'critical']);
  });

  it('a step saving the case it read before the raise keeps the raised severity', async () => {
    const store = makeStore();
    const audit = new InMemoryAuditStore();
    const first = await open(store, audit, finding('high'));
    const stale = await store.get(first.caseId);
    if (!stale) throw new Error('case not stored');
    await open(store, audit, traceback('ITG-4', 'critical'));
    await store.save({ ...stale, status: 'awaiting_review', awaitingStage: 'analyst' });
    const record = await store.get(first.caseId);
    expect(record?.status).toBe('awaiting_review');
    expect(record?.severity).toBe('critical');
    expect(record?.triggers).toHaveLength(2);
  });

  it('a refused decision recorded from a case read before a step changed it keeps the change', async () => {
    const store = makeStore();
    const audit = new InMemoryAuditStore();
    const first = await open(store, audit, finding('high'));
    const stale = await store.get(first.caseId);
    if (!stale) throw new Error('case not stored');
    await store.save({ ...stale, status: 'awaiting_review', awaitingStage: 'executive' });
    const at = new Date('2026-11-27T18:00:00Z');
    await recordRefusal({ cases: store, audit, now: () => at }, stale, {
      stage: 'executive',
      by: 'alice',
      why: 'same person',
      decision: 'terminate',
    });
    const record = await store.get(first.caseId);
    expect(record).toMatchObject({ status: 'awaiting_review', updatedAt: at.toISOString() });
    expect(record?.refusals).toEqual([
      { stage: 'executive', by: 'alice', why: 'same person', at: at.toISOString() },
    ]);
    const actions = [...(audit.records.get(`case#${first.caseId}`)?.values() ?? [])].map((r) => r.action);
    expect(actions).toEqual(['case.opened', 'decision.refused']);
  });

  it('raiseSeverity only moves upwards', async () => {
    const store = makeStore();
    const trigger: CaseTrigger = {
      key: 'finding:C9:w:low',
      type: 'finding',
      severity: 'low',
      receivedAt: '2026-11-27T16:00:00Z',
      event: { customer_id: 'C9' },
    };
    await store.open(newCase('C9-F-0123456789abcdef', trigger, trigger.receivedAt));
    expect(await store.raiseSeverity('C9-F-0123456789abcdef', 'high')).toBe(true);
    expect(await store.raiseSeverity('C9-F-0123456789abcdef', 'medium')).toBe(false);
    expect(await store.raiseSeverity('C9-F-0123456789abcdef', 'high')).toBe(false);
    expect((await store.get('C9-F-0123456789abcdef'))?.severity).toBe('high');
  });
}

describe('raising the case severity (in-memory store)', () => {
  raisingScenarios(() => new InMemoryCaseStore());
});

describe('raising the case severity (DynamoDB store on DynamoDB Local)', () => {
  let dynamo: RunningDynamoDb;
  let dataDir: string;
  let doc: DynamoDBDocumentClient;
  let table = 0;
  const tables: string[] = [];
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'traceguard-case-severity-'));
    dynamo = await startDynamoDb({ dataDir });
    const client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    // one fresh table per scenario, so the one-open-case-per-customer markers do not collide
    for (let i = 0; i < 6; i++) {
      const TableName = `Cases${i}`;
      tables.push(TableName);
      await createPkSkTable(client, TableName);
    }
  });
  afterAll(async () => {
    await dynamo?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  raisingScenarios(() => new DynamoCaseStore(doc, tables[table++]));
});

describe('case ids are Step Functions execution names', () => {
  const digest = 'ab'.repeat(32);

  it('for any customer id and trigger key, within [A-Za-z0-9_-]{1,80}', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 300, unit: 'grapheme' }),
        fc.string({ maxLength: 300 }),
        fc.stringMatching(/^[0-9a-f]{16,64}$/),
        (customer, key, hex) => {
          expect(caseIdFor(customer, key, hex)).toMatch(EXECUTION_NAME);
        },
      ),
    );
  });

  it('keeps ids apart for customers whose ids sanitize alike', () => {
    const a = finding('high', 'C 1');
    const b = finding('high', 'C_1');
    expect(caseIdFor('C 1', eventKey(a), 'a'.repeat(64))).toBe(`C_1-F-${'a'.repeat(16)}`);
    // in the starter the digest covers the whole key, which names the customer exactly
    expect(eventKey(a)).not.toBe(eventKey(b));
  });

  it("keeps a customer's day apart from the hour it starts with, and an hour's key as it always was", () => {
    const hour = {
      ...finding('high'),
      window_start: '2026-11-27T00:00:00Z',
      window_end: '2026-11-27T01:00:00Z',
    };
    const day = { ...hour, window_end: '2026-11-28T00:00:00Z' };
    expect(eventKey(hour)).toBe('finding:C042:2026-11-27T00:00:00Z:high');
    expect(eventKey(day)).toBe('finding:C042:2026-11-27T00:00:00Z/2026-11-28T00:00:00Z:high');
  });

  it('gives a long, non-ASCII customer id a bounded, readable prefix', () => {
    const id = caseIdFor(`Ünïcode-${'x'.repeat(100)}`, 'traceback:ITG-1', digest);
    expect(id).toMatch(EXECUTION_NAME);
    expect(id).toBe(`_n_code-${'x'.repeat(32)}-TB-${digest.slice(0, 16)}`);
  });

  it('refuses a digest that is not hex, instead of making an id Step Functions would refuse later', () => {
    expect(() => caseIdFor('C042', 'finding:C042', 'not hex at all!!')).toThrow(/16 lowercase hex digits/);
    expect(() => caseIdFor('C042', 'finding:C042', 'abc')).toThrow(/16 lowercase hex digits/);
  });

  it('a critical event joining a case whose evidence is not gathered yet is left to the workflow', async () => {
    const cases = new InMemoryCaseStore();
    const customers = new InMemoryCustomerRegistry();
    const notifier = new RecordingNotifier();
    const deps = {
      cases,
      starter: new RecordingStarter(),
      audit: new InMemoryAuditStore(),
      customers,
      notifier,
    };
    const { caseId } = await startOrAttachCase(finding('high', 'C042'), deps);
    await startOrAttachCase(traceback('ITG-9', 'critical'), deps);
    // the workflow's evidence step will see the critical trigger and suspend through its own step
    expect(await cases.get(caseId)).toMatchObject({ severity: 'critical', statusBeforeSuspension: null });
    expect(customers.changes).toEqual([]);
    expect(notifier.enforcement).toEqual([]);
  });

  it('the ids the case starter makes are execution names', async () => {
    const starter = new RecordingStarter();
    const outcome = await startOrAttachCase(finding('critical', 'carrier:east/ü 42'), {
      cases: new InMemoryCaseStore(),
      starter,
      audit: new InMemoryAuditStore(),
      customers: new InMemoryCustomerRegistry(),
      notifier: new RecordingNotifier(),
    });
    expect(outcome.caseId).toMatch(EXECUTION_NAME);
    expect(starter.started).toEqual([outcome.caseId]);
  });
});
