import type { AlertEpisode } from './episode.ts';
import type { AlertPublisher, EpisodeStore, OpenCases, StoredEpisode } from './ports.ts';

/** In-memory episode store with the same conditional-write contract as the DynamoDB one. */
export class MemoryEpisodeStore implements EpisodeStore {
  readonly items = new Map<string, StoredEpisode>();

  async get(customerId: string): Promise<StoredEpisode | null> {
    const item = this.items.get(customerId);
    return item ? { episode: { ...item.episode }, version: item.version } : null;
  }

  async put(episode: AlertEpisode, expectedVersion: number | null): Promise<boolean> {
    const current = this.items.get(episode.customerId);
    if ((current?.version ?? null) !== expectedVersion) return false;
    this.items.set(episode.customerId, { episode: { ...episode }, version: (expectedVersion ?? 0) + 1 });
    return true;
  }

  async markSent(customerId: string, key: string): Promise<void> {
    const current = this.items.get(customerId);
    if (current && current.episode.lastKey === key) current.episode.state = 'sent';
  }
}

export class MemoryOpenCases implements OpenCases {
  readonly open = new Map<string, { caseId: string; openedAtMs: number }>();

  async openCaseOf(customerId: string): Promise<{ caseId: string; openedAtMs: number } | null> {
    return this.open.get(customerId) ?? null;
  }
}

export class MemoryAlertPublisher implements AlertPublisher {
  readonly sent: Array<Parameters<AlertPublisher['publish']>[0]> = [];

  async publish(alert: Parameters<AlertPublisher['publish']>[0]): Promise<void> {
    this.sent.push(alert);
  }
}
