import { z } from 'zod';
import type { Continuation } from './ports.ts';

/**
 * The three bodies an IngestQueue message can carry: an S3 event notification, the one-off
 * `s3:TestEvent` S3 sends when notifications are configured, or our own continuation for the rest
 * of an object too big for one invocation.
 */
const s3Record = z.object({
  eventName: z.string(),
  s3: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      size: z.number().int().nonnegative().default(0),
      eTag: z.string().default(''),
      versionId: z.string().optional(),
    }),
  }),
});

const s3Event = z.object({ Records: z.array(s3Record) });
const testEvent = z.object({ Event: z.literal('s3:TestEvent') });
const continuationBody = z.object({
  continuation: z.object({
    bucket: z.string().min(1),
    key: z.string().min(1),
    versionId: z.string().nullable(),
    etag: z.string(),
    size: z.number().int().nonnegative(),
    // 0 for a first part sent back to wait for another version of its key (see waits)
    part: z.number().int().nonnegative(),
    skipRows: z.number().int().nonnegative(),
    /** how many times the job was sent back to wait for another version of its key */
    waits: z.number().int().positive().optional(),
  }),
});

export type IngestJob = Continuation;

export type IngestMessage = { kind: 'test' } | { kind: 'jobs'; jobs: IngestJob[]; ignoredEvents: string[] };

export class MessageError extends Error {
  override name = 'MessageError';
}

/** S3 form-encodes keys in events: `+` is a space, the rest is percent-encoded (UTF-8). */
export function decodeS3Key(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch {
    throw new MessageError(`S3 event object key is not valid URL encoding: ${encoded.slice(0, 200)}`);
  }
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue.path.join('.') || '(root)'}: ${issue.message}`;
}

/** Parses one SQS message body; throws MessageError saying what is wrong and where. */
export function parseIngestMessage(body: string): IngestMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    throw new MessageError(`ingest message is not JSON (${(e as Error).message})`);
  }
  if (testEvent.safeParse(json).success) return { kind: 'test' };
  if (typeof json === 'object' && json !== null && 'continuation' in json) {
    const c = continuationBody.safeParse(json);
    if (!c.success) throw new MessageError(`continuation message: ${describe(c.error)}`);
    return { kind: 'jobs', jobs: [c.data.continuation], ignoredEvents: [] };
  }
  const e = s3Event.safeParse(json);
  if (!e.success) throw new MessageError(`S3 event notification: ${describe(e.error)}`);
  const jobs: IngestJob[] = [];
  const ignoredEvents: string[] = [];
  for (const r of e.data.Records) {
    if (!r.eventName.startsWith('ObjectCreated:')) {
      ignoredEvents.push(r.eventName);
      continue;
    }
    jobs.push({
      bucket: r.s3.bucket.name,
      key: decodeS3Key(r.s3.object.key),
      versionId: r.s3.object.versionId ?? null,
      etag: r.s3.object.eTag.replaceAll('"', ''),
      size: r.s3.object.size,
      part: 0,
      skipRows: 0,
    });
  }
  return { kind: 'jobs', jobs, ignoredEvents };
}

/**
 * The inverse of decodeS3Key, byte for byte as S3 writes keys in event notifications: UTF-8 bytes
 * percent-encoded (upper-case hex), space as `+`, only `A-Z a-z 0-9 . - * _` and `/` left as they are.
 */
export function encodeS3Key(key: string): string {
  let encoded = '';
  for (const byte of Buffer.from(key, 'utf8')) {
    const char = String.fromCharCode(byte);
    if (/[A-Za-z0-9.\-*_/]/.test(char)) encoded += char;
    else if (char === ' ') encoded += '+';
    else encoded += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

/**
 * An S3 ObjectCreated notification for one object, as the reconciliation sweep re-enqueues it: the
 * ingest function cannot tell it from the one S3 would have sent.
 */
export function objectCreatedMessage(o: {
  bucket: string;
  key: string;
  versionId: string | null;
  etag: string;
  size: number;
}): string {
  const object = {
    key: encodeS3Key(o.key),
    size: o.size,
    eTag: o.etag,
    ...(o.versionId ? { versionId: o.versionId } : {}),
  };
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'traceguard:reconcile',
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: o.bucket }, object },
      },
    ],
  });
}

export function continuationMessage(c: Continuation): string {
  return JSON.stringify({ continuation: c });
}
