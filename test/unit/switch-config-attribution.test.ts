import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSwitchConfig } from '../../shared/config/switches.ts';
import { parseTrunkMap } from '../../shared/config/trunks.ts';
import type { MemoryAggregateStore } from '../../shared/ingest/memory-aggregate-store.ts';
import { processBatch } from '../../shared/ingest/process-batch.ts';
import { containsPhoneNumber } from '../../shared/privacy/mask-numbers.ts';
import { ingestJob, memoryIngestPorts, TEST_BUCKET } from '../helpers/ingest-ports.ts';

/**
 * The deployed ingest attributes native rows without accountcode through the trunk map it reads
 * with the switch configuration, and says once per batch what it could not attribute.
 */
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'native');
const ASTERISK = readFileSync(join(FIXTURES, 'asterisk-no-accountcode.csv'), 'utf8');
const TRUNKS = readFileSync(join(FIXTURES, 'trunks.csv'), 'utf8');
const SWITCHES = 'switch_id,format,timezone\npbx-asterisk-1,asterisk,America/New_York\n';
const KEY = 'cdr/pbx-asterisk-1/2026-11-27/Master.csv';

function customersAggregated(store: MemoryAggregateStore): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of store.items.values())
    if (item.window.trunkId === '')
      out[item.window.customerId] = (out[item.window.customerId] ?? 0) + item.window.attempts;
  return out;
}

describe('ingest attributes native rows through the trunk map in the switch configuration', () => {
  it('aggregates mapped rows under their customers; quarantines the rest with one summary line', async () => {
    // Prepare
    const p = memoryIngestPorts();
    p.reference.switchConfig = parseSwitchConfig(SWITCHES, 'switches.csv').withTrunks(
      parseTrunkMap(TRUNKS, 'trunks.csv'),
    );
    p.source.put(TEST_BUCKET, KEY, ASTERISK);
    // Act
    const out = await processBatch(ingestJob(KEY, ASTERISK), p);
    // Assess
    expect(out).toMatchObject({ status: 'done', rows: 8, calls: 6, quarantined: 2, unattributed: 2 });
    expect(customersAggregated(p.aggregates)).toEqual({ C100: 2, C200: 2, C301: 1, CUST7: 1 });
    const quarantine = p.source.quarantine.get(`${TEST_BUCKET}/quarantine/${KEY}`) ?? '';
    expect(
      quarantine
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).line),
    ).toEqual([6, 8]);
    const warnings = p.log.lines.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toBe(
      `25% of the calls in s3://${TEST_BUCKET}/${KEY} (switch pbx-asterisk-1) (2 of 8 rows) could not be attributed to a customer: ` +
        'accountcode is empty and the trunk map does not cover peer 100@from-internal (1), 198.51.100.77 (1); ' +
        'map its trunks (traceguard trunks import) or set accountcode on the switch',
    );
    expect(warnings[0].fields).toMatchObject({ unattributed: 2, rows: 8 });
    expect(containsPhoneNumber(JSON.stringify(p.log.lines))).toBe(false);
  });

  it('a stock batch on a switch without a trunk map is attributed by channel peer, nothing quarantined for it', async () => {
    const p = memoryIngestPorts();
    p.reference.switchConfig = parseSwitchConfig(SWITCHES, 'switches.csv');
    const stock = ASTERISK.split('\n').slice(0, 4).join('\n');
    p.source.put(TEST_BUCKET, KEY, stock);
    const out = await processBatch(ingestJob(KEY, stock), p);
    expect(out).toMatchObject({ status: 'done', rows: 4, calls: 4, quarantined: 0, unattributed: 0 });
    expect(customersAggregated(p.aggregates)).toEqual({ 'acme-voice': 2, baydialer: 2 });
    expect(p.log.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });
});
