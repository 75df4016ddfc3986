import { parentPort, workerData } from 'node:worker_threads';
import { BatchParser, type BatchStats } from '../shared/cdr/batch-parser.ts';
import type { QuarantinedRow } from '../shared/cdr/record.ts';
import { ZoneClock } from '../shared/cdr/time.ts';
import { Aggregator } from '../shared/detect/aggregator.ts';
import { emptyReference, NumberInventory } from '../shared/detect/reference.ts';
import type { ToWorker, WorkerInput } from './analyze-parallel.ts';

/**
 * One of the analyze worker threads: reads every chunk of the batch the main thread shares, but
 * parses and aggregates only its share of customers (BatchParser partition). Answers each chunk with
 * an ack (back-pressure), and the end with its stats, quarantined rows and windows.
 */
const input = workerData as WorkerInput;
const port = parentPort;
if (!port) throw new Error('analyze-worker.ts runs only as a worker thread');

const ref = emptyReference();
ref.dno = new Set(input.dno);
ref.inventory = new NumberInventory();
for (const [customer, number] of input.inventory) ref.inventory.add(customer, number);
const aggregator = new Aggregator(ref);
const quarantined: QuarantinedRow[] = [];
const parser = new BatchParser(
  {
    source: input.source,
    format: input.format,
    zone: input.zone ? new ZoneClock(input.zone) : null,
    partition: { count: input.count, index: input.index },
  },
  {
    call: (r) => aggregator.add(r),
    packed: (p) => aggregator.addPacked(p),
    quarantine: (q) => quarantined.push(q),
  },
);
let failed = false;

port.on('message', (msg: ToWorker) => {
  if (failed) return;
  try {
    if (msg.type === 'chunk') {
      parser.push(Buffer.from(msg.bytes.buffer, msg.bytes.byteOffset, msg.bytes.byteLength));
      port.postMessage({ type: 'ack' });
      return;
    }
    const stats: BatchStats = parser.end();
    const { state, buffers } = aggregator.exportWindows();
    port.postMessage({ type: 'done', stats, quarantined, windows: state }, buffers);
  } catch (e) {
    failed = true;
    port.postMessage({ type: 'failed', message: (e as Error).message });
  }
});
