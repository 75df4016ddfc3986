import { z } from 'zod';
import { parseEnvironment } from '../config/environment.ts';
import type { DayReviewContext } from '../ingest/review-days.ts';
import { DynamoAggregateStore } from './aggregate-store.ts';
import type { AwsClients } from './clients.ts';
import { SnsEventPublisher } from './event-publisher.ts';
import { DynamoManifestStore } from './manifest-store.ts';
import { scoringEnvironment, scoringReference } from './scoring-config.ts';

/**
 * The day review's settings (docs/wiring.md), read by its scheduled function and by
 * `traceguard day-review` alike, so a review run from a shell judges with the same tables, reference
 * data, grace and hold as the hourly one.
 */
const schema = z.object({
  ...scoringEnvironment,
  /** where the batches not done yet are found, which hold a day back */
  MANIFEST_TABLE: z.string().min(1),
  /** how long after a day ends its batches may still come */
  REVIEW_GRACE_SECONDS: z.coerce.number().int().nonnegative().default(7200),
  /**
   * how long past its grace (or past a later batch's begin) a day waits for a batch not done yet, at
   * most: longer than a batch takes to finish or reach the dead-letter queue by itself (an hour waiting
   * for its key, 5 deliveries half an hour apart), so only one that waits for an operator is judged without
   */
  REVIEW_HOLD_SECONDS: z.coerce.number().int().nonnegative().default(21_600),
  REVIEW_PARALLELISM: z.coerce.number().int().min(1).max(64).default(16),
});

export type DayReviewConfig = z.infer<typeof schema>;

export function readDayReviewConfig(env: NodeJS.ProcessEnv = process.env): DayReviewConfig {
  return parseEnvironment(schema, env, 'day review');
}

/**
 * Where the review reads hours, notes and the batches not done yet, what it scores against, and where
 * its findings go.
 */
export function dayReviewPortsOf(
  clients: Pick<AwsClients, 'doc' | 's3' | 'sns'>,
  config: DayReviewConfig,
): Pick<DayReviewContext, 'store' | 'manifest' | 'events' | 'reference'> {
  return {
    store: new DynamoAggregateStore(clients.doc, config.AGGREGATES_TABLE),
    manifest: new DynamoManifestStore(clients.doc, config.MANIFEST_TABLE),
    events: new SnsEventPublisher(clients.sns, config.EVENTS_TOPIC_ARN),
    reference: scoringReference(clients, config),
  };
}
