import { BatchParser, type BatchSink, type BatchStats, type ParseOptions } from './batch-parser.ts';
import { DEFAULT_MAX_DECOMPRESSED_BYTES, decodeBatch } from './decode.ts';

export interface ReadBatchOptions extends ParseOptions {
  maxDecompressedBytes?: number;
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
  for await (const chunk of decodeBatch(
    body,
    opts.source,
    opts.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES,
  )) {
    parser.push(chunk);
  }
  return parser.end();
}
