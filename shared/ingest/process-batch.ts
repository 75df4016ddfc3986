import { BatchReadError, type BatchStats } from '../cdr/batch-parser.ts';
import { noRowsReason } from '../cdr/no-rows.ts';
import { readBatch } from '../cdr/read-batch.ts';
import { repeatedHourSummary } from '../cdr/repeated-hour.ts';
import { countPart, NOTHING_COUNTED } from './count-part.ts';
import { countedNoCall } from './counted-no-call.ts';
import { DecodedContent } from './decoded-content.ts';
import {
  compareWithCounted,
  DecodedDigest,
  earlierRows,
  extendsWhat,
  KEY_WAIT_SECONDS,
  KEY_WAITS_MAX,
  KeyInUse,
  NotAnExtension,
  REFUSED_FIX,
  REFUSED_REASON,
} from './key-versions.ts';
import { applyIdOf, batchIdOf, notABatchReason, quarantineKeyOf, switchIdOf } from './keys.ts';
import type { IngestJob } from './messages.ts';
import { PartCollector, PartEnd } from './part-collector.ts';
import type { BatchIdentity, EarlierRows, IngestPorts, KeyCounted, PartCut, PartStats } from './ports.ts';

export interface IngestOptions {
  /** end the part when fewer ms than this remain (merging, scoring and publishing need the rest) */
  timeMarginMs: number;
  /** end the part when its quarantine object would grow past this (memory stays bounded) */
  maxQuarantineBytes: number;
  /**
   * end the part when it holds this many windows, customer-hour and trunk-hour (Aggregator.heldWindows):
   * a batch from hundreds of thousands of customers, hours or trunks is read in more parts instead of
   * in more memory. A window costs about 3.6 KB while read and about 9 KB with the merge (a day of
   * 2,000 customers on two trunks each, 144,000 windows, peaked near 760 MB above the function's
   * baseline in one part): 60,000 keeps a part near 450 MB, inside the function's 1,024 MB
   */
  maxPartWindows: number;
  /** windows merged (and customers scored) at the same time */
  parallel: number;
  /** how often the time budget is checked, in rows (tests use small numbers) */
  checkEveryRows?: number;
  /** first back-off step when DynamoDB throttles a merge (doubles per attempt) */
  retryBaseMs?: number;
  /** decompressed bytes one batch may expand to (a gzip bomb fails loudly past it); default 8 GiB */
  maxBatchBytes?: number;
}

export const DEFAULT_INGEST_OPTIONS: IngestOptions = {
  timeMarginMs: 60_000,
  maxQuarantineBytes: 32 * 1024 * 1024,
  maxPartWindows: 60_000,
  parallel: 8,
};

export type BatchStatus =
  /** not a batch: outside `cdr/` or without a switch segment */
  | 'skipped'
  /** zero bytes: recorded in the manifest, nothing else */
  | 'empty'
  /** this part (or the whole batch) was completed by an earlier delivery */
  | 'duplicate'
  /** this version of the object no longer exists */
  | 'gone'
  /** a part was done and a continuation was sent for the rest */
  | 'continued'
  /** another version of its key was being counted: sent back to the queue to start again later */
  | 'waiting'
  /** a new version of a key whose counted version it changes instead of extending: nothing counted */
  | 'refused'
  | 'done';

/** EarlierRows: of a version that extends the one counted before under its key, what that one read */
export interface BatchOutcome extends EarlierRows {
  status: BatchStatus;
  reason?: string;
  batchId?: string;
  part: number;
  rows: number;
  calls: number;
  quarantined: number;
  /** quarantined rows whose customer could not be found (a subset of `quarantined`) */
  unattributed: number;
  /** calls (a subset of `calls`) from customer ids the registry does not hold: judged as new customers */
  unregistered: number;
  windowsMerged: number;
  windowsAlreadyApplied: number;
  mergeAttempts: number;
  findingsPublished: number;
}

function outcome(status: BatchStatus, part: number, extra: Partial<BatchOutcome> = {}): BatchOutcome {
  return {
    status,
    part,
    rows: 0,
    calls: 0,
    quarantined: 0,
    unattributed: 0,
    unregistered: 0,
    windowsMerged: 0,
    windowsAlreadyApplied: 0,
    mergeAttempts: 0,
    findingsPublished: 0,
    ...extra,
  };
}

function sumParts(parts: PartStats[]): PartStats {
  const total: PartStats = { rows: 0, calls: 0, quarantined: 0, firstMs: null, lastMs: null };
  for (const p of parts) {
    total.rows += p.rows;
    total.calls += p.calls;
    total.quarantined += p.quarantined;
    if (p.firstMs !== null)
      total.firstMs = total.firstMs === null ? p.firstMs : Math.min(total.firstMs, p.firstMs);
    if (p.lastMs !== null) total.lastMs = total.lastMs === null ? p.lastMs : Math.max(total.lastMs, p.lastMs);
  }
  return total;
}

/**
 * One line for a whole batch without rows (empty, or a header only): done all the same, since a quiet
 * switch exports hours without calls, but a broken export job writing empty files shows here.
 */
function warnNoRows(
  log: IngestPorts['log'],
  where: string,
  read: { format: string; rows: number },
  batchId: string,
): void {
  const reason = noRowsReason(read);
  if (reason !== null)
    log.warn(`${where}: ${reason} (if the switch had calls, check its CDR export)`, {
      batchId,
      format: read.format,
    });
}

/**
 * One line for a batch whose last row had no line end after it, held back as possibly cut short: a
 * switch's growing file uploaded while it wrote that row is read again when it is uploaded grown, but a
 * file complete without a final line end keeps that call out until it is sent again.
 */
function warnHeldBack(
  log: IngestPorts['log'],
  where: string,
  line: number | null,
  heldBack: number,
  batchId: string,
): void {
  log.warn(
    `${where}: its last row${line === null ? '' : ` (line ${line})`} has no line end: held back, quarantined, as it may have been cut short by an upload that caught the switch writing it; ` +
      'the next upload of the grown file under this key reads it again (a file that was complete: upload it again under this key with a line end after that row)',
    { batchId, heldBack, ...(line === null ? {} : { line }) },
  );
}

/**
 * What the counted version under the key read of an earlier upload of it delivered late, every row of
 * which it holds: its calls and quarantined rows as this read found them, and the last row this one
 * held back (no line end after it), which that version read with its line end (counted with its
 * calls). `rows`: the rows read, when the read stopped before its stats (counted as calls then).
 */
function lateRows(read: BatchStats | null, rows: number): EarlierRows {
  if (read === null) return { alreadyCounted: rows };
  const quarantined = read.quarantined - read.heldBack;
  return {
    alreadyCounted: read.calls + read.heldBack,
    ...(quarantined > 0 ? { alreadyQuarantined: quarantined } : {}),
  };
}

/** The totals of a batch that counts no rows (empty, or a repeat of another batch's bytes). */
const NO_ROWS = { rows: 0, calls: 0, quarantined: 0, firstMs: null, lastMs: null } as const;

/** A batch holding the calls of another one, which counted them: the same bytes, or the same calls. */
interface Repeat {
  /** the batch that holds them */
  of: string;
  what: 'bytes' | 'calls';
}

const REPEAT_MESSAGE: Record<Repeat['what'], string> = {
  bytes: 'batch repeats the bytes of an earlier batch; its calls are counted once, there',
  calls:
    'batch repeats the calls of an earlier batch (the same lines, or the same calls written otherwise); they are counted once, there',
};

/**
 * One CDR object (or one part of it) from S3 to DynamoDB aggregates and findings:
 * read + parse + aggregate in one streaming pass, quarantine bad rows, fix the part's end in the
 * manifest, merge every window exactly once, index the hours for tracebacks, score the touched
 * customer-hours and publish raised severities, then finish the batch or continue it.
 * Any thrown error leaves the message to be redelivered; every step is safe to repeat.
 */
export async function processBatch(
  job: IngestJob,
  ports: IngestPorts,
  options: IngestOptions = DEFAULT_INGEST_OPTIONS,
): Promise<BatchOutcome> {
  const { log } = ports;
  const switchId = switchIdOf(job.key);
  if (switchId === null) {
    const reason = String(notABatchReason(job.key));
    log.warn(`object is not a CDR batch (expected cdr/<switch_id>/...): ${reason}; ignored`, {
      bucket: job.bucket,
      key: job.key,
    });
    return outcome('skipped', job.part, { reason });
  }
  const batch: BatchIdentity = {
    batchId: batchIdOf(job),
    bucket: job.bucket,
    key: job.key,
    versionId: job.versionId,
    etag: job.etag,
    switchId,
    size: job.size,
  };
  const { batchId } = batch;
  let manifest = await ports.manifest.get(batchId);
  // the same bytes sent again under the same key (an unversioned bucket names them the same batch)
  // after its switch's format or zone, or the trunk map, was fixed: counted nothing, it holds nothing
  // back. From its first part only: a late continuation of it would read its later rows alone
  const again = job.part === 0 && manifest !== null && countedNoCall(manifest);
  if (again && (await ports.manifest.reopen(batchId))) {
    log.info(
      `batch read again: its earlier read counted no call (${manifest?.totals?.quarantined} row(s) quarantined); read under the configuration in force now`,
      { batchId },
    );
    manifest = await ports.manifest.get(batchId);
  }
  if (manifest?.status === 'done' || (manifest?.checkpoint && manifest.checkpoint.part > job.part)) {
    log.info('batch part already processed; redelivery ignored', { batchId, part: job.part });
    return outcome('duplicate', job.part, { batchId });
  }
  // a batch begun before (a later part, a redelivery) has its items: begin writes two in a transaction
  if (manifest === null) await ports.manifest.begin(batch);
  // the same bytes under another key (a copy, a re-send under a new name) hold the same calls: the
  // batch that claimed them first, with its first part, counts them; this one is a repeat of it. It is
  // read all the same, every part of it (each asks again: the claim answers the same), counting
  // nothing: its key records where it ends, so a version that grows it counts only the rows after it
  const bytesHolder = job.size > 0 && batch.etag !== '' ? await ports.manifest.claimContent(batch) : batchId;
  let repeat: Repeat | null = bytesHolder === batchId ? null : { of: bytesHolder, what: 'bytes' };
  // a batch that ends counting no call holds none: the same bytes sent again (after its switch's
  // format or zone, or the trunk map, was fixed) are read under the configuration then in force
  const releaseBytes = () => ports.manifest.releaseContent(batch);
  const where = `s3://${job.bucket}/${job.key} (switch ${switchId})`;
  if (job.size === 0 && job.part === 0) {
    await ports.manifest.finish(batchId, { ...NO_ROWS, format: 'empty' });
    warnNoRows(log, where, { format: 'empty', rows: 0 }, batchId);
    return outcome('empty', 0, { batchId });
  }

  const [numbers, policy, switches] = await Promise.all([
    ports.reference.numbers(),
    ports.reference.policy(),
    ports.reference.switches(),
  ]);
  // native PBX formats carry local times: the switch's configured zone is the only way to read them
  const read = switches.settingsFor(switchId);
  // versions of one key (a growing day file uploaded again and again) are counted one after the
  // other, each only from where the counted one before it ended, and only if it extends it
  const claim = await ports.manifest.claimKey(batch);
  if ('heldBy' in claim) {
    const waits = (job.waits ?? 0) + 1;
    const where = `${batchId}: another version of s3://${job.bucket}/${job.key} is being counted (${claim.heldBy})`;
    if (waits > KEY_WAITS_MAX)
      throw new KeyInUse(
        `${where}, and has been for over ${Math.round((KEY_WAIT_SECONDS * KEY_WAITS_MAX) / 60)} min`,
      );
    await ports.queue.sendLater({ ...job, waits }, KEY_WAIT_SECONDS);
    log.info(`batch waits: ${where}; this one starts again in ${KEY_WAIT_SECONDS} s`, { batchId, waits });
    return outcome('waiting', job.part, { batchId });
  }
  if (claim.base?.batchId === batchId && claim.base.calls > 0) {
    // another delivery of this very batch finished it after this one read the manifest (an S3 event
    // and the sweep's re-send, read at once): it counted every call. Taken for its own base, this one
    // counted none and wrote its zero totals over the batch's. One that counted no call holds nothing
    // back: this one reads the batch again, as a reopened one is
    await ports.manifest.releaseKey(batch);
    log.info('batch counted by another delivery meanwhile; this one ends', { batchId, part: job.part });
    return outcome('duplicate', job.part, { batchId });
  }
  // a version that counted no call (all quarantined: a switch misconfigured) does not hold back its correction
  const base = claim.base !== null && claim.base.calls > 0 ? claim.base : null;
  const digest = new DecodedDigest(base);
  // a first part may be the whole batch: then its lines are claimed before anything is counted
  const content = job.part === 0 ? new DecodedContent() : null;
  const recorded = manifest?.parts[String(job.part)] ?? null;
  /** why this part ended before the batch did (said in the log: a small gzip may well make 7 parts) */
  let cutBecause: string | null = null;
  const collector = new PartCollector(
    { ...numbers, customers: new Map() },
    {
      skipRows: job.part === 0 && base !== null ? base.endRow : job.skipRows,
      // an earlier attempt fixed where this part ends: cover exactly the same rows again
      fixedEndRow: recorded && !recorded.final ? recorded.endRow : null,
      // never before the counted version's bytes were compared: until then it is not known what counts
      shouldCut: (quarantineBytes, windows) => {
        if (recorded !== null || !digest.settled) return false;
        cutBecause =
          ports.clock.remainingMs() < options.timeMarginMs
            ? "the invocation's time was nearly up"
            : quarantineBytes > options.maxQuarantineBytes
              ? `its quarantined rows passed ${options.maxQuarantineBytes} bytes (one quarantine object a part)`
              : windows >= options.maxPartWindows
                ? `it held ${options.maxPartWindows} windows (customer-hours and trunk-hours)`
                : null;
        return cutBecause !== null;
      },
      checkEveryRows: options.checkEveryRows,
    },
  );
  const body = await ports.source.open(job);
  if (body === null) {
    // nothing of it was counted if this is its first part: the key's next version need not wait
    if (job.part === 0) await Promise.all([ports.manifest.releaseKey(batch), releaseBytes()]);
    log.warn('batch version no longer exists; nothing to do', { batchId });
    return outcome('gone', job.part, { batchId });
  }
  let final = true;
  let format = 'unknown';
  let extension = true;
  /** the whole object's, every row parsed (a part's skipped rows too); null when the read stopped */
  let whole: BatchStats | null = null;
  try {
    const stats = await readBatch(
      body,
      {
        source: `s3://${job.bucket}/${job.key}`,
        format: read.format,
        zone: read.zone,
        attribution: read.attribution,
        maxDecompressedBytes: options.maxBatchBytes,
        // a switch uploads its day file again as it grows: a last row without a line end may be cut
        // short, and is held back for the next upload under the key to read again, complete
        holdOpenLastRow: true,
        onDecoded: (chunk) => {
          digest.update(chunk);
          content?.update(chunk);
        },
      },
      collector,
    );
    format = stats.format;
    whole = stats;
    // a version shorter than the counted one ends before its bytes could be compared in full
    extension = digest.extendsPrefix;
  } catch (error) {
    if (error instanceof BatchReadError) {
      if (job.part === 0) await Promise.all([ports.manifest.releaseKey(batch), releaseBytes()]);
      // every delivery fails alike: the manifest says why, for whoever asks after the batch
      const unreadable = switches.unreadable(error, switchId);
      await ports.manifest.fail(batchId, unreadable.message);
      throw unreadable;
    }
    if (error instanceof NotAnExtension) extension = false;
    else if (error instanceof PartEnd) final = false;
    else throw error;
  }
  if (!extension && base !== null && repeat !== null) {
    // a copy of another batch that does not extend the key's counted version: the key is left as it
    // was (its next version is counted from that one), and so are the rows it repeats, the other's
    await ports.manifest.finish(
      batchId,
      { ...NO_ROWS, format, repeatOf: repeat.of },
      { bucket: job.bucket, key: job.key, counted: null },
    );
    log.warn(REPEAT_MESSAGE[repeat.what], { batchId, repeatOf: repeat.of });
    return outcome('duplicate', job.part, { batchId, reason: `repeats the ${repeat.what} of ${repeat.of}` });
  }
  if (!extension && base !== null) {
    const compared = await compareWithCounted(ports.source, job, base, options.maxBatchBytes);
    // the counted version's very start: an earlier upload delivered late, all of it counted with the
    // version after it
    if (compared?.startOfCounted && final) {
      const read = lateRows(whole, collector.endRow);
      await ports.manifest.finish(batchId, { ...NO_ROWS, format, ...read });
      await ports.manifest.releaseKey(batch);
      log.info(
        'batch done: an earlier upload of the batch counted under this key, delivered late; its rows were counted with it',
        { batchId, countedBatch: base.batchId },
      );
      return outcome('done', job.part, { batchId, ...read });
    }
    // where it changes the counted batch: which calls to send again under a new key
    const line = compared !== null && !compared.startOfCounted ? compared.firstChangedLine : null;
    const where = line === null ? '' : ` (the first change is at line ${line})`;
    const reason = `${REFUSED_REASON}${where}; ${REFUSED_FIX}`;
    await releaseBytes();
    await ports.manifest.finish(
      batchId,
      { ...NO_ROWS, format, refused: reason },
      { bucket: job.bucket, key: job.key, counted: null },
    );
    // the metric's alarm pages on-call: the switch sends changed calls where they cannot be counted
    log.warn(`batch refused: it ${reason}`, {
      batchId,
      countedBatch: base.batchId,
      countedRows: base.endRow,
      countedCalls: base.calls,
      ...(line === null ? {} : { firstChangedLine: line }),
    });
    return outcome('refused', job.part, { batchId, reason });
  }
  // the same calls under another key, gzipped, with a byte-order mark, other line ends or no final
  // one (the same bytes were caught before the read), or written otherwise (JSON Lines for CSV,
  // other columns or order: the calls' fingerprint): counted once, by the batch that claimed them
  // first. A batch of several parts counted its first part before its last was read, so only a
  // batch read in one part is checked; one without calls has nothing to count twice.
  if (repeat === null && content !== null && final && collector.stats.calls > 0) {
    let holder = await ports.manifest.claimContent(batch, content.key());
    // the key's counted version is none it repeats, but one it extends: it has the same lines when
    // it only ends the last row that one held back (cut short, or a complete file's, with no line end)
    if (holder === batchId || holder === base?.batchId)
      holder = await ports.manifest.claimContent(batch, collector.calls.key());
    if (holder !== batchId) repeat = { of: holder, what: 'calls' };
  }
  const earlier = base === null ? {} : earlierRows(base);
  const cut: PartCut = { ...collector.stats, endRow: collector.endRow, final };
  const fixed = await ports.manifest.recordPart(batchId, job.part, cut);
  if (fixed.endRow !== cut.endRow || fixed.final !== cut.final) {
    throw new Error(
      `${batchId} part ${job.part}: another delivery fixed this part at row ${fixed.endRow} (final ${fixed.final}), this one read to ${cut.endRow} (final ${final}); retrying`,
    );
  }

  if (final && job.part === 0) warnNoRows(log, where, { format, rows: cut.rows }, batchId);
  const heldBack = final ? (whole?.heldBack ?? 0) : 0;
  if (heldBack > 0) warnHeldBack(log, where, whole?.openLastRowLine ?? null, heldBack, batchId);
  const unattributed = collector.unattributed.summary(where, cut.rows);
  if (unattributed !== null) {
    // one line per batch part, whatever the number of rows: the fix is the same for all of them
    log.warn(unattributed, {
      batchId,
      part: job.part,
      unattributed: collector.unattributed.unattributed,
      rows: cut.rows,
      topPeers: collector.unattributed.topPeers(),
    });
  }
  const repeated = repeatedHourSummary(where, collector.repeatedHourGuessed, cut.rows, read.zone?.zone ?? '');
  if (repeated !== null) {
    log.warn(repeated, {
      batchId,
      part: job.part,
      repeatedHourGuessed: collector.repeatedHourGuessed,
      rows: cut.rows,
    });
  }
  // a repeat's rows that could not be used are its own, whatever the batch it repeats holds: they are
  // quarantined under its key like any batch's, never lost with the calls counted elsewhere
  const quarantineBody = collector.quarantineBody();
  if (quarantineBody !== '') {
    await ports.source.writeQuarantine(job.bucket, quarantineKeyOf(job.key, job.part), quarantineBody);
  }
  const applyId = applyIdOf(batchId, job.part, final && job.part === 0);
  const counting =
    repeat === null
      ? await countPart(collector, {
          ports,
          job,
          batch,
          applyId,
          where,
          numbers,
          policy,
          parallel: options.parallel,
          retryBaseMs: options.retryBaseMs,
        })
      : NOTHING_COUNTED;

  const counts = {
    batchId,
    rows: cut.rows,
    // a repeat's calls were counted by the batch it repeats
    calls: repeat === null ? cut.calls : 0,
    quarantined: cut.quarantined,
    unattributed: collector.unattributed.unattributed,
    ...counting,
    ...earlier,
  };
  if (!final) {
    const next = { part: job.part + 1, skipRows: cut.endRow };
    await ports.queue.sendContinuation({ ...job, ...next });
    await ports.manifest.checkpoint(batchId, next);
    log.info('batch part done; continuation sent', {
      ...counts,
      // a re-run part ends where its first attempt did, for that attempt's reason
      endedBecause: cutBecause ?? 'an earlier attempt of this part ended it here',
      part: job.part,
      nextPart: next.part,
      skipRows: next.skipRows,
    });
    return outcome('continued', job.part, counts);
  }
  const after = await ports.manifest.get(batchId);
  const parts = Object.entries(after?.parts ?? {})
    .filter(([n]) => Number(n) !== job.part)
    .map(([, p]) => p);
  const totals = sumParts([...parts, cut]);
  // a copy of another batch's bytes none of whose rows is a call here (read under its own switch's
  // configuration, every row quarantined) holds no call to repeat: it is done as any batch is
  if (repeat !== null && totals.calls === 0) repeat = null;
  // a repeat's calls are the key's too, counted by the batch it repeats: the key's next version
  // extends it, and is counted from its end, less the rows held back (the last, with no line end
  // after it), which that version reads again
  const counted: KeyCounted = {
    batchId,
    endRow: cut.endRow - heldBack,
    ...(heldBack > 0 ? { heldBack } : {}),
    calls: (base?.calls ?? 0) + totals.calls,
    ...digest.digest(),
  };
  const key = { bucket: job.bucket, key: job.key, counted };
  if (repeat !== null) {
    // rows = its quarantined rows + the calls the batch it repeats counted (repeated), none counted here
    const { rows, quarantined } = totals;
    const repeatTotals = { ...NO_ROWS, rows, quarantined, repeated: totals.calls };
    await ports.manifest.finish(batchId, { ...repeatTotals, format, repeatOf: repeat.of, ...earlier }, key);
    log.warn(REPEAT_MESSAGE[repeat.what], { ...counts, repeatOf: repeat.of, repeated: totals.calls });
    return outcome('duplicate', job.part, {
      ...counts,
      reason: `repeats the ${repeat.what} of ${repeat.of}`,
    });
  }
  if (counted.calls === 0) await releaseBytes();
  await ports.manifest.finish(batchId, { ...totals, format, ...earlier }, key);
  log.info(
    base === null
      ? 'batch done'
      : `batch done: it extends the batch counted under this key, ${extendsWhat(base)}`,
    { ...counts, part: job.part },
  );
  return outcome('done', job.part, counts);
}
