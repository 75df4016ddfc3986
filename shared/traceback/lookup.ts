import { type CustomerAttribution, PEER_NAMES_ONLY } from '../cdr/attribution.ts';
import { BatchReadError, type InputFormat } from '../cdr/batch-parser.ts';
import { readBatch } from '../cdr/read-batch.ts';
import type { ZoneClock } from '../cdr/time.ts';
import type { SwitchConfig } from '../config/switches.ts';
import { buildAnswer, matchFrom, type TracebackAnswer } from './answer.ts';
import { type BatchRef, type ManifestReader, selectBatches } from './batches.ts';
import { ClosestMatches } from './closest-matches.ts';
import { deadlineMs } from './deadline.ts';
import { matchesRequest, type SearchWindow, searchWindow } from './match.ts';
import type { TracebackRequest } from './request.ts';

/** A batch the lookup will stream: where to cite it, its switch, and how to open its bytes. */
export interface BatchToSearch {
  name: string;
  switchId: string;
  open(): AsyncIterable<Buffer | Uint8Array | string> | Promise<AsyncIterable<Buffer | Uint8Array | string>>;
  /** how to read this batch when it differs from the lookup's settings (its switch's configuration) */
  read?: ReadSettings;
  /** added to a read error: what decided how this batch was read */
  readContext?: string;
}

export interface ReadSettings {
  /** `auto` detects canonical CSV, JSON Lines, Asterisk and FreeSWITCH from the first row */
  format?: InputFormat;
  /** for native formats' local times */
  zone?: ZoneClock | null;
  /** customers of native rows without accountcode (the switch's trunk map), as ingest found them */
  attribution?: CustomerAttribution;
}

export interface LookupSettings extends ReadSettings {
  toleranceS?: number;
  /** matches listed at most, the closest in time (default MAX_MATCHES) */
  maxMatches?: number;
  slaHours?: number;
  /**
   * Per-switch input configuration (reference/switches.csv): a configured switch's batches are read
   * with its format and zone, the same way ingest read them; other switches with `format`/`zone` above.
   */
  switches?: SwitchConfig;
}

/** How the deployed lookup reads one switch's batches. */
export function readSettingsFor(switchId: string, settings: LookupSettings): ReadSettings {
  const configured = settings.switches?.settingsFor(switchId);
  if (configured?.configured)
    return { format: configured.format, zone: configured.zone, attribution: configured.attribution };
  return {
    format: settings.format ?? 'auto',
    zone: settings.zone ?? null,
    attribution: configured?.attribution,
  };
}

/**
 * Streams each batch through the detection core's reader and keeps only the rows that match, at most
 * the closest `maxMatches` in time; memory holds those, never a batch nor every match. A batch that
 * cannot be read fails the lookup (it is retried) rather than produce a wrong "not found".
 */
export async function searchBatches(
  request: TracebackRequest,
  window: SearchWindow,
  batches: BatchToSearch[],
  settings: ReadSettings & { maxMatches?: number } = {},
): Promise<ClosestMatches> {
  const matches = new ClosestMatches(request.callMs, settings.maxMatches);
  for (const batch of batches) {
    const body = await batch.open();
    const read = batch.read ?? settings;
    try {
      await readBatch(
        body,
        {
          source: batch.name,
          format: read.format ?? 'auto',
          zone: read.zone ?? null,
          attribution: (read.attribution ?? PEER_NAMES_ONLY).forTraceback(),
        },
        {
          call(record, raw) {
            if (matchesRequest(record, request, window))
              matches.add(matchFrom(record, raw(), batch.name, batch.switchId));
          },
          quarantine() {
            // unusable rows are the ingest's business (quarantine objects); they cannot be cited
          },
        },
      );
    } catch (error) {
      if (error instanceof BatchReadError && batch.readContext)
        throw new BatchReadError(`${error.message} [${batch.readContext}]`, {
          cause: error,
          kind: error.kind,
        });
      throw error;
    }
  }
  return matches;
}

/** Looks a request up in a given set of batches (offline: the files named on the command line). */
export async function lookupInBatches(
  request: TracebackRequest,
  batches: BatchToSearch[],
  settings: LookupSettings = {},
): Promise<TracebackAnswer> {
  const window = searchWindow(request.callMs, settings.toleranceS);
  const matches = await searchBatches(request, window, batches, settings);
  return buildAnswer(
    request,
    matches.sorted(),
    { batches: batches.length, window, matched: matches.total, scope: 'files' },
    deadlineMs(request.receivedMs, settings.slaHours),
  );
}

/** Opens a batch the manifest listed (S3 in the cloud and on the local stack). */
export interface BatchOpener {
  open(batch: BatchRef): Promise<AsyncIterable<Buffer | Uint8Array | string>>;
}

/**
 * The deployed lookup: the manifest names the candidate batches (hour partitions overlapping the
 * window, pruned by switch and time range), and only those are read, each with its switch's
 * configured format and zone (the switch is the manifest's, i.e. the key segment after `cdr/`).
 */
export async function lookupWithManifest(
  request: TracebackRequest,
  manifest: ManifestReader,
  opener: BatchOpener,
  settings: LookupSettings = {},
): Promise<TracebackAnswer> {
  const window = searchWindow(request.callMs, settings.toleranceS);
  const candidates = await selectBatches(manifest, window, request.switchId);
  const batches = candidates.map(
    (ref): BatchToSearch => ({
      name: ref.name,
      switchId: ref.switchId,
      open: () => opener.open(ref),
      read: readSettingsFor(ref.switchId, settings),
      readContext: settings.switches?.describe(ref.switchId),
    }),
  );
  const matches = await searchBatches(request, window, batches, settings);
  return buildAnswer(
    request,
    matches.sorted(),
    { batches: batches.length, window, matched: matches.total },
    deadlineMs(request.receivedMs, settings.slaHours),
  );
}
