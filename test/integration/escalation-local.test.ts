import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainTap, type Tap, tapTopic } from '../../local/demo/taps.ts';
import { runTrackRecordOnce } from '../../local/demo/track-record.ts';
import { synthesizeTemplate } from '../../local/template/synthesize.ts';
import { appendAudit } from '../../shared/audit/append.ts';
import { DynamoAuditStore } from '../../shared/aws/audit-store.ts';
import { DynamoCustomerRegistry } from '../../shared/aws/cases-customers.ts';
import { ROSTER_PK } from '../../shared/aws/onboarding-store.ts';
import { TRACK_RECORD_STREAM } from '../../shared/kyc/trusted-decision.ts';
import { traceguard } from './helpers/cli.ts';
import { customerStatus } from './helpers/pipeline-checks.ts';
import { CUSTOMERS_CSV, DNO_TXT, pipelineDay } from './helpers/pipeline-day.ts';
import { dropBatches, loadReference } from './helpers/seed.ts';
import { repoRoot, startTestStack, type TestStack } from './helpers/test-stack.ts';

/**
 * Issue 5: in the local stack (the real template), a planted abusive customer produces a case that
 * `traceguard cases decide` moves to termination with two different reviewers, and `traceguard audit
 * verify` confirms the chain; altering one stored audit record makes it fail, naming the record.
 * Everything a reviewer does goes through the real CLI as a separate process.
 */
let t: TestStack;
let events: Tap;
let caseId: string;
const cli = (...args: string[]) => traceguard(t.stack, t.work, args);
const doNotOnboardEntries = async () =>
  (
    await t.doc.send(
      new QueryCommand({
        TableName: t.tableName('DossiersTable'),
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': 'DNO' },
      }),
    )
  ).Items?.map((i) => i.entry as { entry_id: string }) ?? [];

beforeAll(async () => {
  t = await startTestStack({ prefix: 'escalation-e2e', template: await synthesizeTemplate(repoRoot) });
  events = await tapTopic(t.sqs, t.sns, 'test-tap-compliance-events', t.stack.outputs.EventsTopicArn);
  await loadReference(t, CUSTOMERS_CSV, DNO_TXT);
  // the abusive customer's two batches of the pipeline day (DNO and impossible caller IDs at volume)
  const abusive = pipelineDay().batches.filter((b) => /\/16-[ab]\.csv/.test(b.key));
  expect(abusive).toHaveLength(2);
  await dropBatches(t, abusive);
  await t.stack.waitForIdle({ timeoutMs: 60_000 });
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

describe('a planted abusive customer, reviewed to termination through the CLI', () => {
  it('opens one critical case waiting for the analyst, with the customer suspended at once', async () => {
    const listed = await cli('cases', 'list', '--json');
    expect(listed.code).toBe(0);
    const open = JSON.parse(listed.stdout) as Array<Record<string, string>>;
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({
      customerId: 'C-ABUSE',
      severity: 'critical',
      waitingFor: 'analyst review',
    });
    expect(open[0].reasons).toMatch(/DNO_CALLING_NUMBER/);
    caseId = open[0].caseId;
    expect(await customerStatus(t, 'C-ABUSE')).toBe('suspended');
    // while suspended, onboarding compares applicants with it
    expect((await doNotOnboardEntries()).map((e) => e.entry_id)).toEqual(['suspended#C-ABUSE']);
  });

  it('alice recommends termination as analyst; the case waits for an executive', async () => {
    const decided = await cli(
      'cases',
      'decide',
      caseId,
      '--decision',
      'terminate',
      '--as',
      'alice',
      '--reason',
      'DNO and impossible caller IDs at volume from a customer onboarded this month',
    );
    expect(decided).toMatchObject({
      code: 0,
      stdout: `case ${caseId}: analyst decision "terminate" by alice sent\n`,
    });
    await t.stack.waitForIdle({ timeoutMs: 30_000 });
    const shown = JSON.parse((await cli('cases', 'show', caseId, '--json')).stdout);
    expect(shown).toMatchObject({ status: 'awaiting_review', awaitingStage: 'executive' });
    expect(await customerStatus(t, 'C-ABUSE')).toBe('suspended');
  });

  it('refuses alice approving her own recommendation as executive', async () => {
    const refused = await cli(
      'cases',
      'decide',
      caseId,
      '--decision',
      'terminate',
      '--as',
      'Alice ',
      '--reason',
      'approving the termination I recommended myself',
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /alice recommended the termination of case .*; a different person must approve it/i,
    );
    const shown = JSON.parse((await cli('cases', 'show', caseId, '--json')).stdout);
    expect(shown).toMatchObject({ status: 'awaiting_review', awaitingStage: 'executive' });
  });

  it('bob approves; the customer is terminated and an enforcement event is published', async () => {
    const approved = await cli(
      'cases',
      'decide',
      caseId,
      '--decision',
      'terminate',
      '--as',
      'bob',
      '--reason',
      'Evidence reviewed: Do-Not-Originate traffic cannot be accepted; terminate',
    );
    expect(approved).toMatchObject({
      code: 0,
      stdout: `case ${caseId}: executive decision "terminate" by bob sent\n`,
    });
    await t.stack.waitForIdle({ timeoutMs: 30_000 });

    expect(await customerStatus(t, 'C-ABUSE')).toBe('terminated');
    const shown = JSON.parse((await cli('cases', 'show', caseId, '--json')).stdout);
    expect(shown).toMatchObject({ status: 'closed', outcome: 'terminate' });
    expect(
      shown.decisions.map((d: { stage: string; decidedBy: string }) => `${d.stage}:${d.decidedBy}`),
    ).toEqual(['analyst:alice', 'executive:bob']);
    const enforcement = (await drainTap(t.sqs, events))
      .filter((m) => m.attributes.type === 'enforcement')
      .map((m) => JSON.parse(m.body));
    expect(enforcement.map((e) => e.action)).toEqual(['suspend', 'terminate']);
    expect(enforcement[1]).toMatchObject({
      case_id: caseId,
      customer_id: 'C-ABUSE',
      status: 'terminated',
      decided_by: ['alice', 'bob'],
    });
    const execution = t.stack.stepFunctions
      .list(t.stack.outputs.StateMachineArn)
      .find((e) => e.name === caseId);
    expect(execution?.status).toBe('SUCCEEDED');

    // the termination barred the customer from onboarding again, under any name, in place of the
    // entry its suspension made
    expect(await doNotOnboardEntries()).toEqual([
      expect.objectContaining({
        entry_id: 'terminated#C-ABUSE',
        source: 'terminated',
        customer_id: 'C-ABUSE',
      }),
    ]);
    // the customer's record says so: terminated, when and by which case, with the case closed
    const status = await cli('customers', 'status', 'C-ABUSE', '--json');
    expect(status.code).toBe(0);
    const record = JSON.parse(status.stdout);
    expect(record.customer).toMatchObject({ customerId: 'C-ABUSE', status: 'terminated' });
    expect(record.customer.statusReason).toContain(caseId);
    expect(record.cases).toEqual([
      expect.objectContaining({ caseId, status: 'closed', outcome: 'terminate', severity: 'critical' }),
    ]);
    const text = (await cli('customers', 'status', 'C-ABUSE')).stdout;
    expect(text).toMatch(/^ {2}status {3}terminated since \d{4}-\d\d-\d\dT.*: case /m);
    expect(text).toMatch(new RegExp(`^${caseId} +critical +closed +terminate `, 'm'));
    const unknown = await cli('customers', 'status', 'C-NOBODY');
    expect(unknown).toMatchObject({
      code: 2,
      stderr: 'traceguard: customer C-NOBODY is not in the registry and has no cases\n',
    });

    // and no executive can make it trusted on a whim: only a proposal of the track-record review is decided
    const trusted = await cli(
      'customers',
      'trusted',
      'C-ABUSE',
      '--decision',
      'approve',
      '--reason',
      'x',
      '--as',
      'bob',
    );
    expect(trusted.code).toBe(2);
    expect(trusted.stderr).toBe(
      'traceguard: customer C-ABUSE has no open proposal for trusted vetting (the daily track-record review makes them)\n',
    );

    // nor approve a proposal the review made before the termination: the proposal is left open
    await appendAudit(new DynamoAuditStore(t.doc, t.tableName('AuditTable')), TRACK_RECORD_STREAM, {
      actor: { role: 'system', id: 'system' },
      action: 'track_record.propose_trusted',
      reason: '365 clean days',
      customerId: 'C-ABUSE',
    });
    const proposedBefore = await cli(
      'customers',
      'trusted',
      'C-ABUSE',
      '--decision',
      'approve',
      '--reason',
      '400 clean days',
      '--as',
      'bob',
    );
    expect(proposedBefore.code).toBe(2);
    expect(proposedBefore.stderr).toMatch(
      /^traceguard: customer C-ABUSE was terminated on .*: a termination is final, so it cannot be made trusted; the proposal stays open until you refuse it \(--decision refuse\)\n$/,
    );
  });

  it('a renewal naming the terminated customer is refused without review; its registry profile is not rewritten', async () => {
    const profile = async () =>
      (
        await t.doc.send(
          new GetCommand({
            TableName: t.tableName('CustomersTable'),
            Key: { pk: 'CUST#C-ABUSE', sk: 'PROFILE' },
            ConsistentRead: true,
          }),
        )
      ).Item;
    const before = await profile();
    const renewal = join(t.work, 'renewal.json');
    const clean = JSON.parse(readFileSync(join(repoRoot, 'local/demo/onboarding/clean.json'), 'utf8'));
    writeFileSync(
      renewal,
      JSON.stringify({ ...clean, application_id: 'RENEW-C-ABUSE', renewing_customer_id: 'C-ABUSE' }),
    );
    expect((await cli('customers', 'apply', renewal, '--as', 'sales')).code).toBe(0);
    await t.stack.waitForIdle({ timeoutMs: 30_000 });

    const shown = JSON.parse((await cli('customers', 'show', 'RENEW-C-ABUSE', '--json')).stdout);
    expect(shown).toMatchObject({ status: 'refused', analyst: null, executive: null });
    expect(shown.outcome.why).toMatch(/^customer C-ABUSE was terminated on .*: a termination is final/);
    expect(shown.assessment.reasons[0]).toMatchObject({ code: 'CUSTOMER_TERMINATED', risk: 'high' });
    expect(await profile()).toEqual(before);
  });

  it('the daily track-record review skips the terminated customer: no promotion, renewal or rewrite, and says so', async () => {
    const table = t.tableName('CustomersTable');
    const key = { pk: 'CUST#C-ABUSE', sk: 'PROFILE' };
    // as if onboarding had registered it long ago: a clean record would promote it and renew its dossier
    const longAgo = '2020-01-01T00:00:00.000Z';
    await t.doc.send(
      new UpdateCommand({
        TableName: table,
        Key: key,
        UpdateExpression: 'SET tier_since = :t, verified_at = :t',
        ExpressionAttributeValues: { ':t': longAgo },
      }),
    );
    await t.doc.send(
      new PutCommand({
        TableName: table,
        Item: { pk: ROSTER_PK, sk: 'CUST#C-ABUSE', customer_id: 'C-ABUSE' },
      }),
    );
    const row = async () =>
      (await t.doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
    const before = await row();

    const said = await runTrackRecordOnce(t.stack.schedules);
    expect(said).toMatch(
      /^ {2}C-ABUSE: skipped \(customer C-ABUSE was terminated on .*: a termination is final/m,
    );
    expect(said).not.toMatch(/C-ABUSE: (promote|reverify|reset_clock)/);
    expect(await row()).toEqual(before);
    const track = await t.doc.send(
      new QueryCommand({
        TableName: t.tableName('AuditTable'),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'AUDIT#track-record' },
        ConsistentRead: true,
      }),
    );
    // the termination put it on the do-not-onboard list in the same chain; the review only skipped it
    // (the proposal is the one an earlier test made, as if before the termination)
    const reviewed = (track.Items ?? []).filter((i) => String(i.action).startsWith('track_record.'));
    expect(reviewed.map((i) => [i.action, i.customerId])).toEqual([
      ['track_record.propose_trusted', 'C-ABUSE'],
      ['track_record.skipped', 'C-ABUSE'],
    ]);
  });

  it('customers reinstate takes two people from the shell, and refuses the terminated customer', async () => {
    const refused = await cli(
      'customers',
      'reinstate',
      'C-ABUSE',
      '--as',
      'carol',
      '--reason',
      'The customer promises to send lawful traffic from now on',
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^traceguard: customer C-ABUSE cannot be reinstated: customer C-ABUSE was terminated on .*: a termination is final/,
    );
    expect(await customerStatus(t, 'C-ABUSE')).toBe('terminated');

    // a suspension as a case's enforce step writes it
    await new DynamoCustomerRegistry(t.doc, t.tableName('CustomersTable')).setStatus(
      'C-QUIET',
      'suspended',
      'case C-QUIET-F-1: suspended pending remediation',
    );
    const requested = await cli(
      'customers',
      'reinstate',
      'C-QUIET',
      '--as',
      'carol',
      '--reason',
      'Remediation verified with the customer: consent records checked',
    );
    expect(requested).toMatchObject({
      code: 0,
      stdout:
        'reinstatement of customer C-QUIET requested by carol: it stays suspended until another person approves it (traceguard customers reinstate C-QUIET --approve)\n',
    });
    expect(await customerStatus(t, 'C-QUIET')).toBe('suspended');
    const shown = await cli('customers', 'status', 'C-QUIET');
    expect(shown.stdout).toMatch(
      /^ {2}reinstatement requested by carol on .*: Remediation verified with the customer: consent records checked\n {4}waiting for another person: traceguard customers reinstate C-QUIET --approve/m,
    );
    const ownApproval = await cli('customers', 'reinstate', 'C-QUIET', '--approve', '--as', 'carol');
    expect(ownApproval.code).toBe(2);
    expect(ownApproval.stderr).toBe(
      'traceguard: customer C-QUIET: carol requested this reinstatement and cannot also approve it: another person must\n',
    );
    expect(await customerStatus(t, 'C-QUIET')).toBe('suspended');

    const done = await cli('customers', 'reinstate', 'C-QUIET', '--approve', '--as', 'dave');
    expect(done).toMatchObject({
      code: 0,
      stdout: 'customer C-QUIET reinstated by dave, requested by carol: suspended -> active\n',
    });
    expect(await customerStatus(t, 'C-QUIET')).toBe('active');
    const enforcement = (await drainTap(t.sqs, events))
      .filter((m) => m.attributes.type === 'enforcement')
      .map((m) => JSON.parse(m.body));
    expect(enforcement).toEqual([
      expect.objectContaining({
        customer_id: 'C-QUIET',
        action: 'reinstate',
        status: 'active',
        decided_by: ['carol', 'dave'],
      }),
    ]);
    // the request and the approval
    const verified = await cli('audit', 'verify', '--stream', 'customer#C-QUIET');
    expect(verified).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^ok {6}customer#C-QUIET: 2 records/),
    });
  });

  it('audit verify confirms every chain, and names the record once one is altered in the table', async () => {
    const verified = await cli('audit', 'verify');
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(new RegExp(`^ok      case#${caseId}: \\d+ records`, 'm'));
    expect(verified.stdout).toMatch(/^ok {6}events: \d+ records/m);
    expect(verified.stdout).toMatch(/^\d+ chains, \d+ records verified$/m);

    // someone with table access softens the analyst's recorded reason
    const table = t.tableName('AuditTable');
    const stream = await t.doc.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `AUDIT#case#${caseId}` },
        ConsistentRead: true,
      }),
    );
    const decision = (stream.Items ?? []).find((i) => i.actor?.id === 'alice');
    if (!decision) throw new Error(`no audit record by alice in case#${caseId}`);
    await t.doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: decision.pk, sk: decision.sk },
        UpdateExpression: 'SET reason = :r',
        ExpressionAttributeValues: { ':r': 'routine review, nothing unusual' },
      }),
    );

    const tampered = await cli('audit', 'verify');
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(
      new RegExp(`^BROKEN  case#${caseId}: at record ${Number(decision.seq)}: `, 'm'),
    );
    expect(tampered.stdout).toMatch(/^ok {6}events: /m);
    expect(tampered.stdout).toMatch(/^1 of \d+ chains broken$/m);

    // put the reason back, then delete the stream's tail (the decisions, the termination, the close):
    // the shorter chain's hashes all hold, but the case record says what it lost
    await t.doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: decision.pk, sk: decision.sk },
        UpdateExpression: 'SET reason = :r',
        ExpressionAttributeValues: { ':r': decision.reason },
      }),
    );
    expect((await cli('audit', 'verify', '--stream', `case#${caseId}`)).code).toBe(0);
    const tail = (stream.Items ?? []).filter((i) => Number(i.seq) >= Number(decision.seq));
    for (const item of tail)
      await t.doc.send(new DeleteCommand({ TableName: table, Key: { pk: item.pk, sk: item.sk } }));
    const truncated = await cli('audit', 'verify', '--stream', `case#${caseId}`);
    expect(truncated.code).toBe(1);
    expect(truncated.stdout).toMatch(
      new RegExp(
        `^BROKEN  case#${caseId}: at record \\d+: the case holds 2 decisions, its audit stream 0$`,
        'm',
      ),
    );
    // a stream nobody wrote, of no case on record, is a typo: an error naming the streams there are
    const none = await cli('audit', 'verify', '--stream', 'case#NO-SUCH-CASE');
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(
      /^traceguard: no audit stream 'case#NO-SUCH-CASE'; the streams are: events, /,
    );
    expect(t.glueErrors).toEqual([]);
  });

  it('day-review judges the days ingest noted, once, from the shell, as the hourly schedule would', async () => {
    const first = await cli('day-review', '--json');
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout);
    // the day of the two batches (the abusive customer's calls and another customer's): over long
    // ago, each customer's judged on all of its hours
    expect(report.reviewed).toEqual([
      expect.objectContaining({ day: '2026-11-27T00:00:00Z', customers: 2, left: 0 }),
    ]);
    expect(report.waiting).toEqual([]);
    // its note is gone: a second run has nothing to judge
    const again = await cli('day-review');
    expect(again).toMatchObject({
      code: 0,
      stdout: '0 customer-day(s) over 0 day(s) judged whole, 0 day finding(s) published\n',
    });
    expect((await cli('day-review', '--grace', 'soon')).stderr).toBe(
      "traceguard: --grace 'soon' must be a whole number of seconds, 0 or more\n",
    );
  });
});
