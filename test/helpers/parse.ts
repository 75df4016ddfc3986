import { gzipSync } from 'node:zlib';
import type { InputFormat } from '../../shared/cdr/batch-parser.ts';
import { readBatch } from '../../shared/cdr/read-batch.ts';
import type { CallRecord, QuarantinedRow } from '../../shared/cdr/record.ts';
import type { ZoneClock } from '../../shared/cdr/time.ts';

/** Parses an in-memory batch, optionally split into chunks of `chunk` bytes, collecting everything. */
export async function parse(
  text: string | Buffer,
  opts: {
    format?: InputFormat;
    zone?: ZoneClock | null;
    chunk?: number;
    gzip?: boolean;
    maxRecordBytes?: number;
    /**
     * every chunk in one buffer, overwritten with quotes once the reader asks for the next (as the
     * command reads files): anything that kept a chunk would read garbage
     */
    reuse?: boolean;
    /** the batch may grow: a last row without a line end is held back (ParseOptions.holdOpenLastRow) */
    holdOpenLastRow?: boolean;
  } = {},
) {
  let bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  if (opts.gzip) bytes = gzipSync(bytes);
  const size = opts.chunk ?? bytes.length;
  async function* body() {
    const scratch = Buffer.alloc(size);
    for (let i = 0; i < bytes.length; i += size) {
      const chunk = bytes.subarray(i, i + size);
      if (!opts.reuse) {
        yield chunk;
        continue;
      }
      chunk.copy(scratch);
      yield scratch.subarray(0, chunk.length);
      scratch.fill(0x22);
    }
  }
  const calls: CallRecord[] = [];
  const raws: string[] = [];
  const quarantined: QuarantinedRow[] = [];
  const stats = await readBatch(
    body(),
    {
      source: 'test.csv',
      format: opts.format,
      zone: opts.zone,
      maxRecordBytes: opts.maxRecordBytes,
      holdOpenLastRow: opts.holdOpenLastRow,
    },
    {
      call: (r, raw) => {
        calls.push({ ...r });
        raws.push(raw());
      },
      quarantine: (q) => quarantined.push(q),
    },
  );
  return { stats, calls, quarantined, raws };
}

export const HEADER =
  'call_id,start_time,answer_time,end_time,duration_s,customer_id,trunk_id,calling_number,called_number,sip_code,disposition,attestation,verstat,source_ip';
