import { randomUUID } from 'node:crypto';
import { mostlyOnNetSummary, OnNetShares } from '../detect/on-net-share.ts';
import type { Policy } from '../detect/policy.ts';
import type { ReferenceData } from '../detect/reference.ts';
import { mergeWindows } from './merge-window.ts';
import type { IngestJob } from './messages.ts';
import type { PartCollector } from './part-collector.ts';
import type { BatchIdentity, IngestPorts, ReferenceNumbers } from './ports.ts';
import { publishFindings } from './publish-findings.ts';
import { otherCaseSpellings, unregisteredCalls, unregisteredSummary } from './unregistered-customers.ts';
import { windowDeltas } from './windows-of-part.ts';

/** What counting one part's calls did. */
export interface PartCounted {
  unregistered: number;
  windowsMerged: number;
  windowsAlreadyApplied: number;
  mergeAttempts: number;
  findingsPublished: number;
}

/** A part whose calls another batch counted (a repeat): nothing merged, nothing published. */
export const NOTHING_COUNTED: PartCounted = {
  unregistered: 0,
  windowsMerged: 0,
  windowsAlreadyApplied: 0,
  mergeAttempts: 0,
  findingsPublished: 0,
};

export interface CountPartContext {
  ports: IngestPorts;
  job: IngestJob;
  batch: BatchIdentity;
  /** the part's exactly-once marker (applyIdOf) */
  applyId: string;
  /** the batch as log lines name it */
  where: string;
  numbers: ReferenceNumbers;
  policy: Policy;
  parallel: number;
  retryBaseMs?: number;
}

/**
 * Counts the calls one part read: indexes their hours for tracebacks, merges every window exactly
 * once, warns of unregistered customers and of customers whose calls were mostly on-net, scores the touched customer-hours and publishes raised
 * severities.
 */
export async function countPart(collector: PartCollector, ctx: CountPartContext): Promise<PartCounted> {
  const { ports, job, batch, applyId, where } = ctx;
  const { log } = ports;
  await ports.manifest.recordHours(batch, collector.hourSpans());
  const deltas = windowDeltas(collector.aggregator);
  const { applied, alreadyApplied, attempts } = await mergeWindows(ports.aggregates, deltas, applyId, {
    parallel: ctx.parallel,
    retryBaseMs: ctx.retryBaseMs,
  });

  const touched = new Map<string, Set<number>>();
  for (const d of deltas) {
    if (d.window.trunkId !== '') continue;
    const hours = touched.get(d.customerId) ?? new Set<number>();
    hours.add(d.window.hourMs);
    touched.set(d.customerId, hours);
  }
  const customerIds = [...touched.keys()];
  const [customers, tracebacks] = await Promise.all([
    ports.reference.customers(customerIds),
    ports.reference.tracebacks(customerIds),
  ]);
  const ref: ReferenceData = { ...ctx.numbers, customers };
  const unregistered = unregisteredCalls(deltas, customers);
  if (unregistered.calls > 0) {
    // one line per batch part, as for unattributed rows; the metric's alarm pages on-call. The ids in
    // other letter case are looked up too, so `c042` is told the registry has `C042`
    const otherCase = await ports.reference.customers(otherCaseSpellings(unregistered));
    log.warn(unregisteredSummary(where, unregistered, otherCase), {
      batchId: batch.batchId,
      part: job.part,
      unregisteredCalls: unregistered.calls,
      customerIds: unregistered.customerIds.slice(0, 100),
    });
  }
  const onNet = new OnNetShares();
  // the customer window holds every call; a trunk window repeats some of them
  for (const { customerId, window: w } of deltas) if (w.trunkId === '') onNet.add(customerId, w);
  const mostlyOnNet = onNet.mostlyOnNet();
  const onNetLine = mostlyOnNetSummary(where, mostlyOnNet);
  if (onNetLine !== null) {
    // one line per batch part, as for unregistered customers
    log.warn(onNetLine, {
      batchId: batch.batchId,
      part: job.part,
      mostlyOnNet: mostlyOnNet.slice(0, 100),
    });
  }
  const published = await publishFindings(
    { byCustomer: touched, exampleCalls: (c, h) => collector.exampleCalls(c, h) },
    {
      store: ports.aggregates,
      events: ports.events,
      clock: ports.clock,
      ref,
      policy: ctx.policy,
      tracebacks,
      source: { batchKey: job.key, switchId: batch.switchId },
      claimant: `${applyId}@${randomUUID()}`,
      deferred: [],
      parallel: ctx.parallel,
    },
  );
  return {
    unregistered: unregistered.calls,
    windowsMerged: applied,
    windowsAlreadyApplied: alreadyApplied,
    mergeAttempts: attempts,
    findingsPublished: published,
  };
}
