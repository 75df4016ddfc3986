import { join } from 'node:path';
import { type FauxqsSqsStore, loadFauxqs } from './fauxqs-internals.ts';
import { createPersistentS3Store, type ObjectCreated } from './persistent-s3-store.ts';
import { SqsJournal } from './sqs-journal.ts';

export interface RunningFauxqs {
  /** one endpoint for S3 (path style, loopback IP), SQS and SNS */
  endpoint: string;
  /** puts back the queue messages the journal holds; call after the queues exist again */
  restoreMessages(): number;
  stop(): Promise<void>;
}

/** The largest object S3 takes in one PutObject (the local process's memory bounds it first). */
export const S3_PUT_OBJECT_MAX_BYTES = 5 * 1024 ** 3;

/**
 * fauxqs (S3 + SQS + SNS) in this process on a free loopback port, with objects persisted under
 * `<dataDir>/s3` and every queue change journaled to `<dataDir>/sqs-journal.jsonl` as it happens.
 */
export async function startFauxqs(options: {
  dataDir: string;
  region: string;
  onObjectCreated: (event: ObjectCreated) => void;
}): Promise<RunningFauxqs> {
  const fauxqs = await loadFauxqs();
  const s3Store = createPersistentS3Store(fauxqs, join(options.dataDir, 's3'), options.onObjectCreated);
  const sqsStore: FauxqsSqsStore = new fauxqs.SqsStore();
  const journal = new SqsJournal(sqsStore, join(options.dataDir, 'sqs-journal.jsonl'));
  const createQueue = sqsStore.createQueue.bind(sqsStore);
  sqsStore.createQueue = (...args) => {
    const queue = createQueue(...args);
    journal.watch(queue);
    return queue;
  };
  const snsStore = new fauxqs.SnsStore();
  const app = fauxqs.buildApp({
    logger: false,
    defaultRegion: options.region,
    stores: { sqsStore, snsStore, s3Store },
  });
  // fauxqs builds its server with an 11 MiB body limit, so a bigger PutObject (the 14 MB quarantine
  // object of a batch of 40,000 rows without a time offset) was answered 413 in JSON, which the SDK
  // reports as "XML parse error", or cut off mid-body ("write EPIPE"). S3 takes 5 GiB in one
  // PutObject: its S3 routes read bodies through the catch-all parser, and adding that again replaces
  // fauxqs's with S3's limit (SQS and SNS have parsers of their own and keep theirs)
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: S3_PUT_OBJECT_MAX_BYTES },
    (_request, body, done) => done(null, body),
  );
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  let stopped = false;
  return {
    endpoint: address.replace('localhost', '127.0.0.1'),
    restoreMessages: () => journal.replay(),
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.close();
      journal.compact();
      journal.close();
    },
  };
}
