import { z } from 'zod';
import type { AwsClients } from './clients.ts';
import { ReferenceStore } from './reference-store.ts';

/**
 * What scoring reads and where findings go: the ingest function's and the day review's (docs/wiring.md),
 * and `traceguard day-review`'s, which runs the review from a shell.
 */
export const scoringEnvironment = {
  AGGREGATES_TABLE: z.string().min(1),
  CUSTOMERS_TABLE: z.string().min(1),
  REFERENCE_BUCKET: z.string().min(1),
  EVENTS_TOPIC_ARN: z.string().startsWith('arn:', 'must be an SNS topic ARN'),
  TRACEBACKS_TABLE: z.string().min(1).optional(),
  POLICY_KEY: z.string().min(1).optional(),
};

type ScoringNames = z.infer<z.ZodObject<typeof scoringEnvironment>>;

/** The reference data scoring reads, from the tables and bucket a scoring environment names. */
export function scoringReference(
  clients: Pick<AwsClients, 'doc' | 's3'>,
  env: Pick<ScoringNames, 'CUSTOMERS_TABLE' | 'REFERENCE_BUCKET' | 'POLICY_KEY' | 'TRACEBACKS_TABLE'>,
): ReferenceStore {
  return new ReferenceStore(clients.doc, clients.s3, {
    customersTable: env.CUSTOMERS_TABLE,
    referenceBucket: env.REFERENCE_BUCKET,
    policyKey: env.POLICY_KEY,
    tracebacksTable: env.TRACEBACKS_TABLE,
  });
}
