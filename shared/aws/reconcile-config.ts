import { z } from 'zod';
import { parseEnvironment } from '../config/environment.ts';
import type { ReconcileOptions, ReconcilePorts } from '../ingest/reconcile.ts';
import type { AwsClients } from './clients.ts';
import { DynamoReconcileLedger, S3ObjectListing, SqsIngestRequeue } from './reconcile-store.ts';

/**
 * What the reconciliation sweep needs from its environment, and how a run is asked for: the same for
 * the scheduled function, the local stack's sweep on start and `traceguard reconcile`.
 */
const configSchema = z.object({
  CDR_BUCKET: z.string().min(1),
  MANIFEST_TABLE: z.string().min(1),
  INGEST_QUEUE_URL: z.url(),
  RECONCILE_GRACE_SECONDS: z.coerce.number().int().nonnegative().default(900),
  RECONCILE_MAX_OBJECTS: z.coerce.number().int().positive().default(5000),
});
export type ReconcileConfig = z.infer<typeof configSchema>;

export function readReconcileConfig(env: NodeJS.ProcessEnv = process.env): ReconcileConfig {
  return parseEnvironment(configSchema, env, 'reconciliation');
}

export function reconcilePortsOf(clients: AwsClients, config: ReconcileConfig): ReconcilePorts {
  return {
    listing: new S3ObjectListing(clients.s3, config.CDR_BUCKET),
    ledger: new DynamoReconcileLedger(clients.doc, config.MANIFEST_TABLE),
    requeue: new SqsIngestRequeue(clients.sqs, config.INGEST_QUEUE_URL),
  };
}

/**
 * A scheduled event carries `time`; a direct invoke may ask for a dry run, another grace or a full
 * pass. `graceSeconds` is for objects with no manifest entry; `staleSeconds`, for batches whose ingest
 * began and never finished, is the deployed grace unless given: such a batch had its message, which
 * may still be waiting for its retry.
 */
const requestSchema = z.object({
  time: z.iso.datetime({ offset: true }).optional(),
  dryRun: z.boolean().default(false),
  graceSeconds: z.number().int().nonnegative().optional(),
  staleSeconds: z.number().int().nonnegative().optional(),
  fromStart: z.boolean().default(false),
});

export function reconcileRequest(
  event: unknown,
  config: ReconcileConfig,
  nowMs = Date.now(),
): ReconcileOptions {
  const parsed = requestSchema.safeParse(event ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`reconcile request: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const request = parsed.data;
  return {
    bucket: config.CDR_BUCKET,
    graceMs: (request.graceSeconds ?? config.RECONCILE_GRACE_SECONDS) * 1000,
    staleMs: (request.staleSeconds ?? config.RECONCILE_GRACE_SECONDS) * 1000,
    maxObjects: config.RECONCILE_MAX_OBJECTS,
    nowMs: request.time ? Date.parse(request.time) : nowMs,
    dryRun: request.dryRun,
    fromStart: request.fromStart,
  };
}
