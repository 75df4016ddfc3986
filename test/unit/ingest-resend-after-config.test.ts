import { describe, expect, it } from 'vitest';
import { parseSwitchConfig } from '../../shared/config/switches.ts';
import { parseTrunkMap } from '../../shared/config/trunks.ts';
import type { BatchObject } from '../../shared/ingest/ports.ts';
import { processBatch } from '../../shared/ingest/process-batch.ts';
import { ingestJob, memoryIngestPorts, TEST_BUCKET } from '../helpers/ingest-ports.ts';

/**
 * A file sent again after a configuration change (its switch's format or zone, the trunk map) that
 * makes rows quarantined before usable: a batch that counted no call holds nothing back, so the file
 * sent again is read under the configuration now in force and counts what it can.
 */
const SWITCHES = [
  'switch_id,format,timezone',
  'pbx-ast-1,asterisk,America/New_York',
  'pbx-fs-1,freeswitch,America/Chicago',
].join('\n');

/** 12 FreeSWITCH mod_cdr_csv calls, local Chicago time: unreadable as Asterisk rows. */
const FS_FILE = Array.from(
  { length: 12 },
  (_, i) =>
    `"SALES","+1310497${String(1000 + i)}","1619909${String(3000 + i)}","public","2026-11-27 09:${String(10 + i)}:00","2026-11-27 09:${String(10 + i)}:05","2026-11-27 09:${String(11 + i)}:05","65","60","NORMAL_CLEARING","b912c3c6-ff6b-46f0-844b-7f150d4560${String(10 + i)}","","C200","PCMU","PCMU"\n`,
).join('');

/** 4 Asterisk calls without accountcode from address:port peers: unattributed until the trunk map names them. */
const asteriskRow = (channel: string, id: string) =>
  `"","2025550143","13125550199","from-pstn","","${channel}","","Dial","x","2026-11-27 11:45:00","2026-11-27 11:45:01","2026-11-27 11:45:05",5,4,"ANSWERED","DOCUMENTATION","${id}",""\n`;
const UNMAPPED_FILE =
  asteriskRow('SIP/192.168.2.20:5061-0000001a', 'u1') +
  asteriskRow('SIP/192.168.2.21:5061-0000001b', 'u2') +
  asteriskRow('SIP/10.9.9.9:5060-0000001c', 'u3') +
  asteriskRow('SIP/10.9.9.8:5060-0000001d', 'u4');
const TRUNKS = 'switch_id,trunk,customer_id\npbx-ast-1,192.168.2.0/24,C192\n';

function ports() {
  const p = memoryIngestPorts();
  p.reference.switchConfig = parseSwitchConfig(SWITCHES, 'switches.csv');
  // the CDR bucket keeps every version of a key, as S3 with versioning on
  const versions = new Map<string, Buffer>();
  p.source.open = async (o: BatchObject) => {
    const body = versions.get(`${o.key}#${o.versionId}`);
    return body === undefined
      ? null
      : (async function* () {
          yield body;
        })();
  };
  /** uploads `body` under `key` (a new version of it) and ingests its S3 event */
  const upload = (key: string, body: string, versionId = 'v1') => {
    versions.set(`${key}#${versionId}`, Buffer.from(body));
    return processBatch(ingestJob(key, body, { versionId }), p);
  };
  return { p, upload };
}

describe('a batch that counted no call makes no other batch a repeat', () => {
  it('a FreeSWITCH file sent under an Asterisk switch by mistake, then under the right switch: its 12 calls are counted', async () => {
    const { p, upload } = ports();
    const wrong = await upload('cdr/pbx-ast-1/2026-11-27/fs-wrong.csv', FS_FILE);
    expect(wrong).toMatchObject({ status: 'done', rows: 12, calls: 0, quarantined: 12 });
    const right = await upload('cdr/pbx-fs-1/2026-11-27/Master.csv', FS_FILE);
    expect(right).toMatchObject({ status: 'done', rows: 12, calls: 12, quarantined: 0 });
    expect(right.reason).toBeUndefined();
    const attempts = [...p.aggregates.items.values()]
      .filter((i) => i.window.trunkId === '')
      .reduce((n, i) => n + i.window.attempts, 0);
    expect(attempts).toBe(12);
    // a third copy of the same bytes is a repeat of the batch that counted them, not of the one that counted none
    const copy = await upload('cdr/pbx-fs-1/2026-11-27/copy.csv', FS_FILE);
    expect(copy).toMatchObject({
      status: 'duplicate',
      calls: 0,
      reason: `repeats the bytes of ${TEST_BUCKET}/cdr/pbx-fs-1/2026-11-27/Master.csv#v1`,
    });
  });

  it('an Asterisk file whose rows were unattributed, sent under a new key after the trunk map names 2 of them: those 2 are counted', async () => {
    const { p, upload } = ports();
    expect(await upload('cdr/pbx-ast-1/2026-11-27/Master.csv', UNMAPPED_FILE)).toMatchObject({
      status: 'done',
      calls: 0,
      quarantined: 4,
      unattributed: 4,
    });
    const config = p.reference.switchConfig;
    p.reference.switchConfig = config.withTrunks(parseTrunkMap(TRUNKS, 'trunks.csv'));
    const again = await upload('cdr/pbx-ast-1/2026-11-27/Master-again.csv', UNMAPPED_FILE);
    expect(again).toMatchObject({ status: 'done', rows: 4, calls: 2, quarantined: 2 });
    expect(again.reason).toBeUndefined();
  });

  it('a file its switch could not read at all (no zone configured), sent again under a configured switch: counted', async () => {
    const { p, upload } = ports();
    await expect(upload('cdr/pbx-new/2026-11-27/Master.csv', UNMAPPED_FILE)).rejects.toThrow(
      /give their time zone/,
    );
    p.reference.switchConfig = parseSwitchConfig(SWITCHES, 'switches.csv').withTrunks(
      parseTrunkMap(TRUNKS, 'trunks.csv'),
    );
    expect(await upload('cdr/pbx-ast-1/2026-11-27/Master.csv', UNMAPPED_FILE)).toMatchObject({
      status: 'done',
      calls: 2,
      quarantined: 2,
    });
  });

  it('a refused re-upload holds no claim: the same file sent under a new key is no repeat of it', async () => {
    const { upload } = ports();
    const key = 'cdr/pbx-fs-1/2026-11-27/Master.csv';
    const rows = FS_FILE.trimEnd().split('\n');
    expect(await upload(key, `${rows.slice(0, 6).join('\n')}\n`)).toMatchObject({ calls: 6 });
    const changed = `${rows.slice(0, 5).join('\n')}\n${rows.slice(6).join('\n')}\n`;
    expect(await upload(key, changed, 'v2')).toMatchObject({ status: 'refused' });
    // counted as any file holding some of a counted batch's calls is: the 5 it shares with the counted
    // version count again (the refusal asks for the changed or missing calls alone), none is lost
    const resent = await upload('cdr/pbx-fs-1/2026-11-27/Master-fixed.csv', changed);
    expect(resent).toMatchObject({ status: 'done', calls: 11 });
    expect(resent.reason).toBeUndefined();
  });

  it('a bytes copy whose own rows are all quarantined holds no call: not a repeat, and no claim on the calls', async () => {
    const { p, upload } = ports();
    expect(await upload('cdr/pbx-fs-1/2026-11-27/Master.csv', FS_FILE)).toMatchObject({ calls: 12 });
    const wrong = await upload('cdr/pbx-ast-1/2026-11-27/fs-wrong.csv', FS_FILE);
    expect(wrong).toMatchObject({ status: 'done', rows: 12, calls: 0, quarantined: 12 });
    expect(wrong.reason).toBeUndefined();
    const manifest = await p.manifest.get(`${TEST_BUCKET}/cdr/pbx-ast-1/2026-11-27/fs-wrong.csv#v1`);
    expect(manifest?.repeatOf).toBeUndefined();
    expect(manifest?.totals).toEqual({ rows: 12, calls: 0, quarantined: 12 });
  });
});

describe('the same bytes sent again under the same key after a configuration change', () => {
  /** canonical rows whose start times carry no offset: quarantined until the switch has a zone */
  const LOCAL_TIMES = [
    'call_id,start_time,customer_id,calling_number,called_number,billable_seconds',
    'x1,2026-11-27 10:00:00,C1,+12025550100,+13125550100,30',
    'x2,2026-11-27 10:05:00,C1,+12025550101,+13125550101,0',
    'x3,2026-11-27 10:09:00,C1,+12025550102,+13125550102,12',
    '',
  ].join('\n');
  const KEY = 'cdr/pbx-canon/2026-11-27/calls.csv';
  const ZONED = `${SWITCHES}\npbx-canon,canonical,America/New_York\n`;

  /** as an unversioned bucket (the local stack's) names it: the same bytes are the same batch id */
  const unversioned = (p: ReturnType<typeof memoryIngestPorts>, key: string, body: string) => {
    p.source.put(TEST_BUCKET, key, body);
    return processBatch(ingestJob(key, body, { versionId: null }), p);
  };

  it('in an unversioned bucket (the same batch id), a batch that counted no call is read again: its calls are counted', async () => {
    const p = memoryIngestPorts();
    p.reference.switchConfig = parseSwitchConfig(SWITCHES, 'switches.csv');
    expect(await unversioned(p, KEY, LOCAL_TIMES)).toMatchObject({
      status: 'done',
      calls: 0,
      quarantined: 3,
    });
    p.reference.switchConfig = parseSwitchConfig(ZONED, 'switches.csv');
    // a late continuation of it is no reason to read it again: it would read its later rows alone
    const late = { ...ingestJob(KEY, LOCAL_TIMES, { versionId: null }), part: 1, skipRows: 2 };
    expect(await processBatch(late, p)).toMatchObject({ status: 'duplicate', calls: 0 });
    expect(p.aggregates.items.size).toBe(0);
    const again = await unversioned(p, KEY, LOCAL_TIMES);
    expect(again).toMatchObject({ status: 'done', rows: 3, calls: 3, quarantined: 0 });
    const batch = await p.manifest.get(again.batchId ?? '');
    expect(batch?.totals).toEqual({ rows: 3, calls: 3, quarantined: 0 });
    expect(p.log.lines.map((l) => l.message)).toContain(
      'batch read again: its earlier read counted no call (3 row(s) quarantined); read under the configuration in force now',
    );
    // counted once: a redelivery now is one
    expect(await unversioned(p, KEY, LOCAL_TIMES)).toMatchObject({ status: 'duplicate' });
    const attempts = [...p.aggregates.items.values()]
      .filter((i) => i.window.trunkId === '')
      .reduce((n, i) => n + i.window.attempts, 0);
    expect(attempts).toBe(3);
  });

  it('in an unversioned bucket, an Asterisk file sent again after trunks import counts the rows the map now names', async () => {
    const p = memoryIngestPorts();
    p.reference.switchConfig = parseSwitchConfig(SWITCHES, 'switches.csv');
    const key = 'cdr/pbx-ast-1/2026-11-27/Master.csv';
    expect(await unversioned(p, key, UNMAPPED_FILE)).toMatchObject({ calls: 0, quarantined: 4 });
    p.reference.switchConfig = p.reference.switchConfig.withTrunks(parseTrunkMap(TRUNKS, 'trunks.csv'));
    expect(await unversioned(p, key, UNMAPPED_FILE)).toMatchObject({
      status: 'done',
      calls: 2,
      quarantined: 2,
    });
    // the rows still unusable are what the quarantine object holds now
    const rows = p.source.quarantine.get(`${TEST_BUCKET}/quarantine/${key}`)?.trimEnd().split('\n');
    expect(rows?.map((r) => JSON.parse(r).line)).toEqual([3, 4]);
    // a batch that counted calls is never read again, whatever the configuration: a redelivery is one
    const wider = 'switch_id,trunk,customer_id\npbx-ast-1,0.0.0.0/0,C0\n';
    p.reference.switchConfig = p.reference.switchConfig.withTrunks(parseTrunkMap(wider, 'trunks.csv'));
    expect(await unversioned(p, key, UNMAPPED_FILE)).toMatchObject({ status: 'duplicate', calls: 0 });
  });

  it('in a versioned bucket (a new version id), the version after one that counted no call is counted in full', async () => {
    const { p, upload } = ports();
    expect(await upload(KEY, LOCAL_TIMES, 'v1')).toMatchObject({ calls: 0, quarantined: 3 });
    p.reference.switchConfig = parseSwitchConfig(ZONED, 'switches.csv');
    const again = await upload(KEY, LOCAL_TIMES, 'v2');
    expect(again).toMatchObject({ status: 'done', calls: 3 });
    expect(again.reason).toBeUndefined();
  });
});
