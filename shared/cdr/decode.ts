import { createGunzip, type Gunzip } from 'node:zlib';
import { BatchReadError } from './batch-parser.ts';

/** Default bound on decompressed bytes per batch: a gzip bomb stops here instead of filling memory or disk. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 8 * 1024 ** 3;

async function* prepend(first: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield first;
  for (;;) {
    const n = await rest.next();
    if (n.done) return;
    yield n.value;
  }
}

/** bytes of each buffer the inflater writes into */
const INFLATE_CHUNK_BYTES = 256 * 1024;

/**
 * Writes `source` into the inflater a chunk at a time, asking for the next only once the inflater has
 * taken the last in whole: a source may read every chunk into the same buffer (a file read through
 * one buffer). A source that fails fails the inflater, which its reader then hears of.
 */
async function feed(gunzip: Gunzip, source: AsyncIterator<Buffer>): Promise<void> {
  try {
    for (;;) {
      const next = await source.next();
      if (next.done) break;
      await new Promise<void>((resolve, reject) => {
        gunzip.write(next.value, (e) => (e ? reject(e) : resolve()));
      });
    }
    gunzip.end();
  } catch (e) {
    gunzip.destroy(e as Error);
  }
}

/**
 * Yields the batch's bytes, gunzipped when the first bytes are the gzip magic (1f 8b), whatever
 * the object's name says. Truncated or corrupt gzip throws BatchReadError naming the source.
 *
 * A chunk yielded is the reader's only until it asks for the next (BatchParser.push keeps nothing):
 * each buffer the inflater has filled is freed as soon as its last chunk is read. Left to the garbage
 * collector, those buffers went back to the C allocator late and out of order, and its per-thread
 * arenas kept the holes (measured, two workers: 32-38 MB of arena each at the end of a read of 1M
 * rows of 20,000 customers, 9-12 MB so; peak 331-336 -> 285-289 MB).
 */
export async function* decodeBatch(
  source: AsyncIterable<Buffer | Uint8Array | string>,
  name: string,
  maxDecompressedBytes = DEFAULT_MAX_DECOMPRESSED_BYTES,
): AsyncGenerator<Buffer> {
  const it = (async function* () {
    for await (const c of source)
      yield typeof c === 'string'
        ? Buffer.from(c)
        : Buffer.isBuffer(c)
          ? c
          : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
  })();
  let first = await it.next();
  while (!first.done && first.value.length === 0) first = await it.next();
  if (first.done) return;
  let head = first.value;
  if (head.length < 2) {
    // a copy: the source may read its next chunk into the same buffer (see BatchParser.push)
    head = Buffer.from(head);
    const second = await it.next();
    if (!second.done) head = Buffer.concat([head, second.value]);
  }
  if (!(head[0] === 0x1f && head[1] === 0x8b)) {
    try {
      yield* prepend(head, it);
    } finally {
      // a reader that stops early (a bad batch) closes the source now, not when it is collected
      await it.return(undefined);
    }
    return;
  }
  const gunzip = createGunzip({ chunkSize: INFLATE_CHUNK_BYTES });
  void feed(gunzip, prepend(head, it));
  let total = 0;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxDecompressedBytes) {
        throw new BatchReadError(
          `${name}: decompresses to more than ${maxDecompressedBytes} bytes (limit per batch); refusing a possible gzip bomb`,
          { kind: 'file' },
        );
      }
      yield chunk;
      freeIfFilled(chunk);
    }
  } catch (e) {
    if (e instanceof BatchReadError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw new BatchReadError(
      `${name}: truncated or corrupt gzip (${(e as Error).message}${code ? `, ${code}` : ''})`,
      { kind: 'gzip' },
    );
  } finally {
    // not waiting for feed() to end: a write the destroyed inflater never finishes may never call back
    gunzip.destroy();
    await it.return(undefined);
  }
}

/**
 * Frees the inflater's buffer behind `chunk` at once when `chunk` is its last piece: the inflater
 * moves to a new buffer once one is full and never writes the old one again. Only buffers of the
 * inflater's size are freed: a chunk the stream joined from smaller pieces is a buffer of its own
 * (freeing it is as safe), while a small one may share a pool with other buffers.
 */
function freeIfFilled(chunk: Buffer): void {
  const buffer = chunk.buffer;
  if (
    buffer instanceof ArrayBuffer &&
    buffer.byteLength === INFLATE_CHUNK_BYTES &&
    chunk.byteOffset + chunk.length === INFLATE_CHUNK_BYTES
  )
    buffer.transfer(0);
}
