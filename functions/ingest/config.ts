import { z } from 'zod';
import { scoringEnvironment } from '../../shared/aws/scoring-config.ts';
import { parseEnvironment } from '../../shared/config/environment.ts';

/** The ingest function's environment (docs/wiring.md), read once at module load. */
const schema = z.object({
  ...scoringEnvironment,
  MANIFEST_TABLE: z.string().min(1),
  /** the IngestQueue itself: continuations of objects too big for one invocation go here */
  INGEST_QUEUE_URL: z.url().optional(),
  /** end a part when fewer ms than this remain (merge, score and publish run in the rest) */
  INGEST_TIME_MARGIN_MS: z.coerce.number().int().positive().default(60_000),
  INGEST_PARALLELISM: z.coerce.number().int().min(1).max(64).default(8),
  /** decompressed bytes one batch may expand to: a gzip bomb stops here and goes to the DLQ */
  INGEST_MAX_BATCH_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(8 * 1024 ** 3),
});

export type IngestConfig = z.infer<typeof schema>;

export function readIngestConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  return parseEnvironment(schema, env, 'ingest function');
}
