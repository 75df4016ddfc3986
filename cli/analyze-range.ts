import { open } from 'node:fs/promises';
import { decodeBatch } from '../shared/cdr/decode.ts';
import { fileChunks } from './file-chunks.ts';

/**
 * One worker's share of a big CSV or JSON Lines batch: the records whose first byte lies in
 * [B(from), B(to)) of the decoded bytes, where B(0) = 0 and otherwise B(x) is just after the first
 * newline at or after x. Neighbouring ranges meet at the same B, so every record is read by exactly
 * one worker, provided that B is a record boundary (not a newline inside a quoted field; a JSON Lines
 * line has none): the reader of the range before checks that by ending with no record left open
 * (BatchParser.position().pendingBytes === 0). A CSV range that does not start at 0 first gets the
 * header line, so it maps columns like the first (a canonical CSV range only: the other layouts have none).
 */
export interface ByteRange {
  path: string;
  /** gzip input is decoded from its start (it cannot be entered mid-stream) and the prefix skipped */
  gzip: boolean;
  from: number;
  /** Infinity: to the end */
  to: number;
  /** whether the batch opens with a header line every range needs (canonical CSV; JSON Lines and native CSV have none) */
  header: boolean;
}

const LF = 10;
const HEADER_MAX = 64 * 1024;
/**
 * How far past its start a range looks for the newline where its first record begins: the parser's
 * record bound. Input with no newline that far (a gzip bomb of one character) is not CSV the ranges can
 * split, so the range fails and the one-thread read reports the real error.
 */
const START_SCAN_MAX = 1 << 20;

async function headerOf(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(HEADER_MAX);
    const { bytesRead } = await fh.read(buf, 0, HEADER_MAX, 0);
    const nl = buf.subarray(0, bytesRead).indexOf(LF);
    if (nl === -1) throw new Error(`${path}: no header line in the first ${HEADER_MAX} bytes`);
    return Buffer.from(buf.subarray(0, nl + 1));
  } finally {
    await fh.close();
  }
}

/**
 * Pushes the range's bytes (header first when it does not start at 0); resolves when done. `push`
 * has each chunk only for the call (see fileChunks and decodeBatch).
 */
export async function pushRange(range: ByteRange, push: (bytes: Buffer) => void): Promise<void> {
  const { path, gzip, from, to, header: headed } = range;
  let pos = 0; // decoded offset of the current chunk's first byte
  let source: AsyncIterable<Buffer>;
  let needHeader = false;
  if (gzip) {
    source = decodeBatch(fileChunks(path), path);
    needHeader = from > 0 && headed;
  } else {
    if (from > 0 && headed) push(await headerOf(path));
    source = fileChunks(path, from);
    pos = from;
  }
  let header: Buffer[] = [];
  // 'skip' until B(from), 'take' until `to`, 'finish' the record that crosses `to`
  let phase: 'skip' | 'take' | 'finish' = from > 0 ? 'skip' : 'take';
  for await (const chunk of source) {
    const base = pos;
    pos += chunk.length;
    let i = 0;
    if (needHeader) {
      const nl = chunk.indexOf(LF);
      // copied: the next chunk may take this one's memory (see decodeBatch)
      header.push(Buffer.from(nl === -1 ? chunk : chunk.subarray(0, nl + 1)));
      if (nl === -1) {
        if (base + chunk.length > HEADER_MAX)
          throw new Error(`${path}: no header line in the first ${HEADER_MAX} bytes`);
        continue;
      }
      push(Buffer.concat(header));
      header = [];
      needHeader = false;
    }
    if (phase === 'skip') {
      const at = Math.max(0, from - base);
      if (at >= chunk.length) continue;
      const nl = chunk.indexOf(LF, at);
      if (nl === -1) {
        if (pos - from > START_SCAN_MAX)
          throw new Error(`${path}: no line break within ${START_SCAN_MAX} bytes of byte ${from}`);
        continue;
      }
      i = nl + 1;
      phase = 'take';
    }
    if (phase === 'take') {
      if (to === Number.POSITIVE_INFINITY || pos <= to) {
        if (i < chunk.length) push(i === 0 ? chunk : chunk.subarray(i));
        continue;
      }
      const at = Math.max(i, to - base);
      const nl = chunk.indexOf(LF, at);
      if (nl !== -1) {
        if (nl + 1 > i) push(chunk.subarray(i, nl + 1));
        return;
      }
      if (i < chunk.length) push(i === 0 ? chunk : chunk.subarray(i));
      phase = 'finish';
      continue;
    }
    const nl = chunk.indexOf(LF);
    if (nl !== -1) {
      push(chunk.subarray(0, nl + 1));
      return;
    }
    push(chunk);
  }
  if (needHeader && header.length > 0) push(Buffer.concat(header));
}
