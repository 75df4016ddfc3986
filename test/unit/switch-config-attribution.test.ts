import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UNATTRIBUTED_CUSTOMER } from '../../shared/cdr/attribution.ts';
import { parseSwitchConfig, type SwitchConfig } from '../../shared/config/switches.ts';
import { parseTrunkMap } from '../../shared/config/trunks.ts';
import type { MemoryAggregateStore } from '../../shared/ingest/memory-aggregate-store.ts';
import { processBatch } from '../../shared/ingest/process-batch.ts';
import { containsPhoneNumber } from '../../shared/privacy/mask-numbers.ts';
import {
  InMemoryManifest,
  InMemoryTracebackStore,
  RecordingEventPublisher,
} from '../../shared/traceback/in-memory.ts';
import { handleTracebackRequest } from '../../shared/traceback/intake.ts';
import { validateTracebackRequest } from '../../shared/traceback/request.ts';
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

/** the warnings about rows without a customer (the registry is empty here: every customer is unregistered too) */
function attributionWarnings(p: ReturnType<typeof memoryIngestPorts>) {
  return p.log.lines.filter((l) => l.level === 'warn' && l.fields?.unattributed !== undefined);
}

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
    const warnings = attributionWarnings(p);
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
    // the first 4 rows as Asterisk writes them, each with its line end (a last row without one is
    // held back as possibly cut short)
    const stock = `${ASTERISK.split('\n').slice(0, 4).join('\n')}\n`;
    p.source.put(TEST_BUCKET, KEY, stock);
    const out = await processBatch(ingestJob(KEY, stock), p);
    expect(out).toMatchObject({ status: 'done', rows: 4, calls: 4, quarantined: 0, unattributed: 0 });
    expect(customersAggregated(p.aggregates)).toEqual({ 'acme-voice': 2, baydialer: 2 });
    expect(attributionWarnings(p)).toEqual([]);
  });
});

describe('traceback lookup of native rows without accountcode', () => {
  // line 5 of the fixture: 11:45:00 in New York (16:45Z), from the guest channel SIP/203.0.113.9
  const request = (id: string) =>
    validateTracebackRequest(
      {
        traceback_id: id,
        received_at: '2026-11-28T14:05:00Z',
        call_time: '2026-11-27T16:45:01Z',
        calling_number: '+17185550123',
        called_number: '+16175550188',
      },
      id,
    );
  function deps(config: SwitchConfig) {
    const manifest = new InMemoryManifest();
    manifest.add({
      batchId: `${TEST_BUCKET}/${KEY}#v1`,
      name: KEY,
      switchId: 'pbx-asterisk-1',
      firstMs: Date.UTC(2026, 10, 27, 16, 31),
      lastMs: Date.UTC(2026, 10, 27, 16, 55),
    });
    const opener = {
      async open() {
        return (async function* () {
          yield ASTERISK;
        })();
      },
    };
    const events = new RecordingEventPublisher();
    const store = new InMemoryTracebackStore();
    const now = () => Date.parse('2026-11-28T15:00:00Z');
    return { store, manifest, opener, events, switches: { switches: async () => config }, now };
  }

  it('names the customer the trunk map gives, as ingest did', async () => {
    const config = parseSwitchConfig(SWITCHES, 'switches.csv').withTrunks(
      parseTrunkMap(TRUNKS, 'trunks.csv'),
    );
    const d = deps(config);
    const result = await handleTracebackRequest(request('ITG-2026-009101'), d);
    expect(result.answer.matches[0]).toMatchObject({ customer_id: 'C301', trunk_id: '203.0.113.9', line: 5 });
    expect(d.events.events).toMatchObject([{ customer_id: 'C301', status: 'found' }]);
  });

  it('finds a call nobody could be attributed to, with its trunk, and escalates no one', async () => {
    const d = deps(parseSwitchConfig(SWITCHES, 'switches.csv'));
    const result = await handleTracebackRequest(request('ITG-2026-009102'), d);
    expect(result.answer.status).toBe('found');
    expect(result.answer.matches[0]).toMatchObject({
      customer_id: UNATTRIBUTED_CUSTOMER,
      trunk_id: '203.0.113.9',
    });
    expect(d.events.events).toEqual([]);
  });
});
