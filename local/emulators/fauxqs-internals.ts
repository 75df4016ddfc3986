import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * fauxqs exports only `startFauxqs`/`buildApp`; its store classes sit behind the package `exports` map.
 * We load them by file URL next to the package entry, because subclassing the S3 store is the only
 * hook for persistence and for S3 event delivery (fauxqs accepts bucket notification configuration and
 * ignores it). Checked against fauxqs 1.9.2 (pinned in package.json); the shapes below are the part we
 * use, so a fauxqs upgrade that changes them fails loudly here.
 */

export interface FauxqsS3Object {
  key: string;
  body: Buffer;
  contentType: string;
  contentLength: number;
  etag: string;
  lastModified: Date;
  metadata: Record<string, string>;
}

export interface FauxqsS3Store {
  buckets: Map<string, Map<string, FauxqsS3Object>>;
  createBucket(name: string): void;
  putObject(
    bucket: string,
    key: string,
    body: Buffer,
    contentType?: string,
    metadata?: Record<string, string>,
  ): FauxqsS3Object;
  deleteObject(bucket: string, key: string): void;
  completeMultipartUpload(uploadId: string, parts: unknown): FauxqsS3Object;
  multipartUploads: Map<string, { bucket: string; key: string }>;
}

export interface FauxqsSqsMessage {
  messageId: string;
  body: string;
  approximateReceiveCount: number;
  delayUntil?: number;
  messageGroupId?: string;
  [field: string]: unknown;
}

export interface FauxqsSqsQueue {
  name: string;
  arn: string;
  messages: FauxqsSqsMessage[];
  delayedMessages: FauxqsSqsMessage[];
  inflightMessages: Map<string, { message: FauxqsSqsMessage }>;
  fifoMessages: Map<string, FauxqsSqsMessage[]>;
  fifoDelayed: Map<string, FauxqsSqsMessage[]>;
  enqueue(message: FauxqsSqsMessage): void;
  dequeue(
    maxCount: number,
    visibilityTimeoutOverride?: number,
    dlqResolver?: unknown,
  ): Array<{ MessageId: string }>;
  deleteMessage(receiptHandle: string): boolean;
  purge(): void;
}

export interface FauxqsSqsStore {
  queuesByName: Map<string, FauxqsSqsQueue>;
  createQueue(name: string, url: string, arn: string, attributes?: unknown, tags?: unknown): FauxqsSqsQueue;
}

type Ctor<T> = new () => T;

export interface FauxqsModules {
  buildApp: (options: {
    logger?: boolean;
    defaultRegion?: string;
    stores: { sqsStore: FauxqsSqsStore; snsStore: unknown; s3Store: FauxqsS3Store };
  }) => {
    listen(options: { port: number; host: string }): Promise<string>;
    close(): Promise<void>;
    /** Fastify's; fauxqs reads S3 bodies through the catch-all (`*`) buffer parser */
    addContentTypeParser(
      contentType: '*',
      options: { parseAs: 'buffer'; bodyLimit: number },
      parser: (request: unknown, body: Buffer, done: (error: Error | null, body?: Buffer) => void) => void,
    ): void;
  };
  S3Store: Ctor<FauxqsS3Store>;
  SqsStore: Ctor<FauxqsSqsStore>;
  SnsStore: Ctor<unknown>;
}

/** The package entry as a file URL (the exports map has only an `import` condition and hides package.json). */
function fauxqsEntry(): string {
  const require = createRequire(import.meta.url);
  for (const dir of require.resolve.paths('fauxqs') ?? []) {
    const packageJson = join(dir, 'fauxqs', 'package.json');
    if (!existsSync(packageJson)) continue;
    const { main } = JSON.parse(readFileSync(packageJson, 'utf8')) as { main: string };
    return pathToFileURL(join(dir, 'fauxqs', main)).href;
  }
  throw new Error('the fauxqs package is not installed (npm ci)');
}

export async function loadFauxqs(): Promise<FauxqsModules> {
  const entry = fauxqsEntry();
  const app = await import(entry);
  const s3 = await import(new URL('./s3/s3Store.js', entry).href);
  const sqs = await import(new URL('./sqs/sqsStore.js', entry).href);
  const sns = await import(new URL('./sns/snsStore.js', entry).href);
  for (const [name, value] of [
    ['buildApp', app.buildApp],
    ['S3Store', s3.S3Store],
    ['SqsStore', sqs.SqsStore],
    ['SnsStore', sns.SnsStore],
  ]) {
    if (typeof value !== 'function') {
      throw new Error(
        `fauxqs internals changed: ${name} not found next to ${entry}; local/ was written for 1.9.2`,
      );
    }
  }
  return { buildApp: app.buildApp, S3Store: s3.S3Store, SqsStore: sqs.SqsStore, SnsStore: sns.SnsStore };
}
