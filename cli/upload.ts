import type { S3Client } from '@aws-sdk/client-s3';
import type { Command } from 'commander';
import type { QuarantinedRow } from '../shared/cdr/record.ts';
import { isSwitchId, SWITCH_ID_RULE } from '../shared/ingest/keys.ts';
import { UsageError } from './errors.ts';
import { shellWord, terminalSafe } from './terminal-text.ts';

/**
 * Part size of multipart uploads. A file up to this size goes up in one PutObject; a bigger one in
 * parts of this size, four at a time, each retried by the SDK on its own (a lost connection costs one
 * part, not the file), which also lifts PutObject's 5 GB limit (10,000 parts of 8 MiB = 78 GiB).
 * 8 MiB: above S3's 5 MiB least part. A failed upload is aborted; the bucket's lifecycle rule
 * removes any part left behind.
 */
export const UPLOAD_PART_BYTES = 8 * 1024 * 1024;

interface UploadOptions {
  switch?: string;
  key?: string;
  /** false with --no-check */
  check?: boolean;
}

/** The object key: `--key` as given (it must name a switch under cdr/), else `cdr/<switch>/<file name>`. */
export function uploadKey(file: string, opts: UploadOptions): string {
  if (opts.key) {
    const m = /^cdr\/([^/]+)\/.+/.exec(opts.key);
    if (!m)
      throw new UsageError(
        `--key '${opts.key}' must look like cdr/<switch_id>/<name> (only cdr/ starts an ingest)`,
      );
    if (!isSwitchId(m[1]))
      throw new UsageError(
        `--key '${opts.key}': switch '${m[1]}' must be ${SWITCH_ID_RULE}; ingest would skip the object`,
      );
    if (opts.switch && m[1] !== opts.switch)
      throw new UsageError(`--key names switch '${m[1]}' but --switch is '${opts.switch}'`);
    return opts.key;
  }
  if (!opts.switch)
    throw new UsageError('give --switch ID (the switch that produced the file) or --key cdr/<switch>/...');
  if (!isSwitchId(opts.switch)) throw new UsageError(`--switch '${opts.switch}' must be ${SWITCH_ID_RULE}`);
  const name = file.split(/[\\/]/).pop() ?? file;
  return `cdr/${opts.switch}/${name}`;
}

async function upload(file: string, opts: UploadOptions): Promise<void> {
  const { statSync, createReadStream } = await import('node:fs');
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new UsageError(`${file}: not a file`);
    size = st.size;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${file}: no such file`);
  }
  const key = uploadKey(file, opts);
  const { resolveTarget } = await import('./customers.ts');
  const bucket = await resolveTarget('CDR_BUCKET');
  const { createAwsClients } = await import('../shared/aws/clients.ts');
  const { s3 } = createAwsClients();
  let warning: string | null = null;
  if (opts.check !== false) {
    warning = await checkUpload(s3, { file, key, referenceBucket: await resolveTarget('REFERENCE_BUCKET') });
    const reupload = await reuploadWarning(s3, bucket, key);
    if (reupload) process.stderr.write(`${reupload}\n`);
  }
  const out = await uploadFile(s3, { bucket, key, body: createReadStream(file), size });
  // uploaded all the same: an hour without calls is what a quiet switch exports, and a row ingest
  // cannot use is quarantined, not a reason to hold back the rest
  if (warning !== null) process.stderr.write(`traceguard: ${file}: ${warning}\n`);
  process.stdout.write(
    `uploaded ${file} (${size} bytes${out.parts > 1 ? ` in ${out.parts} parts` : ''}) to s3://${bucket}/${key}` +
      `${out.versionId ? ` version ${out.versionId}` : ''}\n` +
      // ingest runs after this command ends: say where its verdict on single rows will be
      `ingest reads it now; rows it cannot use: traceguard quarantine show ${terminalSafe(shellWord(key))}\n`,
  );
}

/**
 * Refuses a file ingest could not read at all (binary, truncated gzip, no recognizable layout, a
 * header missing required columns, a native layout without its switch's time zone) with the message
 * ingest would give, read as ingest reads it: the same parser, with the switch's configuration from
 * the reference bucket. Otherwise the batch would fail only in the pipeline, retried for hours
 * before its dead-letter queue. Unusable rows do not refuse a batch (ingest quarantines them), but
 * when every row of the checked start is unusable (a FreeSWITCH file sent as an Asterisk switch's, a
 * header with a trailing comma over rows without one) that is said. Returns a warning for a batch
 * without rows (empty, or a header only), without a usable row in its start, or whose last row has
 * no line end, or null.
 */
export async function checkUpload(
  s3: S3Client,
  input: { file: string; key: string; referenceBucket: string },
): Promise<string | null> {
  const { createReadStream } = await import('node:fs');
  const { BatchReadError } = await import('../shared/cdr/batch-parser.ts');
  const { checkBatchStart } = await import('../shared/cdr/read-batch.ts');
  const { noRowsReason } = await import('../shared/cdr/no-rows.ts');
  const { S3SwitchConfigStore } = await import('../shared/aws/switch-config-store.ts');
  const { switchIdOf } = await import('../shared/ingest/keys.ts');
  const switches = await new S3SwitchConfigStore(s3, input.referenceBucket).switches();
  const switchId = String(switchIdOf(input.key));
  const read = switches.settingsFor(switchId);
  try {
    let firstBad: QuarantinedRow | null = null;
    const stats = await checkBatchStart(
      createReadStream(input.file),
      { source: input.file, format: read.format, zone: read.zone, attribution: read.attribution },
      {
        call() {},
        quarantine(row) {
          firstBad ??= row;
        },
      },
    );
    const noRows = noRowsReason(stats);
    if (noRows !== null) return `${noRows} (uploaded; if the switch had calls, check its CDR export)`;
    // ingest holds such a row back as possibly cut short, for the grown file to complete: said, as a
    // file complete without a final line end keeps that call out until it is sent again
    const open = stats.openEnd
      ? 'its last row has no line end: ingest holds it back (quarantined) as possibly cut short, and reads it again when the grown file is uploaded under this key; if the file is complete, add a line end after its last row and upload it again (uploaded)'
      : null;
    // the last row checked may be cut short by the end of the check: it proves nothing
    const judged = stats.whole ? stats.quarantined : stats.quarantined - 1;
    if (stats.calls > 0 || judged < 1 || firstBad === null) return open;
    const bad: QuarantinedRow = firstBad;
    const none = terminalSafe(
      `none of the first ${judged} row(s) is usable, so ingest will quarantine them, e.g. line ${bad.line}: ${bad.reason} ` +
        `(uploaded; check switch '${switchId}' in the switch configuration, or the key's switch, against what wrote the file)`,
    );
    return open === null ? none : `${none}; ${open}`;
  } catch (e) {
    if (!(e instanceof BatchReadError)) throw e;
    throw new UsageError(
      `${switches.unreadable(e, switchId).message}; not uploaded (--no-check uploads it anyway)`,
    );
  }
}

/**
 * What ingest will do with a file uploaded under a key that already holds a batch (a day file sent
 * again as it grows): count only the rows it adds after that batch, or refuse it if it changes or
 * drops any of that batch's bytes. Null when the key holds nothing, or when these credentials may
 * not look (a switch's upload policy only writes): then nothing is said.
 */
export async function reuploadWarning(s3: S3Client, bucket: string, key: string): Promise<string | null> {
  const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
  let since: Date | undefined;
  try {
    since = (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).LastModified;
  } catch {
    return null;
  }
  return (
    `warning: s3://${bucket}/${key} already holds a batch${since ? ` (uploaded ${since.toISOString()})` : ''}. ` +
    'Ingest counts this file only where it extends that batch (the same bytes, then more rows): its rows ' +
    'after it. If this file changes or drops any of them, ingest refuses it and counts none of it; ' +
    'send changed or missing calls under a new key.'
  );
}

/** One object from a stream: a single PutObject up to `partBytes`, a multipart upload above. */
export async function uploadFile(
  s3: S3Client,
  input: { bucket: string; key: string; body: NodeJS.ReadableStream; size: number; partBytes?: number },
): Promise<{ versionId?: string; parts: number }> {
  const { Upload } = await import('@aws-sdk/lib-storage');
  const partSize = input.partBytes ?? UPLOAD_PART_BYTES;
  const upload = new Upload({
    client: s3,
    params: { Bucket: input.bucket, Key: input.key, Body: input.body as never },
    partSize,
    queueSize: 4,
    leavePartsOnError: false,
  });
  const out = await upload.done();
  return { versionId: out.VersionId, parts: Math.max(1, Math.ceil(input.size / partSize)) };
}

export function register(program: Command): void {
  program
    .command('upload')
    .description('Put a CDR file into the CDR bucket under cdr/<switch>/, which starts an ingest')
    .argument('<file>', 'CDR batch (CSV or JSON Lines, gzip or not)')
    .option('--switch <id>', 'switch_id: the first path segment after cdr/')
    .option('--key <key>', 'full object key (cdr/<switch>/...)')
    .option(
      '--no-check',
      "upload without reading the file first as ingest will (to try the pipeline's handling of a bad batch)",
    )
    .action((file: string, opts: UploadOptions) => upload(file, opts));
}
