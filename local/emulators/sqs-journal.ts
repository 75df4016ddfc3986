import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FauxqsSqsMessage, FauxqsSqsQueue, FauxqsSqsStore } from './fauxqs-internals.ts';

/**
 * fauxqs keeps messages only in memory. This journal makes its queues durable, write-through like the
 * S3 store: every change (a message enqueued, received, deleted, moved to a dead-letter queue, a queue
 * purged) is appended to one file before the SQS call answers, so a killed process (SIGKILL, a closed
 * laptop) loses no accepted message. On start the journal is replayed into the queues created again
 * from the template, then rewritten compactly. Messages in flight when the process ended come back
 * visible at once (their consumer died with the process).
 */
type Entry =
  | { op: 'put'; q: string; m: FauxqsSqsMessage }
  | { op: 'recv'; id: string; n: number }
  | { op: 'del'; id: string }
  | { op: 'purge'; q: string };

/** rewrite the journal once it holds this many more entries than live messages */
const COMPACT_AFTER_ENTRIES = 50_000;

export class SqsJournal {
  private fd: number | undefined;
  private entries = 0;
  private replaying = false;
  private readonly store: FauxqsSqsStore;
  private readonly file: string;

  constructor(store: FauxqsSqsStore, file: string) {
    this.store = store;
    this.file = file;
    mkdirSync(dirname(file), { recursive: true });
  }

  /** Wraps a queue's mutating methods so that each change is journaled before the call returns. */
  watch(queue: FauxqsSqsQueue): void {
    const enqueue = queue.enqueue.bind(queue);
    const dequeue = queue.dequeue.bind(queue);
    const deleteMessage = queue.deleteMessage.bind(queue);
    const purge = queue.purge.bind(queue);
    queue.enqueue = (message) => {
      enqueue(message);
      this.append({ op: 'put', q: queue.name, m: message });
    };
    queue.dequeue = (...args) => {
      const received = dequeue(...args);
      for (const { MessageId } of received) {
        const message = [...queue.inflightMessages.values()].find((e) => e.message.messageId === MessageId);
        if (message) this.append({ op: 'recv', id: MessageId, n: message.message.approximateReceiveCount });
      }
      return received;
    };
    queue.deleteMessage = (receiptHandle) => {
      const message = queue.inflightMessages.get(receiptHandle)?.message;
      const deleted = deleteMessage(receiptHandle);
      if (deleted && message) this.append({ op: 'del', id: message.messageId });
      return deleted;
    };
    queue.purge = () => {
      purge();
      this.append({ op: 'purge', q: queue.name });
    };
  }

  private append(entry: Entry): void {
    if (this.replaying) return;
    this.fd ??= openSync(this.file, 'a');
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    if (++this.entries > COMPACT_AFTER_ENTRIES) this.compact();
  }

  /** Puts back every message the journal holds; call once the queues exist again. */
  replay(): number {
    const live = new Map<string, { q: string; m: FauxqsSqsMessage }>();
    if (existsSync(this.file)) {
      for (const line of readFileSync(this.file, 'utf8').split('\n')) {
        const entry = parseLine(line);
        if (!entry) continue;
        if (entry.op === 'put') live.set(entry.m.messageId, { q: entry.q, m: entry.m });
        else if (entry.op === 'del') live.delete(entry.id);
        else if (entry.op === 'recv') {
          const found = live.get(entry.id);
          if (found) found.m.approximateReceiveCount = entry.n;
        } else for (const [id, found] of live) if (found.q === entry.q) live.delete(id);
      }
    }
    let restored = 0;
    this.replaying = true;
    try {
      for (const { q, m } of live.values()) {
        const queue = this.store.queuesByName.get(q);
        if (!queue) continue; // the queue left the template: its messages go with it
        queue.enqueue({ ...m, delayUntil: undefined });
        restored++;
      }
    } finally {
      this.replaying = false;
    }
    this.compact();
    return restored;
  }

  /** Rewrites the journal as one `put` per live message (atomically: temporary file, then rename). */
  compact(): void {
    this.close();
    const lines: string[] = [];
    for (const queue of this.store.queuesByName.values()) {
      for (const m of liveMessages(queue)) lines.push(JSON.stringify({ op: 'put', q: queue.name, m }));
    }
    const temporary = `${this.file}.tmp`;
    const fd = openSync(temporary, 'w');
    writeSync(fd, lines.length ? `${lines.join('\n')}\n` : '');
    closeSync(fd);
    renameSync(temporary, this.file);
    this.entries = lines.length;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function liveMessages(queue: FauxqsSqsQueue): FauxqsSqsMessage[] {
  return [
    ...queue.messages,
    ...queue.delayedMessages,
    ...[...queue.inflightMessages.values()].map((entry) => entry.message),
    ...[...queue.fifoMessages.values()].flat(),
    ...[...queue.fifoDelayed.values()].flat(),
  ];
}

/** A line cut short by a kill in the middle of a write is skipped. */
function parseLine(line: string): Entry | undefined {
  if (line.trim() === '') return undefined;
  try {
    return JSON.parse(line) as Entry;
  } catch {
    return undefined;
  }
}
