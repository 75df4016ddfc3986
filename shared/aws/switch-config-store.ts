import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  NO_SWITCH_CONFIG,
  parseSwitchConfig,
  type SwitchConfig,
  type SwitchConfigSource,
} from '../config/switches.ts';
import { NO_TRUNK_MAP, parseTrunkMap, type TrunkMap } from '../config/trunks.ts';
import { ObjectBackedCache } from './object-versions.ts';

/** The per-switch input configuration in the ReferenceBucket (docs/switch-config.md). */
export const SWITCHES_KEY = 'reference/switches.csv';
/** The trunk map (which customer each switch's trunks belong to), beside it. */
export const TRUNKS_KEY = 'reference/trunks.csv';
/**
 * Same as the rest of the reference data: a warm function reads the objects again as soon as either
 * changes (ObjectBackedCache), and at least every 5 minutes.
 */
export const SWITCHES_TTL_MS = 5 * 60_000;

/** An object's text, or null when it does not exist (reference data is optional). */
export async function readOptionalText(s3: S3Client, bucket: string, key: string): Promise<string | null> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await out.Body?.transformToString('utf-8')) ?? null;
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'NoSuchKey' || name === 'NotFound') return null;
    throw error;
  }
}

export interface SwitchConfigStoreOptions {
  ttlMs?: number;
  now?: () => number;
}

/**
 * Reads `reference/switches.csv` and `reference/trunks.csv`, validated, and keeps them until either
 * changes (or for the TTL).
 * No object means no switch is configured (every batch is detected) or no trunk is mapped (peer names
 * only). An invalid object throws on every read, naming line, switch and field, and is not cached:
 * the batch waiting on it is retried (and dead-lettered with an alarm) rather than read with a
 * guessed zone or customer.
 */
export class S3SwitchConfigStore implements SwitchConfigSource {
  readonly #s3: S3Client;
  readonly #bucket: string;
  readonly #cache: ObjectBackedCache<SwitchConfig>;

  constructor(s3: S3Client, referenceBucket: string, options: SwitchConfigStoreOptions = {}) {
    this.#s3 = s3;
    this.#bucket = referenceBucket;
    this.#cache = new ObjectBackedCache(s3, referenceBucket, {
      ttlMs: options.ttlMs ?? SWITCHES_TTL_MS,
      now: options.now ?? Date.now,
    });
  }

  switches(): Promise<SwitchConfig> {
    return this.#cache.get([SWITCHES_KEY, TRUNKS_KEY], async () => {
      const [text, trunksText] = await Promise.all([
        readOptionalText(this.#s3, this.#bucket, SWITCHES_KEY),
        readOptionalText(this.#s3, this.#bucket, TRUNKS_KEY),
      ]);
      const trunks =
        trunksText === null ? NO_TRUNK_MAP : parseTrunkMap(trunksText, `s3://${this.#bucket}/${TRUNKS_KEY}`);
      const switches =
        text === null ? NO_SWITCH_CONFIG : parseSwitchConfig(text, `s3://${this.#bucket}/${SWITCHES_KEY}`);
      return trunks === NO_TRUNK_MAP ? switches : switches.withTrunks(trunks);
    });
  }
}

async function putCsv(s3: S3Client, bucket: string, key: string, text: string): Promise<void> {
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: 'text/csv; charset=utf-8' }),
  );
}

/** Validates the document and stores it as given (so the file an operator reads back is theirs). */
export async function putSwitchConfig(
  s3: S3Client,
  bucket: string,
  text: string,
  source: string,
): Promise<{ config: SwitchConfig; key: string }> {
  const config = parseSwitchConfig(text, source);
  await putCsv(s3, bucket, SWITCHES_KEY, text);
  return { config, key: SWITCHES_KEY };
}

/** Validates the trunk map and stores it as given; it replaces the previous map as a whole. */
export async function putTrunkMap(
  s3: S3Client,
  bucket: string,
  text: string,
  source: string,
): Promise<{ trunks: TrunkMap; key: string }> {
  const trunks = parseTrunkMap(text, source);
  await putCsv(s3, bucket, TRUNKS_KEY, text);
  return { trunks, key: TRUNKS_KEY };
}
