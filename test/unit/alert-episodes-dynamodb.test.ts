import { describe, expect, it } from 'vitest';
import { claimEpisode } from '../../shared/alerts/claim-episode.ts';
import { DEFAULT_EPISODE_POLICY } from '../../shared/alerts/episode.ts';
import { DynamoEpisodeStore } from '../../shared/aws/alert-episode-store.ts';
import { DynamoCaseStore } from '../../shared/aws/cases-store.ts';
import { newCase } from '../../shared/cases/model.ts';
import { useDynamoDbLocal } from '../helpers/dynamodb-local.ts';

/**
 * The alert episode store against DynamoDB Local: its conditional writes are what keep concurrent
 * deliveries to one page, and it finds the open case the case store wrote.
 */
const T0 = Date.UTC(2026, 10, 27, 16);

const db = useDynamoDbLocal('traceguard-episodes-', ['Cases']);

describe('DynamoEpisodeStore', () => {
  it('ten concurrent deliveries of same-severity events for one customer claim the episode once', async () => {
    const store = new DynamoEpisodeStore(db.doc, 'Cases');
    const decisions = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        claimEpisode(
          store,
          { customerId: 'C1', severity: 'high', key: `k${i}`, atMs: T0 },
          DEFAULT_EPISODE_POLICY,
        ),
      ),
    );
    expect(decisions.filter((d) => d.alert)).toHaveLength(1);
    const stored = await store.get('C1');
    expect(stored).toMatchObject({
      version: 1,
      episode: { severity: 'high', state: 'claimed', alertedAtMs: T0 },
    });
  });

  it('a stale version is refused; markSent only marks the claim it names', async () => {
    const store = new DynamoEpisodeStore(db.doc, 'Cases');
    const episode = {
      customerId: 'C2',
      severity: 'medium' as const,
      alertedAtMs: T0,
      lastKey: 'a',
      state: 'claimed' as const,
    };
    expect(await store.put(episode, null)).toBe(true);
    expect(await store.put({ ...episode, lastKey: 'b' }, null)).toBe(false);
    expect(await store.put({ ...episode, lastKey: 'b' }, 1)).toBe(true);
    expect(await store.put({ ...episode, lastKey: 'c' }, 1)).toBe(false);
    await store.markSent('C2', 'a'); // superseded claim: no effect
    expect((await store.get('C2'))?.episode.state).toBe('claimed');
    await store.markSent('C2', 'b');
    expect((await store.get('C2'))?.episode).toMatchObject({ lastKey: 'b', state: 'sent' });
  });

  it("reads the customer's open case from the case store's marker", async () => {
    const store = new DynamoEpisodeStore(db.doc, 'Cases');
    const cases = new DynamoCaseStore(db.doc, 'Cases');
    const at = new Date(T0).toISOString();
    await cases.open(
      newCase(
        'C3-F-0123456789abcdef',
        {
          key: 'finding:C3:x:high',
          type: 'finding',
          severity: 'high',
          receivedAt: at,
          event: { customer_id: 'C3' },
        },
        at,
      ),
    );
    expect(await store.openCaseOf('C3')).toEqual({ caseId: 'C3-F-0123456789abcdef', openedAtMs: T0 });
    expect(await store.openCaseOf('C4')).toBeNull();
  });
});
