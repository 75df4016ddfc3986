import { describe, expect, it } from 'vitest';
import type { Finding } from '../../shared/detect/finding.ts';
import { loadPolicy } from '../../shared/detect/policy.ts';
import type { FindingEvent } from '../../shared/ingest/finding-event.ts';
import { daySk } from '../../shared/ingest/keys.ts';
import { MemoryAggregateStore } from '../../shared/ingest/memory-aggregate-store.ts';
import { ManualClock, MemoryReferenceSource } from '../../shared/ingest/memory-io.ts';
import {
  CLAIM_CLOCK_MARGIN_MS,
  claimLeaseEnd,
  InvocationPastDeadlineError,
  MAX_CLAIM_LEASE_MS,
  PUBLISH_ROOM_MS,
  type PublishContext,
  publishIfRaised,
} from '../../shared/ingest/publish-findings.ts';

const DAY = Date.UTC(2026, 10, 27);
const SK = daySk(DAY);
const finding: Finding = {
  customer_id: 'C-LEASE',
  window_start: '2026-11-27T00:00:00Z',
  window_end: '2026-11-28T00:00:00Z',
  severity: 'high',
  score: 70,
  reasons: [],
  metrics: {},
};

function context(store: MemoryAggregateStore, clock: ManualClock, published: FindingEvent[]): PublishContext {
  const ref = new MemoryReferenceSource();
  return {
    store,
    events: {
      publishFinding: async (e: FindingEvent) => {
        published.push(e);
      },
    } as unknown as PublishContext['events'],
    clock,
    ref: {
      dno: ref.dno,
      inventory: ref.inventory,
      customers: ref.registry,
    } as unknown as PublishContext['ref'],
    policy: loadPolicy(),
    tracebacks: null,
    source: null,
    claimant: 'second@attempt',
    deferred: [],
    parallel: 1,
  };
}

describe('publish claims last as long as the invocation holding them', () => {
  it('ends a claim at the invocation end plus the clock margin, whatever the function timeout', () => {
    const start = Date.UTC(2026, 10, 27, 18);
    expect(claimLeaseEnd(new ManualClock(start, 8_000))).toBe(start + 8_000 + CLAIM_CLOCK_MARGIN_MS);
    // a day review runs up to 15 minutes: its claim must not lapse while it still publishes
    expect(claimLeaseEnd(new ManualClock(start, 900_000))).toBe(start + 900_000 + CLAIM_CLOCK_MARGIN_MS);
    expect(claimLeaseEnd(new ManualClock(start, -5))).toBe(start + CLAIM_CLOCK_MARGIN_MS);
    // a day review run from a shell has no deadline: its claims still end, as a stored number
    expect(claimLeaseEnd(new ManualClock(start, Number.POSITIVE_INFINITY))).toBe(
      start + MAX_CLAIM_LEASE_MS + CLAIM_CLOCK_MARGIN_MS,
    );
  });

  it("a restarted local stack gives the killed run's claims back: its redelivery publishes at once", async () => {
    const store = new MemoryAggregateStore();
    const start = Date.UTC(2026, 10, 27, 18);
    // killed mid-ingest with 5 minutes left: its claim would stand 5 minutes more
    const killed = new ManualClock(start, 300_000);
    await store.claimSeverity(finding.customer_id, SK, 3, 'killed@attempt', claimLeaseEnd(killed), start);
    expect(await store.releaseAllClaims()).toBe(1);
    const published: FindingEvent[] = [];
    const ctx = context(store, new ManualClock(start + 10_000, 300_000), published);
    expect(await publishIfRaised(finding, SK, 0, [], ctx)).toBe(true);
    expect(ctx.deferred).toEqual([]);
  });

  it('a redelivery after a killed short invocation publishes instead of deferring to a dead claim', async () => {
    const store = new MemoryAggregateStore();
    const start = Date.UTC(2026, 10, 27, 18);
    // the first delivery claimed with 8 s left and was killed before it confirmed or released
    const killed = new ManualClock(start, 8_000);
    expect(
      await store.claimSeverity(finding.customer_id, SK, 3, 'killed@attempt', claimLeaseEnd(killed), start),
    ).toBe('claimed');
    // its redelivery comes 20 s later (visibility timeout): the dead claim no longer stands
    const published: FindingEvent[] = [];
    const ctx = context(store, new ManualClock(start + 20_000, 8_000), published);
    expect(await publishIfRaised(finding, SK, 0, [], ctx)).toBe(true);
    expect(ctx.deferred).toEqual([]);
    expect(published.map((e) => e.customer_id)).toEqual([finding.customer_id]);
  });

  it('a claim of a live invocation still holds off a concurrent delivery', async () => {
    const store = new MemoryAggregateStore();
    const start = Date.UTC(2026, 10, 27, 18);
    await store.claimSeverity(
      finding.customer_id,
      SK,
      3,
      'live@attempt',
      claimLeaseEnd(new ManualClock(start, 8_000)),
      start,
    );
    const published: FindingEvent[] = [];
    const ctx = context(store, new ManualClock(start + 1_000, 8_000), published);
    expect(await publishIfRaised(finding, SK, 0, [], ctx)).toBe(false);
    expect(ctx.deferred).toEqual([`${finding.customer_id} ${finding.window_start}`]);
    expect(published).toEqual([]);
  }, 15_000);
});

describe('an invocation at its deadline', () => {
  it('publishes nothing and gives its claim back, so the redelivery publishes the finding once', async () => {
    const store = new MemoryAggregateStore();
    const start = Date.UTC(2026, 10, 27, 18);
    const published: FindingEvent[] = [];
    // a second left: killed between publish and confirm, it would leave a publication unconfirmed
    const late = context(store, new ManualClock(start, PUBLISH_ROOM_MS - 1_000), published);
    await expect(publishIfRaised(finding, SK, 0, [], late)).rejects.toThrow(InvocationPastDeadlineError);
    expect(published).toEqual([]);
    // the redelivery, 1 s later and well inside the late one's lease, is not held off by its claim
    const redelivered = {
      ...context(store, new ManualClock(start + 1_000, 8_000), published),
      claimant: 'third@attempt',
    };
    expect(await publishIfRaised(finding, SK, 0, [], redelivered)).toBe(true);
    expect(published.map((e) => e.customer_id)).toEqual([finding.customer_id]);
  });
});
