import { open } from 'node:fs/promises';

/** bytes per read: the same as the streams the command used before (1 MB) */
const FILE_CHUNK_BYTES = 1 << 20;

/**
 * A file's bytes from `from` on, read into one buffer that every chunk reuses: a chunk is valid only
 * until the next is asked for, so its reader must copy what it keeps (BatchParser.push does). A
 * stream gives each chunk a buffer of its own; once freed, the C allocator kept their memory in its
 * per-thread arenas, and the peak of an analyze run grew by it (measured, 1M rows, two workers:
 * 2,000 customers 233 -> 180 MB, 20,000 customers 316-324 -> 287-288 MB). Closes the file when
 * done, also when its reader stops early (a `for await` that throws or breaks). `chunkBytes`: less
 * for a reader of a file's first bytes only (a buffer of 1 MB a file cost a look at thousands of
 * small files several times the reads themselves).
 */
export async function* fileChunks(
  path: string,
  from = 0,
  chunkBytes = FILE_CHUNK_BYTES,
): AsyncGenerator<Buffer> {
  const file = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(chunkBytes);
    let at = from;
    for (;;) {
      const { bytesRead } = await file.read(buf, 0, chunkBytes, at);
      if (bytesRead === 0) return;
      at += bytesRead;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}

/** `body`, telling `seen` of each chunk's length as it passes (progress, a count of bytes read). */
export async function* tapped(
  body: AsyncIterable<Buffer>,
  seen: (bytes: number) => void,
): AsyncGenerator<Buffer> {
  for await (const chunk of body) {
    seen(chunk.length);
    yield chunk;
  }
}
