import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
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

/**
 * Yields the batch's bytes, gunzipped when the first bytes are the gzip magic (1f 8b), whatever
 * the object's name says. Truncated or corrupt gzip throws BatchReadError naming the source.
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
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  const input = Readable.from(prepend(head, it));
  input.on('error', (e) => gunzip.destroy(e));
  input.pipe(gunzip);
  let total = 0;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxDecompressedBytes) {
        throw new BatchReadError(
          `${name}: decompresses to more than ${maxDecompressedBytes} bytes (limit per batch); refusing a possible gzip bomb`,
        );
      }
      yield chunk;
    }
  } catch (e) {
    if (e instanceof BatchReadError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw new BatchReadError(
      `${name}: truncated or corrupt gzip (${(e as Error).message}${code ? `, ${code}` : ''})`,
    );
  } finally {
    input.destroy();
    gunzip.destroy();
  }
}
