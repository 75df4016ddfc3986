import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FauxqsSqsMessage, FauxqsSqsStore } from './fauxqs-internals.ts';

/**
 * fauxqs keeps messages only in memory. On a clean stop we write every message (ready, delayed and
 * in flight, with its receive count) to one JSON file, and put them back after the queues are created
 * again from the template. A killed process loses the messages sent since the last clean stop.
 */
export function saveQueueMessages(store: FauxqsSqsStore, file: string): void {
  const snapshot: Record<string, FauxqsSqsMessage[]> = {};
  for (const [name, queue] of store.queuesByName) {
    const messages = [
      ...queue.messages,
      ...queue.delayedMessages,
      ...[...queue.inflightMessages.values()].map((entry) => entry.message),
      ...[...queue.fifoMessages.values()].flat(),
      ...[...queue.fifoDelayed.values()].flat(),
    ];
    if (messages.length > 0) snapshot[name] = messages;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(snapshot));
}

export function restoreQueueMessages(store: FauxqsSqsStore, file: string): number {
  if (!existsSync(file)) return 0;
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as Record<string, FauxqsSqsMessage[]>;
  let restored = 0;
  for (const [name, messages] of Object.entries(snapshot)) {
    const queue = store.queuesByName.get(name);
    if (!queue) continue; // the queue left the template: its messages go with it
    for (const message of messages) {
      queue.enqueue({ ...message, delayUntil: undefined });
      restored++;
    }
  }
  writeFileSync(file, '{}');
  return restored;
}
