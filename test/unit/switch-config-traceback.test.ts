import { describe, expect, it } from 'vitest';
import { PEER_NAMES_ONLY } from '../../shared/cdr/attribution.ts';
import { BatchReadError } from '../../shared/cdr/batch-parser.ts';
import { ZoneClock } from '../../shared/cdr/time.ts';
import { parseSwitchConfig, type SwitchConfig } from '../../shared/config/switches.ts';
import { parseTrunkMap } from '../../shared/config/trunks.ts';
import type { BatchRef } from '../../shared/traceback/batches.ts';
import {
  InMemoryManifest,
  InMemoryTracebackStore,
  RecordingEventPublisher,
} from '../../shared/traceback/in-memory.ts';
import { handleTracebackRequest } from '../../shared/traceback/intake.ts';
import { lookupWithManifest, readSettingsFor } from '../../shared/traceback/lookup.ts';
import { validateTracebackRequest } from '../../shared/traceback/request.ts';

/**
 * The deployed traceback lookup reads each archived batch with its switch's configuration (the
 * switch is the key segment after `cdr/`), the way ingest read it.
 */
const CALL_MS = Date.UTC(2026, 10, 27, 16, 31, 7);
const KEY = 'cdr/pbx-asterisk-1/2026-11-27/Master.csv';
const CONFIG = parseSwitchConfig(
  'switch_id,format,timezone\npbx-asterisk-1,asterisk,America/New_York\n',
  'switches.csv',
);

/** 11:31:05 in New York on 2026-11-27 (EST) is 16:31:05Z; read as Los Angeles time it would be 19:31:05Z. */
const ROWS = [
  '"C100","2025550100","3125550100","from-trunk","""Bob"" <2025550100>","PJSIP/T7-0000001e","PJSIP/out-0000001f","Dial","PJSIP/3125550100@out,60","2026-11-27 11:30:00","2026-11-27 11:30:05","2026-11-27 11:31:00",60,55,"ANSWERED","DOCUMENTATION","1795796400.1",""',
  '"C042","2025550143","3125550199","from-trunk","""IRS"" <2025550143>","PJSIP/T9-0000001f","PJSIP/out-00000020","Dial","PJSIP/3125550199@out,60","2026-11-27 11:31:05","2026-11-27 11:31:08","2026-11-27 11:31:20",15,12,"ANSWERED","DOCUMENTATION","1795796465.2",""',
];

function request(id = 'ITG-2026-009001') {
  return validateTracebackRequest(
    {
      traceback_id: id,
      received_at: '2026-11-28T14:05:00Z',
      call_time: new Date(CALL_MS).toISOString(),
      calling_number: '+12025550143',
      called_number: '+13125550199',
    },
    id,
  );
}

/** One native batch in the archive, indexed the way ingest indexes it (UTC span of its calls). */
function archive() {
  const manifest = new InMemoryManifest();
  manifest.add({
    batchId: `cdr-bucket/${KEY}#v1`,
    name: KEY,
    switchId: 'pbx-asterisk-1',
    firstMs: Date.UTC(2026, 10, 27, 16, 30),
    lastMs: Date.UTC(2026, 10, 27, 16, 31, 5),
  });
  const opener = {
    async open(ref: BatchRef) {
      expect(ref.name).toBe(KEY);
      return (async function* () {
        yield `${ROWS.join('\n')}\n`;
      })();
    },
  };
  return { manifest, opener };
}

describe('traceback lookup with the switch configuration', () => {
  it("reads a native batch with its switch's configured zone", async () => {
    // Prepare
    const { manifest, opener } = archive();
    // Act
    const answer = await lookupWithManifest(request(), manifest, opener, { switches: CONFIG });
    // Assess
    expect(answer.status).toBe('found');
    expect(answer.matches).toHaveLength(1);
    expect(answer.matches[0]).toMatchObject({
      call_id: '1795796465.2',
      customer_id: 'C042',
      trunk_id: 'T9',
      switch_id: 'pbx-asterisk-1',
      start_time: '2026-11-27T16:31:05Z',
      batch: KEY,
      line: 2,
    });
  });

  it("the switch's zone wins over the function's default zone (CDR_TIMEZONE)", async () => {
    const { manifest, opener } = archive();
    const LA = new ZoneClock('America/Los_Angeles');
    const withConfig = await lookupWithManifest(request(), manifest, opener, { switches: CONFIG, zone: LA });
    const withoutConfig = await lookupWithManifest(request(), manifest, opener, { zone: LA });
    expect(withConfig.matches.map((m) => m.start_time)).toEqual(['2026-11-27T16:31:05Z']);
    // read as Los Angeles time the call would sit three hours later: not in the window
    expect(withoutConfig.status).toBe('not_found');
  });

  it('a switch without an entry keeps the lookup defaults', () => {
    const NY = new ZoneClock('America/New_York');
    expect(readSettingsFor('sbc-east-1', { switches: CONFIG, zone: NY })).toEqual({
      format: 'auto',
      zone: NY,
      attribution: PEER_NAMES_ONLY, // the (empty) trunk map of the switch configuration
    });
    expect(readSettingsFor('pbx-asterisk-1', { switches: CONFIG, zone: null })).toMatchObject({
      format: 'asterisk',
      zone: { zone: 'America/New_York' },
    });
    // the trunk map rides with the configuration: the lookup attributes rows as ingest did
    const mapped = CONFIG.withTrunks(
      parseTrunkMap('switch_id,trunk,customer_id\npbx-asterisk-1,T7,C777\n', 't'),
    );
    const read = readSettingsFor('pbx-asterisk-1', { switches: mapped });
    expect(read.attribution?.customerFor({ peer: 'T7', namesCustomer: true })).toBe('C777');
  });

  it('fails (to be retried) rather than answer not_found when the switch has no zone, saying so', async () => {
    const { manifest, opener } = archive();
    const other: SwitchConfig = parseSwitchConfig(
      'switch_id,format,timezone\nsbc-east-1,canonical,\n',
      's.csv',
    );
    const run = lookupWithManifest(request(), manifest, opener, { switches: other });
    await expect(run).rejects.toBeInstanceOf(BatchReadError);
    await expect(lookupWithManifest(request(), manifest, opener, { switches: other })).rejects.toThrow(
      `${KEY}: asterisk CDRs carry local wall-clock times; give their time zone [switch 'pbx-asterisk-1' has no entry in the switch configuration (format auto, no time zone)]`,
    );
  });

  it('the traceback function asks its switch configuration source before the lookup', async () => {
    // Prepare
    const { manifest, opener } = archive();
    let reads = 0;
    const deps = {
      store: new InMemoryTracebackStore(),
      manifest,
      opener,
      events: new RecordingEventPublisher(),
      switches: {
        async switches() {
          reads++;
          return CONFIG;
        },
      },
      now: () => Date.parse('2026-11-28T15:00:00Z'),
    };
    // Act
    const result = await handleTracebackRequest(request('ITG-2026-009002'), deps);
    // Assess
    expect(reads).toBe(1);
    expect(result.answer.status).toBe('found');
    expect(result.answer.matches[0]).toMatchObject({ customer_id: 'C042', trunk_id: 'T9' });
    expect(deps.events.events).toMatchObject([{ customer_id: 'C042', trunk_id: 'T9', status: 'found' }]);
  });
});
