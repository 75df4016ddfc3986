import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type FauxqsSqsStore, loadFauxqs } from '../../local/emulators/fauxqs-internals.ts';
import { SqsJournal } from '../../local/emulators/sqs-journal.ts';

/** A store with one queue and its DLQ, journaled to `file`, as the local stack builds it on start. */
async function journaledStore(file: string) {
  const fauxqs = await loadFauxqs();
  const store: FauxqsSqsStore = new fauxqs.SqsStore();
  const journal = new SqsJournal(store, file);
  const dlq = store.createQueue('work-dlq', 'http://q/work-dlq', 'arn:aws:sqs:us-east-1:0:work-dlq');
  const queue = store.createQueue('work', 'http://q/work', 'arn:aws:sqs:us-east-1:0:work', {
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 }),
  });
  journal.watch(dlq);
  journal.watch(queue);
  return { store, journal, queue, dlq };
}

const message = (id: string) => ({
  messageId: id,
  body: `body of ${id}`,
  md5OfBody: '',
  messageAttributes: {},
  approximateReceiveCount: 0,
});

describe('the local SQS journal (no clean stop needed)', () => {
  it('gives back, after the process is gone, exactly the messages not yet deleted, with receive counts', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sqs-journal-')), 'sqs-journal.jsonl');
    const before = await journaledStore(file);
    before.journal.replay();
    for (const id of ['a', 'b', 'c']) before.queue.enqueue(message(id));
    const [first] = before.queue.dequeue(1);
    expect(first.MessageId).toBe('a');
    const handle = [...before.queue.inflightMessages.keys()][0];
    expect(before.queue.deleteMessage(handle)).toBe(true);
    before.queue.dequeue(1); // b is in flight when the process dies
    // no stop, no compaction: a kill -9 leaves only what was appended, plus a torn last line
    writeFileSync(file, `${readFileSync(file, 'utf8')}{"op":"put","q":"wo`);

    const after = await journaledStore(file);
    expect(after.journal.replay()).toBe(2);
    const bodies = after.queue.messages.map((m) => [m.messageId, m.approximateReceiveCount]);
    expect(bodies.sort()).toEqual([
      ['b', 1],
      ['c', 0],
    ]);
  });

  it('keeps a message moved to the dead-letter queue there, and forgets a purged queue', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sqs-journal-')), 'sqs-journal.jsonl');
    const before = await journaledStore(file);
    before.queue.enqueue({ ...message('poison'), approximateReceiveCount: 1 });
    const byArn = (arn: string) => before.store.queuesByName.get(arn.slice(arn.lastIndexOf(':') + 1));
    // the receive after the last allowed one moves it to the DLQ, as in AWS
    expect(before.queue.dequeue(1, undefined, byArn)).toEqual([]);
    expect(before.dlq.messages).toHaveLength(1);
    before.queue.enqueue(message('gone'));
    before.queue.purge();

    const after = await journaledStore(file);
    after.journal.replay();
    expect(after.dlq.messages.map((m) => m.messageId)).toEqual(['poison']);
    expect(after.queue.messages).toEqual([]);
  });
});
