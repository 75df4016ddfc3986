import { describe, expect, it } from 'vitest';
import { PEER_NAMES_ONLY } from '../../shared/cdr/attribution.ts';
import { NO_SWITCH_CONFIG, parseSwitchConfig, SwitchConfigError } from '../../shared/config/switches.ts';

const HEADER = 'switch_id,format,timezone';
const parse = (...rows: string[]) => parseSwitchConfig([HEADER, ...rows].join('\n'), 'switches.csv');
/** the message a bad document fails with (the test fails if it does not fail) */
function problem(...rows: string[]): string {
  try {
    parse(...rows);
  } catch (e) {
    expect(e).toBeInstanceOf(SwitchConfigError);
    return (e as Error).message;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('switch configuration: parsing', () => {
  it('reads format and zone per switch; an empty timezone means no zone', () => {
    // Prepare + Act
    const config = parse(
      'pbx-asterisk-1,asterisk,America/New_York',
      'pbx-freeswitch-1,FreeSWITCH, America/Chicago ',
      'sbc-east-1,canonical,',
    );
    // Assess
    expect(config.entries()).toEqual([
      { switchId: 'pbx-asterisk-1', format: 'asterisk', timezone: 'America/New_York', line: 2 },
      { switchId: 'pbx-freeswitch-1', format: 'freeswitch', timezone: 'America/Chicago', line: 3 },
      { switchId: 'sbc-east-1', format: 'canonical', timezone: null, line: 4 },
    ]);
    const asterisk = config.settingsFor('pbx-asterisk-1');
    expect(asterisk).toMatchObject({ format: 'asterisk', configured: true });
    expect(asterisk.zone?.zone).toBe('America/New_York');
    expect(config.settingsFor('sbc-east-1')).toEqual({
      format: 'canonical',
      zone: null,
      attribution: PEER_NAMES_ONLY, // no trunk map: peer names only
      configured: true,
    });
  });

  it("keeps today's defaults for switches without an entry: detected format, no zone", () => {
    const config = parse('pbx-asterisk-1,asterisk,America/New_York');
    expect(config.settingsFor('sbc-west-1')).toEqual({
      format: 'auto',
      zone: null,
      attribution: PEER_NAMES_ONLY,
      configured: false,
    });
    expect(NO_SWITCH_CONFIG.settingsFor('pbx-asterisk-1')).toEqual({
      format: 'auto',
      zone: null,
      attribution: PEER_NAMES_ONLY,
      configured: false,
    });
    expect(config.describe('sbc-west-1')).toContain("switch 'sbc-west-1' has no entry");
    expect(config.describe('pbx-asterisk-1')).toBe(
      "switch 'pbx-asterisk-1' is configured as format asterisk, time zone America/New_York",
    );
  });

  it('matches the header by name in any order and case, ignores other columns, quoted cells and a BOM', () => {
    const config = parseSwitchConfig(
      '\uFEFFTimezone,Notes,Switch_ID,FORMAT\r\n"America/New_York","Asterisk 20, PBX room 2","pbx-1","asterisk"\r\n',
      'switches.csv',
    );
    expect(config.entries()).toEqual([
      { switchId: 'pbx-1', format: 'asterisk', timezone: 'America/New_York', line: 2 },
    ]);
  });

  it('accepts a header without rows (no switch configured)', () => {
    expect(parse().size).toBe(0);
  });

  it('converts local wall-clock times with the configured zone (EST and EDT)', () => {
    const zone = parse('pbx-1,asterisk,America/New_York').settingsFor('pbx-1').zone;
    expect(zone?.localToUtc(Date.UTC(2026, 10, 27, 15, 12, 12))).toBe(Date.UTC(2026, 10, 27, 20, 12, 12));
    expect(zone?.localToUtc(Date.UTC(2026, 6, 1, 9, 0, 0))).toBe(Date.UTC(2026, 6, 1, 13, 0, 0));
  });
});

describe('switch configuration: validation names the line, the switch and the field', () => {
  it('a native format without a zone', () => {
    expect(problem('sbc-east-1,canonical,', 'pbx-1,asterisk,')).toBe(
      "switches.csv: line 3: switch 'pbx-1': timezone is required: asterisk CDRs carry local wall-clock times without an offset",
    );
    expect(problem('pbx-2,freeswitch,  ')).toContain("line 2: switch 'pbx-2': timezone is required");
  });

  it('an unknown format', () => {
    expect(problem('pbx-1,asterix,America/New_York')).toBe(
      "switches.csv: line 2: switch 'pbx-1': format must be one of auto, canonical, jsonl, asterisk, freeswitch",
    );
    expect(problem('pbx-1,,')).toContain("switch 'pbx-1': format must be one of");
  });

  it('an unknown time zone', () => {
    expect(problem('pbx-1,auto,America/Springfield')).toBe(
      "switches.csv: line 2: switch 'pbx-1': timezone 'America/Springfield' is not a known time zone (use an IANA name such as America/New_York), or leave it empty",
    );
  });

  it('a zone that keeps one offset all year, which would put every summer call an hour off', () => {
    for (const zone of ['EST', '-05:00', 'MST'])
      expect(problem(`pbx-1,asterisk,${zone}`)).toBe(
        `switches.csv: line 2: switch 'pbx-1': timezone '${zone}' keeps one offset all year (no daylight-saving time), so a switch in a region that changes its clocks would have every summer call an hour off: give the region's IANA name, such as America/New_York or America/Phoenix (or Etc/GMT+5 for a clock that really keeps one offset all year), or leave it empty`,
      );
    // a place, UTC, an explicit fixed Etc zone and legacy names that follow the clock changes are taken
    for (const zone of ['America/New_York', 'America/Phoenix', 'UTC', 'Etc/GMT+5', 'EST5EDT', 'US/Eastern'])
      expect(() => parse(`pbx-1,asterisk,${zone}`)).not.toThrow();
  });

  it('a switch id that is empty or not one key segment', () => {
    expect(problem(',auto,')).toBe("switches.csv: line 2: switch '': switch_id is empty");
    expect(problem('east/1,auto,')).toContain("switch 'east/1': switch_id must be one key segment");
    expect(problem('east 1,auto,')).toContain("switch 'east 1': switch_id must be one key segment");
  });

  it('a switch listed twice', () => {
    expect(problem('pbx-1,auto,', 'sbc-1,auto,', 'pbx-1,asterisk,UTC')).toBe(
      "switches.csv: line 4: switch 'pbx-1': switch_id is listed twice (first on line 2)",
    );
  });

  it('a header without the required columns, and an empty file', () => {
    expect(() => parseSwitchConfig('switch,format\npbx-1,auto\n', 'sw.csv')).toThrow(
      'sw.csv: line 1: header lacks switch_id, timezone (expected switch_id,format,timezone)',
    );
    expect(() => parseSwitchConfig('', 'sw.csv')).toThrow('sw.csv: empty file');
  });

  it('broken CSV quoting', () => {
    expect(problem('"pbx-1,auto,')).toMatch(/^switches\.csv: line 2: /);
  });
});
