import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeTemplate } from '../../local/template/synthesize.ts';
import { DynamoTracebackStore } from '../../shared/aws/traceback-store.ts';
import { newRecord } from '../../shared/traceback/intake.ts';
import { validateTracebackRequest } from '../../shared/traceback/request.ts';
import { CDR_HEADER as HEADER } from './helpers/cdr-csv.ts';
import { traceguard } from './helpers/cli.ts';
import { repoRoot, startTestStack, type TestStack } from './helpers/test-stack.ts';

/**
 * End to end on the local stack (the synthesized CDK template, real handlers, DynamoDB Local,
 * fauxqs): CDR batches go through ingest (which writes the manifest), `traceguard traceback submit`
 * queues a request, the traceback function answers it from the manifest-selected batches, the
 * traceback event reaches the EscalationQueue and the case starter opens a case for the customer.
 */
let t: TestStack;
let work: string;
let doc: DynamoDBDocumentClient;

const iso = (ms: number) => new Date(ms).toISOString();
const H16 = Date.UTC(2026, 10, 27, 16);

function row(id: string, startMs: number, calling: string, called: string, customer: string, trunk: string) {
  return `${id},${iso(startMs)},${iso(startMs + 3000)},${iso(startMs + 40_000)},37,${customer},${trunk},${calling},${called},200,ANSWERED,A,TN-Validation-Passed,198.51.100.7`;
}
function filler(prefix: string, hourMs: number, customer: string) {
  return Array.from({ length: 40 }, (_, i) =>
    row(
      `${prefix}-${i}`,
      hourMs + i * 90_000,
      `+1212555${String(1000 + i)}`,
      `+1415555${String(2000 + i)}`,
      customer,
      'T1',
    ),
  );
}

const resource = (type: string, logicalPart: string) => t.resource(type, logicalPart);

/** the real CLI in a child process; rejects on a non-zero exit like execFile, with code and stderr */
async function cli(...args: string[]) {
  const result = await traceguard(t.stack, work, args);
  if (result.code !== 0) throw Object.assign(new Error(result.stderr), result);
  return result;
}

function requestFile(name: string, doc: Record<string, unknown>) {
  const path = join(work, name);
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

beforeAll(async () => {
  t = await startTestStack({ prefix: 'traceback-e2e', template: await synthesizeTemplate(repoRoot) });
  work = t.work;
  doc = t.doc;
  const bucket = resource('AWS::S3::Bucket', 'CdrBucket').name;
  const put = (key: string, rows: string[], gzip = false) => {
    const text = `${HEADER}\n${rows.join('\n')}\n`;
    return t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: gzip ? gzipSync(text) : text }));
  };
  await put('cdr/sbc-east-1/2026/11/27/16.csv', [
    ...filler('east', H16, 'C100'),
    row(
      'planted-1',
      H16 + 31 * 60_000 + 5000,
      'sip:+12025550143@sbc.example;user=phone',
      '13125550199',
      'C042',
      'T7',
    ),
    row('planted-2', H16 + 45 * 60_000, '2025550144', '3125550198', 'C042', 'T7'),
  ]);
  await put('cdr/sbc-west-1/2026/11/27/16.csv.gz', filler('west', H16, 'C200'), true);
  await put('cdr/sbc-east-1/2026/11/27/10.csv', filler('morning', Date.UTC(2026, 10, 27, 10), 'C100'));
  await t.stack.waitForIdle({ timeoutMs: 60_000 });
}, 180_000);

afterAll(async () => {
  await t?.stop();
});

describe('traceback through the local stack', () => {
  it('answers a submitted request from the manifest-selected batches and opens an escalation case', async () => {
    const submitted = await cli(
      'traceback',
      'submit',
      requestFile('first.json', {
        traceback_id: 'ITG-E2E-1',
        received_at: '2026-11-28T14:05:00Z',
        call_time: '2026-11-27T16:31:07Z',
        calling_number: '(202) 555-0143',
        called_number: '+1 312 555 0199',
        requester: 'ITG',
        campaign: 'IRS impersonation',
      }),
    );
    expect(submitted.stdout).toMatch(
      /^submitted traceback ITG-E2E-1 \(message .+\); answer due 2026-11-29T14:05:00Z/,
    );
    await t.stack.waitForIdle({ timeoutMs: 60_000 });

    const shown = JSON.parse((await cli('traceback', 'show', 'ITG-E2E-1', '--json')).stdout);
    expect(shown).toMatchObject({
      status: 'answered',
      customerId: 'C042',
      trunkId: 'T7',
      repeatCount: 1,
      severity: 'medium',
    });
    expect(shown.answer).toMatchObject({
      status: 'found',
      deadline: '2026-11-29T14:05:00Z',
      // the two 16:00 batches; the 10:00 batch of the same switch is never read
      searched: { batches: 2, from: '2026-11-27T16:29:07Z', to: '2026-11-27T16:33:07Z' },
    });
    expect(shown.answer.matches).toEqual([
      expect.objectContaining({
        call_id: 'planted-1',
        customer_id: 'C042',
        trunk_id: 'T7',
        switch_id: 'sbc-east-1',
        batch: 'cdr/sbc-east-1/2026/11/27/16.csv',
        line: 42,
        start_time: '2026-11-27T16:31:05Z',
      }),
    ]);
    expect(shown.eventPublishedAt).toBeTruthy();

    const cases = await casesOf('C042');
    expect(cases).toHaveLength(1);
    expect(cases[0].triggerKeys).toEqual(['traceback:ITG-E2E-1']);

    // without --json, a summary to read: status, what was searched, the match, and no phone number
    const summary = (await cli('traceback', 'show', 'ITG-E2E-1')).stdout;
    expect(summary).toMatch(/^traceback {2}ITG-E2E-1: found\n/);
    expect(summary).toMatch(
      /^searched {3}2 batches, calls from 2026-11-27T16:29:07Z to 2026-11-27T16:33:07Z$/m,
    );
    expect(summary).toMatch(
      /^ {2}2026-11-27T16:31:05Z +planted-1 +C042 +T7 +sbc-east-1 +A +cdr\/sbc-east-1\/2026\/11\/27\/16\.csv:42$/m,
    );
    expect(summary).not.toMatch(/555/);
  });

  it('treats the same request submitted again as a duplicate', async () => {
    const again = await cli('traceback', 'submit', join(work, 'first.json'));
    // the answer on record, not a new deadline
    expect(again.stdout).toMatch(
      /^traceback ITG-E2E-1 was answered found at \S+; not sent again: the answer on record stands\. The answer on record:\ntraceback {2}ITG-E2E-1: found\n/,
    );
    await t.stack.waitForIdle({ timeoutMs: 60_000 });
    const cases = await casesOf('C042');
    expect(cases[0].triggerKeys).toEqual(['traceback:ITG-E2E-1']);
    const history = await doc.send(
      new QueryCommand({
        TableName: resource('AWS::DynamoDB::Table', 'TracebacksTable').name,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'CUSTTB#C042' },
      }),
    );
    expect(history.Items?.map((i) => i.tracebackId)).toEqual(['ITG-E2E-1']);
  });

  it('refuses, before sending, a request under a known id for another call', async () => {
    const other = requestFile('other-call.json', {
      traceback_id: 'ITG-E2E-1',
      received_at: '2026-11-28T14:05:00Z',
      call_time: '2026-11-27T16:41:07Z',
      calling_number: '(202) 555-0143',
      called_number: '+1 312 555 0199',
    });
    const refused = await cli('traceback', 'submit', other).then(
      () => null,
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(refused?.code).toBe(2);
    expect(refused?.stdout).toBe('');
    expect(refused?.stderr).toBe(
      `traceguard: ${other}: traceback ITG-E2E-1 was received at 2026-11-28T14:05:00Z for another call (call_time differs): a traceback id names one call, so these details are not answered under it; send them under a new id\n`,
    );
    // nothing was sent: the record still names the first call
    const shown = JSON.parse((await cli('traceback', 'show', 'ITG-E2E-1', '--json')).stdout);
    expect(shown.callTime).toBe('2026-11-27T16:31:07Z');
  });

  it('raises a repeat traceback for the same customer to high severity on the open case', async () => {
    await cli(
      'traceback',
      'submit',
      requestFile('second.json', {
        traceback_id: 'ITG-E2E-2',
        received_at: '2026-11-28T15:00:00Z',
        call_time: '2026-11-27T16:44:10Z',
        calling_number: '+12025550144',
        called_number: '3125550198',
      }),
    );
    await t.stack.waitForIdle({ timeoutMs: 60_000 });
    const shown = JSON.parse((await cli('traceback', 'show', 'ITG-E2E-2', '--json')).stdout);
    expect(shown).toMatchObject({ customerId: 'C042', repeatCount: 2, severity: 'high' });
    const cases = await casesOf('C042');
    expect(cases).toHaveLength(1);
    expect(cases[0].triggerKeys).toEqual(['traceback:ITG-E2E-1', 'traceback:ITG-E2E-2']);
    expect(cases[0].triggers.at(-1)).toMatchObject({ type: 'traceback', severity: 'high' });
    // the case itself is raised to the repeat's severity (issue 6)
    expect(cases[0].severity).toBe('high');
  });

  it('rejects a bad request file before sending, naming the field', async () => {
    const bad = requestFile('bad.json', {
      traceback_id: 'ITG-E2E-X',
      received_at: 'x',
      call_time: '2026-11-27T16:31:07Z',
      calling_number: '',
      called_number: '2',
    });
    const failed = await cli('traceback', 'submit', bad).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toMatch(
      /bad.json: invalid traceback request: received_at: .*calling_number: calling_number must not be empty; called_number: called_number is not a phone number/,
    );

    // a call a month ahead, received before it was made: refused before sending, saying so
    const future = requestFile('future.json', {
      traceback_id: 'ITG-E2E-FUTURE',
      received_at: '2026-11-28T14:05:00Z',
      call_time: iso(Date.now() + 31 * 86_400_000),
      calling_number: '+12025550143',
      called_number: '+13125550199',
    });
    const refused = await cli('traceback', 'submit', future).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(refused?.code).toBe(2);
    expect(refused?.stderr).toMatch(
      /future.json: invalid traceback request: call_time: \S+ is in the future .*; call_time: \S+ is after received_at 2026-11-28T14:05:00Z/,
    );
  });

  it('lists open requests most urgent first and warns on-call once from the scheduled watcher', async () => {
    const store = new DynamoTracebackStore(doc, resource('AWS::DynamoDB::Table', 'TracebacksTable').name);
    const now = Date.now();
    const open = (id: string, receivedAgoH: number) =>
      store.create(
        newRecord(
          validateTracebackRequest(
            {
              traceback_id: id,
              received_at: iso(now - receivedAgoH * 3_600_000),
              call_time: '2026-11-27T16:00:00Z',
              calling_number: '+12025550100',
              called_number: '+13125550100',
            },
            id,
          ),
        ),
      );
    await open('ITG-OPEN-LATER', 2);
    await open('ITG-OPEN-SOON', 21);

    const listed = JSON.parse((await cli('traceback', 'list', '--format', 'json')).stdout);
    expect(listed.open.map((r: { traceback_id: string }) => r.traceback_id)).toEqual([
      'ITG-OPEN-SOON',
      'ITG-OPEN-LATER',
    ]);
    expect(listed.open[0].time_left).toMatch(/^2h 5\dm left$|^3h 00m left$/);
    // answered requests only with --all
    expect(listed.answered).toBeUndefined();
    const all = JSON.parse((await cli('traceback', 'list', '--all', '--format', 'json')).stdout);
    expect(all.open).toHaveLength(2);
    expect(all.answered).toEqual([
      expect.objectContaining({ traceback_id: 'ITG-E2E-2', answer: 'found', customer_id: 'C042' }),
      expect.objectContaining({ traceback_id: 'ITG-E2E-1', answer: 'found', corrected: false }),
    ]);

    const rule = t.stack.schedules.list().find((s) => s.logicalId.includes('DeadlineSchedule'));
    if (!rule) throw new Error('no DeadlineSchedule in the template');
    const [first] = (await t.stack.schedules.runNow(rule.logicalId)) as Array<Record<string, number>>;
    expect(first).toMatchObject({ open: 2, nearDeadline: 1, breached: 0, alertsSent: 1 });
    const [second] = (await t.stack.schedules.runNow(rule.logicalId)) as Array<Record<string, number>>;
    expect(second).toMatchObject({ alertsSent: 0 });
    expect((await store.get('ITG-OPEN-SOON'))?.alertsSent).toEqual(['warn-240m']);
    expect((await store.get('ITG-OPEN-LATER'))?.alertsSent).toEqual([]);
    expect(t.glueErrors).toEqual([]);
  });

  it('searches a not_found answer again when a late batch of its time is ingested, and escalates it once', async () => {
    await cli(
      'traceback',
      'submit',
      requestFile('late.json', {
        traceback_id: 'ITG-E2E-LATE',
        received_at: iso(Date.now() - 3_600_000),
        call_time: '2026-11-27T18:20:00Z',
        calling_number: '+12025550177',
        called_number: '+13125550177',
      }),
    );
    await t.stack.waitForIdle({ timeoutMs: 60_000 });
    const before = JSON.parse((await cli('traceback', 'show', 'ITG-E2E-LATE', '--json')).stdout);
    expect(before.answer).toMatchObject({ status: 'not_found', searched: { batches: 0 } });

    // the switch's 18:00 batch arrives hours late
    await t.s3.send(
      new PutObjectCommand({
        Bucket: resource('AWS::S3::Bucket', 'CdrBucket').name,
        Key: 'cdr/sbc-east-1/2026/11/27/18.csv',
        Body: `${HEADER}\n${[
          ...filler('late', Date.UTC(2026, 10, 27, 18), 'C100'),
          row('late-call', Date.UTC(2026, 10, 27, 18, 20, 1), '+12025550177', '+13125550177', 'C077', 'T9'),
        ].join('\n')}\n`,
      }),
    );
    await t.stack.waitForIdle({ timeoutMs: 60_000 });

    const rule = t.stack.schedules.list().find((s) => s.logicalId.includes('DeadlineSchedule'));
    if (!rule) throw new Error('no DeadlineSchedule in the template');
    const [run] = (await t.stack.schedules.runNow(rule.logicalId)) as Array<Record<string, number>>;
    expect(run).toMatchObject({ searchedAgain: 1 });
    await t.stack.waitForIdle({ timeoutMs: 60_000 });

    const after = JSON.parse((await cli('traceback', 'show', 'ITG-E2E-LATE', '--json')).stdout);
    expect(after).toMatchObject({
      status: 'answered',
      customerId: 'C077',
      trunkId: 'T9',
      repeatCount: 1,
      firstAnswer: { answer: { status: 'not_found' } },
    });
    expect(after.answer).toMatchObject({ status: 'found', searched: { batches: 1 } });
    expect(after.answer.matches).toEqual([expect.objectContaining({ call_id: 'late-call' })]);
    expect(after.eventPublishedAt).toBeTruthy();

    // nothing new since: the next run sends nothing, and the customer is counted and escalated once
    const [next] = (await t.stack.schedules.runNow(rule.logicalId)) as Array<Record<string, number>>;
    expect(next).toMatchObject({ searchedAgain: 0 });
    await t.stack.waitForIdle({ timeoutMs: 60_000 });
    const tracebacksTable = resource('AWS::DynamoDB::Table', 'TracebacksTable').name;
    const history = await doc.send(
      new QueryCommand({
        TableName: tracebacksTable,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'CUSTTB#C077' },
      }),
    );
    expect(history.Items?.map((i) => i.tracebackId)).toEqual(['ITG-E2E-LATE']);
    const cases = await casesOf('C077');
    expect(cases).toHaveLength(1);
    expect(cases[0].triggerKeys).toEqual(['traceback:ITG-E2E-LATE']);
    // and the audit log records the corrected answer as such
    const audit = await doc.send(
      new QueryCommand({
        TableName: resource('AWS::DynamoDB::Table', 'AuditTable').name,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'AUDIT#events' },
      }),
    );
    expect(
      audit.Items?.filter((i) => i.details?.traceback_id === 'ITG-E2E-LATE').map((i) => i.details),
    ).toEqual([expect.objectContaining({ status: 'found', revised_from: 'not_found' })]);
    expect(t.glueErrors).toEqual([]);
  });

  it('answers a request whose caller ID is no number (spoofed) from the call the CDR holds with it', async () => {
    const h20 = Date.UTC(2026, 10, 27, 20);
    await t.s3.send(
      new PutObjectCommand({
        Bucket: resource('AWS::S3::Bucket', 'CdrBucket').name,
        Key: 'cdr/sbc-west-1/2026/11/27/20.csv',
        Body: `${HEADER}\n${[
          ...filler('evening', h20, 'C200'),
          row('spoofed', h20 + 7 * 60_000 + 40_000, '5565541', '+18017176698', 'C088', 'T3'),
        ].join('\n')}\n`,
      }),
    );
    await t.stack.waitForIdle({ timeoutMs: 60_000 });
    await cli(
      'traceback',
      'submit',
      requestFile('spoofed.json', {
        traceback_id: 'ITG-E2E-SPOOFED',
        received_at: '2026-11-28T16:03:18Z',
        call_time: '2026-11-27T20:07:42Z',
        calling_number: '556-5541',
        called_number: '(801) 717-6698',
      }),
    );
    await t.stack.waitForIdle({ timeoutMs: 60_000 });
    const shown = JSON.parse((await cli('traceback', 'show', 'ITG-E2E-SPOOFED', '--json')).stdout);
    expect(shown).toMatchObject({ status: 'answered', customerId: 'C088', trunkId: 'T3' });
    expect(shown.answer).toMatchObject({
      status: 'found',
      caller_id: 'invalid',
      note: '1 matching call received from C088/T3; the caller ID is not a valid phone number',
    });
    expect(shown.answer.matches).toEqual([expect.objectContaining({ call_id: 'spoofed', line: 42 })]);
    expect(t.glueErrors).toEqual([]);
  });
});

async function casesOf(customerId: string) {
  const out = await doc.send(
    new QueryCommand({
      TableName: resource('AWS::DynamoDB::Table', 'CasesTable').name,
      IndexName: 'byCustomer',
      KeyConditionExpression: 'customerId = :c',
      ExpressionAttributeValues: { ':c': customerId },
    }),
  );
  return out.Items ?? [];
}
