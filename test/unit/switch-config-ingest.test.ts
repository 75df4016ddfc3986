import { describe, expect, it } from 'vitest';
import { BatchReadError } from '../../shared/cdr/batch-parser.ts';
import { parseSwitchConfig } from '../../shared/config/switches.ts';
import type { MemoryAggregateStore } from '../../shared/ingest/memory-aggregate-store.ts';
import { DEFAULT_INGEST_OPTIONS, processBatch } from '../../shared/ingest/process-batch.ts';
import { ingestJob, memoryIngestPorts, TEST_BUCKET } from '../helpers/ingest-ports.ts';

/**
 * Native PBX batches in the deployed ingest: the switch's entry in reference/switches.csv decides
 * the format and the zone of its local wall-clock times.
 */
const BUCKET = TEST_BUCKET;
const ASTERISK_KEY = 'cdr/pbx-asterisk-1/2026-11-27/Master.csv';
const FREESWITCH_KEY = 'cdr/pbx-freeswitch-1/2026-11-27/Master.csv';
const CONFIG = [
  'switch_id,format,timezone',
  'pbx-asterisk-1,asterisk,America/New_York',
  'pbx-freeswitch-1,auto,America/Chicago',
].join('\n');

/** Asterisk cdr_csv rows (no header), local New York time: 10:59:30 and 11:05 EST are 15:59:30Z and 16:05Z. */
const ASTERISK_ROWS = [
  '"C100","2025550100","3125550100","from-trunk","""A"" <2025550100>","PJSIP/T1-00000001","PJSIP/out-00000002","Dial","PJSIP/3125550100@out,60","2026-11-27 10:59:30","2026-11-27 10:59:33","2026-11-27 11:00:30",60,57,"ANSWERED","DOCUMENTATION","1795791570.1",""',
  '"C100","2025550101","3125550101","from-trunk","""A"" <2025550101>","PJSIP/T1-00000003","","Dial","PJSIP/3125550101@out,60","2026-11-27 11:05:00",,"2026-11-27 11:05:04",4,0,"BUSY","DOCUMENTATION","1795791900.2",""',
  '"C100","2025550102","3125550102","from-trunk","""A"" <2025550102>","PJSIP/T2-00000004","PJSIP/out-00000005","Dial","PJSIP/3125550102@out,60","2026-11-27 11:20:00","2026-11-27 11:20:02","2026-11-27 11:21:00",60,58,"ANSWERED","DOCUMENTATION","1795792800.3",""',
];
const ASTERISK_BATCH = `${ASTERISK_ROWS.join('\n')}\n`;

/** FreeSWITCH mod_cdr_csv row, local Chicago time: 09:30 CST is 15:30Z. */
const FREESWITCH_BATCH =
  '"SALES","+13104970718","16199093794","public","2026-11-27 09:30:00","2026-11-27 09:30:05","2026-11-27 09:31:05","65","60","NORMAL_CLEARING","b912c3c6-ff6b-46f0-844b-7f150d456ad0","","C200","PCMU","PCMU"\n';

/** customer-level windows as `<customer> <hour> attempts/answered` */
function customerHours(store: MemoryAggregateStore): string[] {
  return [...store.items.values()]
    .filter((item) => item.window.trunkId === '')
    .map(
      (item) =>
        `${item.window.customerId} ${new Date(item.window.hourMs).toISOString()} ${item.window.attempts}/${item.window.answered}`,
    )
    .sort();
}

describe('ingest reads native switch batches with the switch configuration', () => {
  it('aggregates an Asterisk batch into the UTC hours of its configured zone', async () => {
    // Prepare
    const p = memoryIngestPorts();
    p.reference.switchConfig = parseSwitchConfig(CONFIG, 'switches.csv');
    p.source.put(BUCKET, ASTERISK_KEY, ASTERISK_BATCH);
    // Act
    const out = await processBatch(ingestJob(ASTERISK_KEY, ASTERISK_BATCH), p);
    // Assess
    expect(out).toMatchObject({ status: 'done', rows: 3, calls: 3, quarantined: 0 });
    expect(customerHours(p.aggregates)).toEqual([
      'C100 2026-11-27T15:00:00.000Z 1/1',
      'C100 2026-11-27T16:00:00.000Z 2/1',
    ]);
    const batchId = `${BUCKET}/${ASTERISK_KEY}#v1`;
    expect(p.manifest.batches.get(batchId)?.totals).toMatchObject({
      format: 'asterisk',
      calls: 3,
      firstMs: Date.UTC(2026, 10, 27, 15, 59, 30),
      lastMs: Date.UTC(2026, 10, 27, 16, 20),
    });
    // the traceback lookup finds the batch through these hour partitions
    expect([...(p.manifest.hours.get('2026-11-27T15')?.keys() ?? [])]).toEqual([`pbx-asterisk-1#${batchId}`]);
    expect([...(p.manifest.hours.get('2026-11-27T16')?.keys() ?? [])]).toEqual([`pbx-asterisk-1#${batchId}`]);
  });

  it('detects a FreeSWITCH batch on a switch configured as auto and uses its zone', async () => {
    const p = memoryIngestPorts();
    p.reference.switchConfig = parseSwitchConfig(CONFIG, 'switches.csv');
    p.source.put(BUCKET, FREESWITCH_KEY, FREESWITCH_BATCH);
    const out = await processBatch(ingestJob(FREESWITCH_KEY, FREESWITCH_BATCH), p);
    expect(out).toMatchObject({ status: 'done', calls: 1 });
    expect(customerHours(p.aggregates)).toEqual(['C200 2026-11-27T15:00:00.000Z 1/1']);
    expect(p.manifest.batches.get(`${BUCKET}/${FREESWITCH_KEY}#v1`)?.totals?.format).toBe('freeswitch');
  });

  it('fails loudly on a native batch from a switch without an entry, and counts nothing', async () => {
    // Prepare: configuration for other switches only
    const p = memoryIngestPorts();
    p.reference.switchConfig = parseSwitchConfig(
      'switch_id,format,timezone\npbx-other,asterisk,America/New_York\n',
      'switches.csv',
    );
    const key = 'cdr/pbx-unconfigured/2026-11-27/Master.csv';
    p.source.put(BUCKET, key, ASTERISK_BATCH);
    // Act
    const run = processBatch(ingestJob(key, ASTERISK_BATCH), p);
    // Assess: retryable failure naming the batch, the missing zone and the switch configuration
    await expect(run).rejects.toBeInstanceOf(BatchReadError);
    await expect(processBatch(ingestJob(key, ASTERISK_BATCH), p)).rejects.toThrow(
      `s3://${BUCKET}/${key}: asterisk CDRs carry local wall-clock times; give their time zone [switch 'pbx-unconfigured' has no entry in the switch configuration (format auto, no time zone); see docs/switch-config.md, traceguard switches import]`,
    );
    expect(p.aggregates.items.size).toBe(0);
    expect(p.manifest.hours.size).toBe(0);
    expect(p.manifest.batches.get(`${BUCKET}/${key}#v1`)?.status).toBe('processing');
    expect(p.events.published).toEqual([]);
  });

  it('fails without any switch configuration too (the default reference source has none)', async () => {
    const p = memoryIngestPorts();
    p.source.put(BUCKET, ASTERISK_KEY, ASTERISK_BATCH);
    await expect(processBatch(ingestJob(ASTERISK_KEY, ASTERISK_BATCH), p)).rejects.toThrow(
      /wall-clock times.*switch 'pbx-asterisk-1' has no entry/,
    );
  });

  it('a configured format is forced: a canonical batch on an Asterisk switch is not read as canonical', async () => {
    const p = memoryIngestPorts();
    p.reference.switchConfig = parseSwitchConfig(CONFIG, 'switches.csv');
    const canonical =
      'call_id,start_time,customer_id,calling_number,called_number\nx1,2026-11-27T16:00:00Z,C1,+12025550100,+13125550100\n';
    p.source.put(BUCKET, ASTERISK_KEY, canonical);
    const out = await processBatch(ingestJob(ASTERISK_KEY, canonical), p);
    // both lines are quarantined as malformed Asterisk rows (with line numbers), none is counted as a call
    expect(out).toMatchObject({ status: 'done', rows: 2, calls: 0, quarantined: 2 });
    expect(p.source.quarantine.get(`${BUCKET}/quarantine/${ASTERISK_KEY}`)).toContain('"line":1');
  });

  it('an auto switch whose batch starts with a bad row: every part reads the layout the first one told', async () => {
    // Asterisk rows of 12 customers after a row cut short, read in parts of a few windows each
    const rows = Array.from({ length: 12 }, (_, k) =>
      ASTERISK_ROWS.map((r, i) =>
        r.replace(/"(\d{10}\.\d+)"/, `"$1-${k}-${i}"`).replace('"C100"', `"C${k}"`),
      ),
    ).flat();
    const batch = `"","2027365000","3017365001","from-trunk","","SIP/acme-00000001","","Dial","SIP/out,60","2026-11-27 09:15:00"\n${rows.join('\n')}\n`;
    const key = 'cdr/pbx-freeswitch-1/2026-11-27/Master.csv';
    const config = parseSwitchConfig(CONFIG, 'switches.csv');
    const once = memoryIngestPorts();
    once.reference.switchConfig = config;
    once.source.put(BUCKET, key, batch);
    expect(await processBatch(ingestJob(key, batch), once)).toMatchObject({
      status: 'done',
      rows: 37,
      calls: 36,
      quarantined: 1,
    });
    const parted = memoryIngestPorts();
    parted.reference.switchConfig = config;
    parted.source.put(BUCKET, key, batch);
    const options = { ...DEFAULT_INGEST_OPTIONS, maxPartWindows: 6, checkEveryRows: 2 };
    const outcomes = [await processBatch(ingestJob(key, batch), parted, options)];
    while (parted.queue.sent.length >= outcomes.length)
      outcomes.push(await processBatch(parted.queue.sent[outcomes.length - 1], parted, options));
    expect(outcomes.length).toBeGreaterThan(2);
    expect(outcomes.at(-1)?.status).toBe('done');
    expect(outcomes.reduce((n, o) => n + o.calls, 0)).toBe(36);
    expect(customerHours(parted.aggregates)).toEqual(customerHours(once.aggregates));
    expect(parted.manifest.batches.get(`${BUCKET}/${key}#v1`)?.totals).toMatchObject({
      format: 'asterisk',
      rows: 37,
      quarantined: 1,
    });
  });

  it("a canonical row with a local time, from a switch with no time zone, is quarantined naming the switch's configuration", async () => {
    const p = memoryIngestPorts();
    const key = 'cdr/sbc-1/2026-11-27/calls.csv';
    const batch =
      'call_id,start_time,customer_id,calling_number,called_number\nx1,2026-11-27 10:00:00,C1,+12025550100,+13125550100\n';
    p.source.put(BUCKET, key, batch);
    expect(await processBatch(ingestJob(key, batch), p)).toMatchObject({ calls: 0, quarantined: 1 });
    const row = JSON.parse(p.source.quarantine.get(`${BUCKET}/quarantine/${key}`) ?? '');
    // ingest has no --timezone: the reason says where the zone comes from for it, and for analyze
    expect(row.reason).toBe(
      "start_time '2026-11-27 10:00:00' is not an ISO 8601 time with offset (within ±14:00) or epoch (times without an offset need the batch's time zone: the switch's timezone in the switch configuration, or --timezone for analyze and traceback lookup)",
    );
  });
});
