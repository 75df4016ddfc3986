import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoTracebackHistory } from '../../shared/aws/cases-customers.ts';
import { DynamoTracebackStore } from '../../shared/aws/traceback-store.ts';
import type { BatchRef } from '../../shared/traceback/batches.ts';
import { InMemoryManifest, RecordingEventPublisher } from '../../shared/traceback/in-memory.ts';
import { handleTracebackRequest, newRecord } from '../../shared/traceback/intake.ts';
import { validateTracebackRequest } from '../../shared/traceback/request.ts';
import { useDynamoDbLocal } from '../helpers/dynamodb-local.ts';

/**
 * The traceback store against DynamoDB Local: its conditional first answer and the history item keyed
 * by the traceback id are what keep two deliveries of one request to one entry in the customer's history.
 */
const db = useDynamoDbLocal('traceguard-tracebacks-', ['Tracebacks']);

const CALL = '2026-11-27T16:31:05Z';

function request(id: string) {
  return validateTracebackRequest(
    {
      traceback_id: id,
      received_at: '2026-11-28T14:05:00Z',
      call_time: '2026-11-27T16:31:07Z',
      calling_number: '+12025550143',
      called_number: '+13125550199',
    },
    id,
  );
}

/** One batch holding the call; the opener lets no search finish before `searches` have started. */
function archive(searches: number) {
  const manifest = new InMemoryManifest();
  const ms = Date.parse(CALL);
  manifest.add({
    batchId: 'b#1',
    name: 'cdr/sbc-east-1/16.csv',
    switchId: 'sbc-east-1',
    firstMs: ms,
    lastMs: ms,
  });
  const text = `call_id,start_time,customer_id,trunk_id,calling_number,called_number\nc1,${CALL},C042,T7,2025550143,3125550199\n`;
  let opened = 0;
  let release: () => void = () => {};
  const together = new Promise<void>((resolve) => (release = resolve));
  const opener = {
    async open(_ref: BatchRef) {
      if (++opened === searches) release();
      await together;
      return (async function* () {
        yield text;
      })();
    },
  };
  return { manifest, opener };
}

async function historyItems(customerId: string) {
  const out = await db.doc.send(
    new QueryCommand({
      TableName: 'Tracebacks',
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `CUSTTB#${customerId}` },
    }),
  );
  return out.Items ?? [];
}

describe('DynamoTracebackStore', () => {
  it('two deliveries of a new request at the same moment: one answer stands, one history item', async () => {
    const store = new DynamoTracebackStore(db.doc, 'Tracebacks');
    const events = new RecordingEventPublisher();
    const { manifest, opener } = archive(2);
    const at = (iso: string) => ({ store, manifest, opener, events, now: () => Date.parse(iso) });
    const req = request('ITG-D1');
    await Promise.all([
      handleTracebackRequest(req, at('2026-11-28T15:00:00Z')),
      handleTracebackRequest(req, at('2026-11-28T15:00:01Z')),
    ]);

    const record = await store.get('ITG-D1');
    expect(record).toMatchObject({ status: 'answered', customerId: 'C042', answer: { status: 'found' } });
    expect((await historyItems('C042')).map((i) => [i.sk, i.answeredAt])).toEqual([
      ['ITG-D1', record?.answeredAt],
    ]);
    expect(await store.history('C042')).toEqual([
      { answeredAt: record?.answeredAt, tracebackId: 'ITG-D1', call: 'sbc-east-1/c1' },
    ]);
    expect(new Set(events.events.map((e) => JSON.stringify(e))).size).toBe(1);
  });

  it('saves the first answer only while the request has none', async () => {
    const store = new DynamoTracebackStore(db.doc, 'Tracebacks');
    const req = request('ITG-D2');
    await store.create(newRecord(req));
    const answer = {
      traceback_id: 'ITG-D2',
      status: 'not_found' as const,
      deadline: '2026-11-29T14:05:00Z',
      matches: [],
      searched: { batches: 0, from: '2026-11-27T16:29:07Z', to: '2026-11-27T16:33:07Z' },
      note: 'no batch of the call time on record',
    };
    expect(await store.saveFirstAnswer('ITG-D2', { answer, answeredAt: '2026-11-28T15:00:00Z' })).toBe(true);
    expect(await store.saveFirstAnswer('ITG-D2', { answer, answeredAt: '2026-11-28T15:00:01Z' })).toBe(false);
    expect((await store.get('ITG-D2'))?.answeredAt).toBe('2026-11-28T15:00:00Z');
  });

  it('counts a traceback once when an item of the older key shape holds it too, at its earliest answer', async () => {
    const store = new DynamoTracebackStore(db.doc, 'Tracebacks');
    await db.doc.send(
      new PutCommand({
        TableName: 'Tracebacks',
        Item: {
          pk: 'CUSTTB#C077',
          sk: '2026-11-28T15:00:00Z#ITG-D3',
          customerId: 'C077',
          answeredAt: '2026-11-28T15:00:00Z',
          tracebackId: 'ITG-D3',
        },
      }),
    );
    await store.addHistory('C077', { answeredAt: '2026-11-28T15:00:01Z', tracebackId: 'ITG-D3' });
    await store.addHistory('C077', { answeredAt: '2026-11-20T09:00:00Z', tracebackId: 'ITG-D0' });
    const expected = [
      { answeredAt: '2026-11-20T09:00:00Z', tracebackId: 'ITG-D0' },
      { answeredAt: '2026-11-28T15:00:00Z', tracebackId: 'ITG-D3' },
    ];
    expect(await store.history('C077')).toEqual(expected);
    expect(await new DynamoTracebackHistory(db.doc, 'Tracebacks').forCustomer('C077')).toEqual(expected);
  });
});
