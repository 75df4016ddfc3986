import { z } from 'zod';
import type { AwsClients } from '../../shared/aws/clients.ts';
import { ReferenceStore } from '../../shared/aws/reference-store.ts';

/**
 * What scoring reads and where findings go: the ingest function's and the day review's (docs/wiring.md).
 */
export const scoringEnvironment = {
  AGGREGATES_TABLE: z.string().min(1),
  CUSTOMERS_TABLE: z.string().min(1),
  REFERENCE_BUCKET: z.string().min(1),
  EVENTS_TOPIC_ARN: z.string().startsWith('arn:', 'must be an SNS topic ARN'),
  TRACEBACKS_TABLE: z.string().min(1).optional(),
  POLICY_KEY: z.string().min(1).optional(),
};

/** The reference data scoring reads, from the tables and bucket a scoring environment names. */
export function scoringReference(
  clients: Pick<AwsClients, 'doc' | 's3'>,
  env: Pick<IngestConfig, 'CUSTOMERS_TABLE' | 'REFERENCE_BUCKET' | 'POLICY_KEY' | 'TRACEBACKS_TABLE'>,
): ReferenceStore {
  return new ReferenceStore(clients.doc, clients.s3, {
    customersTable: env.CUSTOMERS_TABLE,
    referenceBucket: env.REFERENCE_BUCKET,
    policyKey: env.POLICY_KEY,
    tracebacksTable: env.TRACEBACKS_TABLE,
  });
}

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
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`ingest function configuration: ${problems}`);
  }
  return parsed.data;
}
