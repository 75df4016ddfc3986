import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { appendAudit } from '../../shared/audit/append.ts';
import { chainNext, recordHash, verifyChain } from '../../shared/audit/chain.ts';
import type { AuditRecord } from '../../shared/audit/record.ts';
import { DynamoAuditStore } from '../../shared/aws/audit-store.ts';
import { DynamoCaseStore } from '../../shared/aws/cases-store.ts';
import { newCase } from '../../shared/cases/model.ts';
import { useDynamoDbLocal } from '../helpers/dynamodb-local.ts';

/**
 * The DynamoDB adapters of the audit log and the case store against DynamoDB Local (real conditions
 * and transactions), and `traceguard audit verify` failing once one stored record is altered.
 */
const run = promisify(execFile);

const db = useDynamoDbLocal('traceguard-audit-', ['Audit', 'Cases']);

const entry = (n: number) => ({
  actor: { role: 'system' as const, id: 'system' },
  action: 'event.finding',
  reason: `message ${n}`,
  details: { n, nested: { b: 1, a: [1, 'x'] } },
});

async function traceguard(
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    ...process.env,
    ...extraEnv,
    AUDIT_TABLE: 'Audit',
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  };
  try {
    // cwd outside the repository, so a local stack's .data/endpoints.json cannot redirect the command
    const bin = join(import.meta.dirname, '../../bin/traceguard.js');
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      env,
      cwd: tmpdir(),
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const auditVerify = (args: string[] = [], extraEnv: Record<string, string> = {}) =>
  traceguard(['audit', 'verify', ...args], extraEnv);

describe('audit log in DynamoDB', () => {
  it('appends racing writers without gaps, verifies, and names a record altered in the table', async () => {
    const store = new DynamoAuditStore(db.doc, 'Audit');
    await Promise.all(Array.from({ length: 6 }, (_, i) => appendAudit(store, 'events', entry(i))));
    await appendAudit(store, 'case#C042-F-1', entry(99));
    expect(verifyChain('events', await store.list('events'))).toMatchObject({ ok: true, records: 6 });
    // a stream's tail alone, as audit verify reads it again
    expect((await store.list('events', 4)).map((r) => (r as AuditRecord).seq)).toEqual([5, 6]);
    expect(await store.streams()).toEqual(['case#C042-F-1', 'events']);

    const clean = await auditVerify();
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('2 chains, 7 records verified');

    // someone with table access rewrites the reason of record 4
    await db.doc.send(
      new UpdateCommand({
        TableName: 'Audit',
        Key: { pk: 'AUDIT#events', sk: '000000000004' },
        UpdateExpression: 'SET reason = :r',
        ExpressionAttributeValues: { ':r': 'nothing to see here' },
      }),
    );
    expect(verifyChain('events', await store.list('events'))).toMatchObject({ ok: false, brokenAt: 4 });
    const tampered = await auditVerify();
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/BROKEN {2}events: at record 4: record 4 was altered/);
  });

  it('--stream with a name nobody wrote is a usage error listing the streams, not a broken chain; a case on record with no chain is broken', async () => {
    const store = new DynamoAuditStore(db.doc, 'Audit');
    await appendAudit(store, 'events', entry(0));
    await appendAudit(store, 'case#C050-F-1', entry(1));
    await appendAudit(store, 'case#C050-F-2', entry(2));

    const typo = await auditVerify(['--stream', 'evnets']);
    expect(typo.code).toBe(2);
    expect(typo.stdout).toBe('');
    expect(typo.stderr).toMatch(
      /^traceguard: no audit stream 'evnets'; the streams are: events, \d+ case#<id> \(such as case#C0\d\d-F-\d\)\n$/,
    );

    // a case the Cases table holds, whose whole chain is gone: loss, not a typo
    const cases = new DynamoCaseStore(db.doc, 'Cases');
    await cases.open(
      newCase(
        'C051-F-1',
        {
          key: 'f1',
          type: 'finding',
          severity: 'high',
          receivedAt: '2026-11-28T10:00:00Z',
          event: { customer_id: 'C051', reasons: [] },
        },
        '2026-11-28T10:00:00Z',
      ),
    );
    const lost = await auditVerify(['--stream', 'case#C051-F-1'], { CASES_TABLE: 'Cases' });
    expect(lost.code).toBe(1);
    expect(lost.stdout).toMatch(/^BROKEN {2}case#C051-F-1: at record 0: no records in this stream$/m);
    // verifying every stream finds it too: a stream deleted whole leaves no chain to walk
    const all = await auditVerify([], { CASES_TABLE: 'Cases' });
    expect(all.code).toBe(1);
    expect(all.stdout).toMatch(
      /^BROKEN {2}case#C051-F-1: at record 0: an open case on record whose audit stream holds no records$/m,
    );
    // closed again, so the case store's own test below sees only its cases open
    await cases.release('C051', 'C051-F-1');
  });

  it('a case opened a moment ago whose first audit record is not written yet is pending, exit 0', async () => {
    const cases = new DynamoCaseStore(db.doc, 'Cases');
    const openedAt = new Date(Date.now() - 3000).toISOString();
    const trigger = {
      key: 'f1',
      type: 'finding' as const,
      severity: 'high' as const,
      receivedAt: openedAt,
      event: { customer_id: 'C052', reasons: [] },
    };
    await cases.open(newCase('C052-F-1', trigger, openedAt));
    const line = `pending case#C052-F-1: case opened at ${openedAt}, its first audit record not written yet`;

    const one = await auditVerify(['--stream', 'case#C052-F-1'], { CASES_TABLE: 'Cases' });
    expect(one).toMatchObject({
      code: 0,
      stdout: `${line}\n0 chains, 0 records verified; 1 new case waiting for a first audit record\n`,
    });
    const all = await auditVerify([], { CASES_TABLE: 'Cases' });
    expect(all.stdout).toContain(`\n${line}\n`);
    const json = JSON.parse(
      (await auditVerify(['--stream', 'case#C052-F-1', '--json'], { CASES_TABLE: 'Cases' })).stdout,
    );
    expect(json).toEqual([
      { ok: true, stream: 'case#C052-F-1', records: 0, pending: line.slice(line.indexOf('case opened')) },
    ]);
    await cases.release('C052', 'C052-F-1');
  });

  it('refuses to overwrite an existing sequence number', async () => {
    const store = new DynamoAuditStore(db.doc, 'Audit');
    const last = await store.last('case#C042-F-1');
    if (!last) throw new Error('no record in case#C042-F-1');
    const rewritten = { ...last, reason: 'rewritten' };
    expect(await store.append(rewritten, null)).toBe(false);
    expect(await store.append(rewritten, { seq: last.seq - 1, hash: last.prevHash })).toBe(false);
    expect(await store.head('case#C042-F-1')).toEqual({ seq: last.seq, hash: last.hash });
  });

  it('takes the same record sent twice (a retried write) as one append', async () => {
    const store = new DynamoAuditStore(db.doc, 'Audit');
    const first = await appendAudit(store, 'retried', entry(1));
    const next = chainNext('retried', first, entry(2), new Date('2026-11-28T10:00:00Z'));
    const after = { seq: first.seq, hash: first.hash };
    expect(await store.append(next, after)).toBe(true);
    expect(await store.append(next, after)).toBe(true);
    expect((await store.list('retried')).length).toBe(2);
    expect(await store.head('retried')).toEqual({ seq: 2, hash: next.hash });
  });

  it('audit verify names records deleted from the end of any stream, and a stream from before heads as not anchored', async () => {
    const store = new DynamoAuditStore(db.doc, 'Audit');
    for (let n = 1; n <= 3; n++) await appendAudit(store, 'customer#C901', entry(n));
    for (let n = 1; n <= 2; n++) await appendAudit(store, 'track-record', entry(n));
    expect((await auditVerify(['--stream', 'customer#C901'])).stdout).toMatch(
      /^ok {6}customer#C901: 3 records, head [0-9a-f]{16}\n/,
    );

    // the newest record of each is deleted: both shorter chains' hashes hold
    for (const [stream, seq] of [
      ['customer#C901', '000000000003'],
      ['track-record', '000000000002'],
    ])
      await db.doc.send(new DeleteCommand({ TableName: 'Audit', Key: { pk: `AUDIT#${stream}`, sk: seq } }));
    const cut = await auditVerify();
    expect(cut.code).toBe(1);
    expect(cut.stdout).toMatch(
      /^BROKEN {2}customer#C901: at record 3: the stream's head names record 3, its last record is 2: 1 record\(s\) cut off its end$/m,
    );
    expect(cut.stdout).toMatch(/^BROKEN {2}track-record: at record 2: /m);

    // records written before heads were kept: a chain of plain items, no head
    const legacy: AuditRecord[] = [];
    for (const e of [entry(1), entry(2)]) {
      const { anchored: _anchored, ...record } = chainNext('legacy', legacy.at(-1) ?? null, e, new Date());
      legacy.push({ ...record, hash: recordHash(record) });
    }
    for (const record of legacy)
      await db.doc.send(
        new PutCommand({
          TableName: 'Audit',
          Item: { pk: 'AUDIT#legacy', sk: String(record.seq).padStart(12, '0'), ...record },
        }),
      );
    const old = await auditVerify(['--stream', 'legacy']);
    expect(old.code).toBe(0);
    expect(old.stdout).toMatch(/^ok {6}legacy: 2 records, head [0-9a-f]{16}, tail not anchored \(/);
    // its next append anchors it
    await appendAudit(store, 'legacy', entry(3));
    expect((await auditVerify(['--stream', 'legacy'])).stdout).toMatch(
      /^ok {6}legacy: 3 records, head [0-9a-f]{16}\n/,
    );
  });
});

describe('audit show and audit streams', () => {
  it('print any stream oldest first, numbers masked, --since and --json; and every stream with its count', async () => {
    const store = new DynamoAuditStore(db.doc, 'Audit');
    const at = (time: string) => () => new Date(time);
    await appendAudit(
      store,
      'customer#C902',
      {
        actor: { role: 'analyst', id: 'carol' },
        action: 'customer.reinstatement_requested',
        reason: 'remediated; callback +1 202-555-0143',
        customerId: 'C902',
        details: { statusBefore: 'suspended', numbers: ['+12025550143'] },
      },
      at('2026-11-27T09:00:00Z'),
    );
    await appendAudit(
      store,
      'customer#C902',
      {
        actor: { role: 'analyst', id: 'dave' },
        action: 'customer.reinstated',
        reason: 'approved',
        customerId: 'C902',
        caseId: 'C902-F-1',
      },
      at('2026-11-28T10:00:00Z'),
    );

    const shown = await traceguard(['audit', 'show', '--stream', 'customer#C902']);
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    expect(shown.stdout).toBe(
      '#1 2026-11-27T09:00:00.000Z analyst:carol customer.reinstatement_requested: remediated; callback ***0143 [customer C902] (statusBefore suspended; numbers ***0143)\n' +
        '#2 2026-11-28T10:00:00.000Z analyst:dave customer.reinstated: approved [customer C902, case C902-F-1]\n' +
        '2 record(s) in customer#C902\n',
    );
    const since = await traceguard(['audit', 'show', '--stream', 'customer#C902', '--since', '2026-11-28']);
    expect(since.stdout).toMatch(/^#2 .*\n1 record\(s\) since 2026-11-28T00:00:00.000Z in customer#C902\n$/);
    const json = await traceguard(['audit', 'show', '--stream', 'customer#C902', '--json']);
    expect(JSON.parse(json.stdout)).toEqual(await store.list('customer#C902'));

    expect(await traceguard(['audit', 'show', '--stream', 'customer#C9O2'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^traceguard: no audit stream 'customer#C9O2'; the streams are: /),
    });
    expect(
      await traceguard(['audit', 'show', '--stream', 'customer#C902', '--since', 'yesterday']),
    ).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--since 'yesterday' must be an ISO 8601 date"),
    });

    // a stream whose records were all deleted still has its head: listed with 0, not left out
    await appendAudit(store, 'emptied', entry(1));
    await db.doc.send(
      new DeleteCommand({ TableName: 'Audit', Key: { pk: 'AUDIT#emptied', sk: '000000000001' } }),
    );
    const streams = await traceguard(['audit', 'streams', '--json']);
    expect(streams.code).toBe(0);
    const counts = JSON.parse(streams.stdout) as Array<{ stream: string; records: number }>;
    expect(counts).toEqual(
      expect.arrayContaining([
        { stream: 'customer#C902', records: 2 },
        { stream: 'emptied', records: 0 },
      ]),
    );
    expect((await traceguard(['audit', 'streams'])).stdout).toMatch(/^customer#C902\t2$/m);
  });
});

describe('case store in DynamoDB', () => {
  const trigger = (key: string) => ({
    key,
    type: 'finding' as const,
    severity: 'high' as const,
    receivedAt: '2026-11-28T10:00:00Z',
    event: { customer_id: 'C7', reasons: [] },
  });

  it('keeps one open case per customer, attaches once per event, and stores tokens by stage', async () => {
    const store = new DynamoCaseStore(db.doc, 'Cases');
    const first = newCase('C7-F-1', trigger('f1'), '2026-11-28T10:00:00Z');
    expect(await store.open(first)).toEqual({ opened: true });
    expect(await store.open(first)).toEqual({ opened: false, openCaseId: 'C7-F-1' });
    expect(await store.open(newCase('C7-F-2', trigger('f2'), '2026-11-28T11:00:00Z'))).toEqual({
      opened: false,
      openCaseId: 'C7-F-1',
    });
    expect(await store.attach('C7-F-1', trigger('f2'))).toBe(true);
    expect(await store.attach('C7-F-1', trigger('f2'))).toBe(false);
    await store.save({ ...first, status: 'awaiting_review', awaitingStage: 'analyst', evidence: null });
    expect(await store.get('C7-F-1')).toMatchObject({
      status: 'awaiting_review',
      triggers: [{ key: 'f1' }, { key: 'f2' }],
    });
    await store.saveToken('C7-F-1', 'analyst', 'token-1');
    expect(await store.getToken('C7-F-1', 'analyst')).toBe('token-1');
    expect((await store.listOpen()).map((c) => c.caseId)).toEqual(['C7-F-1']);
    await store.release('C7', 'C7-F-1');
    expect(await store.listOpen()).toEqual([]);
    expect(await store.open(newCase('C7-F-3', trigger('f3'), '2026-11-28T12:00:00Z'))).toEqual({
      opened: true,
    });
  });
});
