import { NO_SWITCH_CONFIG, type SwitchConfig } from '../config/switches.ts';
import type { Customer } from '../detect/customers.ts';
import { declarationsOf } from '../detect/declarations.ts';
import { loadPolicy, type Policy } from '../detect/policy.ts';
import { NumberInventory } from '../detect/reference.ts';
import type { TracebackHistory } from '../detect/traceback-history.ts';
import type { FindingEvent } from './finding-event.ts';
import type {
  BatchObject,
  BatchSource,
  Clock,
  Continuation,
  EventPublisher,
  Log,
  ReferenceNumbers,
  ReferenceSource,
  WorkQueue,
} from './ports.ts';

/** Objects in a Map keyed `<bucket>/<key>`; reads come back in small chunks like a stream would. */
export class MemoryBatchSource implements BatchSource {
  readonly objects = new Map<string, Buffer>();
  readonly quarantine = new Map<string, string>();
  opens = 0;

  put(bucket: string, key: string, body: string | Buffer): void {
    this.objects.set(`${bucket}/${key}`, Buffer.isBuffer(body) ? body : Buffer.from(body));
  }

  async open(object: BatchObject): Promise<AsyncIterable<Uint8Array> | null> {
    const body = this.objects.get(`${object.bucket}/${object.key}`);
    if (!body) return null;
    this.opens++;
    return (async function* () {
      for (let i = 0; i < body.length; i += 4096) yield body.subarray(i, i + 4096);
    })();
  }

  async writeQuarantine(bucket: string, key: string, body: string): Promise<void> {
    this.quarantine.set(`${bucket}/${key}`, body);
  }
}

/** Keeps published findings; `failNext` makes the next publishes throw (an SNS outage). */
export class MemoryEventPublisher implements EventPublisher {
  readonly published: FindingEvent[] = [];
  failNext = 0;

  async publishFinding(event: FindingEvent): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('SNS publish failed (injected)');
    }
    this.published.push(structuredClone(event));
  }
}

export class MemoryWorkQueue implements WorkQueue {
  readonly sent: Continuation[] = [];
  /** jobs sent back to wait, with their delay */
  readonly later: Array<{ job: Continuation; delaySeconds: number }> = [];

  async sendContinuation(continuation: Continuation): Promise<void> {
    this.sent.push({ ...continuation });
  }

  async sendLater(job: Continuation, delaySeconds: number): Promise<void> {
    this.later.push({ job: { ...job }, delaySeconds });
  }
}

/** A clock whose remaining budget the test sets (or lets run down with every call). */
export class ManualClock implements Clock {
  nowMs: number;
  remaining: number;
  /** subtracted from `remaining` at every remainingMs() call: a budget that runs out as rows are read */
  drainPerCheck: number;
  /**
   * what draining leaves at least: the time a reader that cut its part for want of time still has to
   * publish (processBatch cuts with a minute left; publishIfRaised gives up under PUBLISH_ROOM_MS)
   */
  drainFloor = 5_000;

  constructor(nowMs = Date.UTC(2026, 10, 27, 18), remaining = 900_000, drainPerCheck = 0) {
    this.nowMs = nowMs;
    this.remaining = remaining;
    this.drainPerCheck = drainPerCheck;
  }

  now(): number {
    return this.nowMs;
  }

  remainingMs(): number {
    const left = this.remaining;
    if (left > this.drainFloor) this.remaining = Math.max(this.drainFloor, left - this.drainPerCheck);
    return left;
  }
}

export class MemoryReferenceSource implements ReferenceSource {
  dno = new Set<string>();
  inventory = new NumberInventory();
  registry = new Map<string, Customer>();
  policyDocument: Policy = loadPolicy();
  history: TracebackHistory | null = null;
  switchConfig: SwitchConfig = NO_SWITCH_CONFIG;

  async switches(): Promise<SwitchConfig> {
    return this.switchConfig;
  }

  async numbers(): Promise<ReferenceNumbers> {
    return { dno: this.dno, inventory: this.inventory, declarations: declarationsOf(this.registry.values()) };
  }

  async customers(customerIds: string[]): Promise<Map<string, Customer>> {
    const out = new Map<string, Customer>();
    for (const id of customerIds) {
      const c = this.registry.get(id);
      if (c) out.set(id, c);
    }
    return out;
  }

  async policy(): Promise<Policy> {
    return this.policyDocument;
  }

  async tracebacks(): Promise<TracebackHistory | null> {
    return this.history;
  }
}

/** Log lines kept for assertions (and to prove no phone number is ever logged). */
export class MemoryLog implements Log {
  readonly lines: Array<{ level: 'info' | 'warn'; message: string; fields?: Record<string, unknown> }> = [];

  info(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'info', message, fields });
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message, fields });
  }
}
