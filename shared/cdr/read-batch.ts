import { BatchParser, type BatchSink, type BatchStats, type ParseOptions } from './batch-parser.ts';
import { DEFAULT_MAX_DECOMPRESSED_BYTES, decodeBatch } from './decode.ts';

export interface ReadBatchOptions extends ParseOptions {
  maxDecompressedBytes?: number;
  /** sees each decoded chunk before it is parsed (ingest hashes them); it may throw to stop the read */
  onDecoded?: (chunk: Buffer) => void;
}

/**
 * Streams one batch (a file or S3 object body) through decoding and parsing. Memory stays bounded
 * by the chunk size whatever the size of the batch.
 */
export async function readBatch(
  body: AsyncIterable<Buffer | Uint8Array | string>,
  opts: ReadBatchOptions,
  sink: BatchSink,
): Promise<BatchStats> {
  const parser = new BatchParser(opts, sink);
  const onDecoded = opts.onDecoded;
  for await (const chunk of decodeBatch(
    body,
    opts.source,
    opts.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES,
  )) {
    onDecoded?.(chunk);
    parser.push(chunk);
  }
  return parser.end();
}

/** decoded bytes of a batch's start that checkBatchStart parses: its header and first rows */
export const CHECK_BYTES = 64 * 1024;

const DISCARD: BatchSink = { call() {}, quarantine() {} };

export interface BatchStartStats extends BatchStats {
  /** the whole batch fitted in what was checked; otherwise its last row checked may be cut short */
  whole: boolean;
  /**
   * the batch's last row has no line end after it (ingest holds such a row back: ParseOptions.holdOpenLastRow).
   * Past what was checked, told by its last byte other than a space or tab being no line end
   */
  openEnd: boolean;
}

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

/** The last byte of `chunk` other than a space or tab, or `last` when it has none. */
function lastNonBlank(chunk: Buffer, last: number | null): number | null {
  for (let i = chunk.length - 1; i >= 0; i--) if (chunk[i] !== SPACE && chunk[i] !== TAB) return chunk[i];
  return last;
}

/**
 * Throws the BatchReadError readBatch would throw on a batch that cannot be read at all, without
 * reading its rows: the format, line ends and header are decided by the same parser on the batch's
 * first CHECK_BYTES (more while its format is not decided), and the whole body is decoded (a truncated gzip shows only at its end). Rows that
 * would be quarantined are not looked for: they never stop a batch. The stats are those of the first
 * CHECK_BYTES: rows 0 there is a batch without rows.
 */
export async function checkBatchStart(
  body: AsyncIterable<Buffer | Uint8Array | string>,
  opts: ReadBatchOptions,
  /** sees the rows of the checked start (a row cut short by its end included, unless `whole`) */
  sink: BatchSink = DISCARD,
): Promise<BatchStartStats> {
  const parser = new BatchParser(opts, sink);
  let whole = true;
  let last: number | null = null;
  // past CHECK_BYTES only while the format is not decided (a header that long, a headerless batch's
  // first records, a first line over the record bound read to its end), so the check fails as the
  // read would; the parser holds no more of them than it does reading the batch
  let parsed = 0;
  for await (const chunk of decodeBatch(
    body,
    opts.source,
    opts.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES,
  )) {
    last = lastNonBlank(chunk, last);
    if (parser.formatDecided && parsed >= CHECK_BYTES) {
      whole = false;
      continue;
    }
    const part = parser.formatDecided ? chunk.subarray(0, CHECK_BYTES - parsed) : chunk;
    if (part.length < chunk.length) whole = false;
    parsed += part.length;
    parser.push(part);
  }
  const stats = parser.end();
  const openEnd = whole ? stats.openLastRowLine !== null : last !== null && last !== LF && last !== CR;
  return { ...stats, whole, openEnd };
}
