import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * The versions (ETags) of reference objects as they are now, one string for the lot ('' for a missing
 * one): what a cache read from them is checked against. One HEAD per object, in parallel, a few
 * milliseconds each: a function reading a batch pays them once per part, and in return a DNO list,
 * number inventory or switch configuration just imported is read by the very next batch, not by the
 * ones after a cache's time is up (a batch uploaded right after `dno import` was judged by the old
 * list, and its calls are never judged again).
 */
export async function objectVersions(s3: S3Client, bucket: string, keys: readonly string[]): Promise<string> {
  const tags = await Promise.all(
    keys.map(async (key) => {
      try {
        const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return String(head.ETag ?? '');
      } catch (error) {
        const name = (error as { name?: string }).name;
        if (name === 'NotFound' || name === 'NoSuchKey') return '';
        throw error;
      }
    }),
  );
  return tags.join('|');
}

/**
 * A value read from reference objects (and, with `ttlMs`, from places that cannot say when they
 * change, such as a table): read again as soon as one of the objects changes, and once its time is up.
 */
export class ObjectBackedCache<T> {
  readonly #s3: S3Client;
  readonly #bucket: string;
  readonly #options: { ttlMs: number; now: () => number };
  #cached: { value: T; versions: string; at: number } | null = null;

  constructor(s3: S3Client, bucket: string, options: { ttlMs: number; now: () => number }) {
    this.#s3 = s3;
    this.#bucket = bucket;
    this.#options = options;
  }

  async get(keys: readonly string[], read: () => Promise<T>): Promise<T> {
    const versions = await objectVersions(this.#s3, this.#bucket, keys);
    const c = this.#cached;
    const now = this.#options.now();
    if (c !== null && c.versions === versions && now - c.at < this.#options.ttlMs) return c.value;
    const value = await read();
    this.#cached = { value, versions, at: now };
    return value;
  }
}
