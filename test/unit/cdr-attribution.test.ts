import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  CustomerAttribution,
  peerAddress,
  UnattributedRow,
  unattributedPeer,
} from '../../shared/cdr/attribution.ts';
import type { InputFormat } from '../../shared/cdr/batch-parser.ts';
import { asteriskOrigin, trunkFromChannel } from '../../shared/cdr/formats/asterisk.ts';
import { readBatch } from '../../shared/cdr/read-batch.ts';
import type { CallRecord, QuarantinedRow } from '../../shared/cdr/record.ts';
import { ZoneClock } from '../../shared/cdr/time.ts';
import { parseTrunkMap } from '../../shared/config/trunks.ts';
import { UnattributedTally } from '../../shared/ingest/unattributed-summary.ts';

/**
 * Native PBX rows with an empty accountcode (Asterisk's and FreeSWITCH's default) are attributed
 * from the switch's trunk map, then from the channel's peer name; the rest are quarantined with a
 * reason naming the peer and summed per batch into one line.
 */
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'native');
const ASTERISK = readFileSync(join(FIXTURES, 'asterisk-no-accountcode.csv'), 'utf8');
const FREESWITCH = readFileSync(join(FIXTURES, 'freeswitch-no-accountcode.csv'), 'utf8');
const TRUNKS = parseTrunkMap(readFileSync(join(FIXTURES, 'trunks.csv'), 'utf8'), 'trunks.csv');
const NY = new ZoneClock('America/New_York');

async function read(text: string, format: InputFormat, attribution?: CustomerAttribution) {
  const calls: CallRecord[] = [];
  const quarantined: QuarantinedRow[] = [];
  const tally = new UnattributedTally();
  const stats = await readBatch(
    (async function* () {
      yield Buffer.from(text, 'utf8');
    })(),
    { source: 'Master.csv', format, zone: NY, attribution },
    {
      call: (r) => calls.push({ ...r }),
      quarantine: (q) => {
        quarantined.push(q);
        tally.quarantined(q);
      },
    },
  );
  return { stats, calls, quarantined, tally, customers: calls.map((c) => [c.callId, c.customerId]) };
}

describe('Asterisk cdr_csv with an empty accountcode', () => {
  it('without a trunk map: SIP/ and PJSIP/ peers name the customer, addresses and Local/ channels do not', async () => {
    const { stats, customers, quarantined, tally } = await read(ASTERISK, 'auto');
    expect(stats).toMatchObject({ format: 'asterisk', rows: 8, calls: 5, quarantined: 3 });
    expect(customers).toEqual([
      ['1764261067.12', 'acme-voice'],
      ['1764261180.13', 'acme-voice'],
      ['1764261600.14', 'baydialer'],
      ['1764261609.15', 'baydialer'],
      ['1764262200.18', 'CUST7'], // accountcode set: it wins
    ]);
    expect(quarantined.map((q) => [q.line, unattributedPeer(q.reason)])).toEqual([
      [5, '203.0.113.9'],
      [6, '198.51.100.77'],
      [8, '100@from-internal'],
    ]);
    expect(quarantined[0].reason).toBe(
      'customer unattributed (peer "203.0.113.9"): accountcode is empty and no trunk map entry covers this address',
    );
    expect(tally.unattributed).toBe(3);
  });

  it("with the switch's trunk map: names, exact addresses and CIDR blocks, the longest prefix winning", async () => {
    const { stats, customers, quarantined } = await read(
      ASTERISK,
      'asterisk',
      TRUNKS.forSwitch('pbx-asterisk-1'),
    );
    expect(stats).toMatchObject({ rows: 8, calls: 6, quarantined: 2 });
    expect(customers).toEqual([
      ['1764261067.12', 'C100'], // peer acme-voice is mapped
      ['1764261180.13', 'C100'],
      ['1764261600.14', 'C200'], // `*` entry: baydialer on every switch
      ['1764261609.15', 'C200'],
      ['1764261900.16', 'C301'], // 203.0.113.9 (a /32) beats 203.0.113.0/24
      ['1764262200.18', 'CUST7'],
    ]);
    // 198.51.100.77 is outside every block: still quarantined; the Local/ channel too
    expect(quarantined.map((q) => unattributedPeer(q.reason))).toEqual([
      '198.51.100.77',
      '100@from-internal',
    ]);
  });

  it('a map for another switch does not apply, except its `*` entries', async () => {
    const { customers } = await read(ASTERISK, 'asterisk', TRUNKS.forSwitch('pbx-other'));
    expect(customers.slice(0, 4).map(([, c]) => c)).toEqual(['acme-voice', 'acme-voice', 'C200', 'C200']);
  });
});

describe('Asterisk channel names as each driver writes them', () => {
  it.each([
    ['SIP/carrier-a-0000002a', 'carrier-a', true],
    ['PJSIP/carrier-a-00000015', 'carrier-a', true],
    // chan_iax2 ends the name with its decimal call number, not 8 hex digits
    ['IAX2/261iax-13', '261iax', true],
    ['IAX2/trunk-2-7', 'trunk-2', true],
    ['IAX2/261iax-0000abcd', '261iax', true],
    // an address peer, with the signalling port and IPv6 brackets: the bare address, never a customer
    ['IAX2/192.168.2.14:4569-753', '192.168.2.14', false],
    ['SIP/203.0.113.9:5061-0000001a', '203.0.113.9', false],
    ['SIP/203.0.113.9-0000001a', '203.0.113.9', false],
    ['PJSIP/[2001:db8::7]:5060-0000001b', '2001:db8::7', false],
    ['PJSIP/[2001:db8::7]-0000001b', '2001:db8::7', false],
    ['Local/100@from-internal-00000032;2', '100@from-internal', false],
    // chan_pjsip's endpoint for every caller no endpoint identifies: nobody's provisioned peer
    ['PJSIP/anonymous-00000001', 'anonymous', false],
    ['SIP/Anonymous-0000001c', 'Anonymous', false],
  ])('%s: peer %s, names a customer: %s', (channel, peer, namesCustomer) => {
    expect(trunkFromChannel(channel)).toBe(peer);
    expect(asteriskOrigin(channel)).toEqual({ peer, namesCustomer });
  });

  const row = (channel: string, id: string) =>
    `"","2025550143","13125550199","from-pstn","","${channel}","","Dial","x","2026-11-27 11:45:00","2026-11-27 11:45:01","2026-11-27 11:45:05",5,4,"ANSWERED","DOCUMENTATION","${id}",""\n`;
  const IAX2_DAY =
    row('IAX2/261iax-13', 'i1') +
    row('IAX2/261iax-14', 'i2') +
    row('IAX2/192.168.2.14:4569-753', 'i3') +
    row('SIP/192.168.2.20:5061-0000001a', 'i4') +
    row('PJSIP/[2001:db8::7]:5060-0000001b', 'i5');

  it('IAX2 peers and address:port peers are matched by the trunk map by name and by CIDR block', async () => {
    const map = parseTrunkMap(
      'switch_id,trunk,customer_id\npbx-a,261iax,C261\npbx-a,192.168.2.0/24,C192\npbx-a,2001:db8::/32,C6\n',
      't',
    );
    const { customers, quarantined, calls } = await read(IAX2_DAY, 'asterisk', map.forSwitch('pbx-a'));
    expect(quarantined).toEqual([]);
    expect(customers).toEqual([
      ['i1', 'C261'],
      ['i2', 'C261'],
      ['i3', 'C192'],
      ['i4', 'C192'],
      ['i5', 'C6'],
    ]);
    expect(calls.map((c) => c.trunkId)).toEqual([
      '261iax',
      '261iax',
      '192.168.2.14',
      '192.168.2.20',
      '2001:db8::7',
    ]);
  });

  it('without a map, an IAX2 peer name is its customer and an address:port peer is unattributed', async () => {
    const { customers, quarantined } = await read(IAX2_DAY, 'asterisk');
    expect(customers).toEqual([
      ['i1', '261iax'],
      ['i2', '261iax'],
    ]);
    expect(quarantined.map((q) => [q.line, unattributedPeer(q.reason)])).toEqual([
      [3, '192.168.2.14'],
      [4, '192.168.2.20'],
      [5, '2001:db8::7'],
    ]);
    expect(quarantined[0].reason).toMatch(/no trunk map entry covers this address$/);
  });

  it("PJSIP's anonymous endpoint is unattributed and named in the batch's line, unless the map lists it", async () => {
    const day =
      row('PJSIP/anonymous-00000001', 'a1') +
      row('PJSIP/anonymous-00000002', 'a2') +
      row('PJSIP/acme-00000003', 'a3');
    const { customers, quarantined, tally } = await read(day, 'asterisk');
    expect(customers).toEqual([['a3', 'acme']]);
    expect(quarantined.map((q) => [q.line, unattributedPeer(q.reason)])).toEqual([
      [1, 'anonymous'],
      [2, 'anonymous'],
    ]);
    expect(quarantined[0].reason).toBe(
      'customer unattributed (peer "anonymous"): accountcode is empty and the trunk map does not list it, and a local channel, stock context or anonymous endpoint names no customer',
    );
    expect(tally.summary('Master.csv', 3)).toContain('does not cover peer anonymous (2)');
    const map = new CustomerAttribution([{ trunk: 'anonymous', customerId: 'C-GUESTS' }]);
    expect((await read(day, 'asterisk', map)).customers.map(([, c]) => c)).toEqual([
      'C-GUESTS',
      'C-GUESTS',
      'acme',
    ]);
  });

  it('an address peer never names a customer by itself, even when its port is still attached', () => {
    for (const peer of ['203.0.113.9:5061', '[2001:db8::7]:5060', '[2001:db8::7]', '2001:db8::7']) {
      expect(() => new CustomerAttribution().customerFor({ peer, namesCustomer: true })).toThrow(
        UnattributedRow,
      );
    }
    const map = new CustomerAttribution([{ trunk: '203.0.113.0/24', customerId: 'C300' }]);
    expect(map.customerFor({ peer: '203.0.113.9:5061', namesCustomer: true })).toBe('C300');
    expect(peerAddress('[2001:db8::7]:5060')).toBe('2001:db8::7');
    expect(peerAddress('2001:db8::7:5060')).toBe('2001:db8::7:5060'); // bare IPv6: its last group is no port
    expect(peerAddress('carrier-a:5060')).toBeNull();
    expect(peerAddress('203.0.113.9:')).toBeNull();
  });

  it('a map entry written with a port, and a host name peer with one, name the peer without it', () => {
    expect(trunkFromChannel('SIP/sip.carrier.example:5060-0000001a')).toBe('sip.carrier.example');
    const map = new CustomerAttribution([
      { trunk: '203.0.113.9:5061', customerId: 'C9' },
      { trunk: 'sip.carrier.example:5060', customerId: 'C8' },
      { trunk: '[2001:db8::7]:5060', customerId: 'C7' },
    ]);
    for (const [channel, customer] of [
      ['SIP/203.0.113.9:5061-0000001f', 'C9'],
      ['SIP/203.0.113.9:5080-0000002f', 'C9'],
      ['SIP/sip.carrier.example:5060-0000001a', 'C8'],
      ['PJSIP/[2001:db8::7]:5060-00000015', 'C7'],
    ])
      expect(map.customerFor(asteriskOrigin(channel)), channel).toBe(customer);
  });
});

describe('FreeSWITCH mod_cdr_csv with an empty accountcode', () => {
  it('a per-tenant context names the customer; the stock contexts do not', async () => {
    const { stats, customers, quarantined } = await read(FREESWITCH, 'auto');
    expect(stats).toMatchObject({ format: 'freeswitch', rows: 5, calls: 3, quarantined: 2 });
    expect(customers.map(([, c]) => c)).toEqual(['tenant-acme', 'tenant-acme', 'ACCT9']);
    expect(quarantined.map((q) => [q.line, unattributedPeer(q.reason)])).toEqual([
      [3, 'public'],
      [4, 'default'],
    ]);
  });

  it("the switch's trunk map can name the customer behind a stock context", async () => {
    const { customers, quarantined } = await read(
      FREESWITCH,
      'freeswitch',
      TRUNKS.forSwitch('pbx-freeswitch-1'),
    );
    expect(customers.map(([, c]) => c)).toEqual(['tenant-acme', 'tenant-acme', 'C400', 'ACCT9']);
    expect(quarantined.map((q) => unattributedPeer(q.reason))).toEqual(['default']);
  });
});

describe('one line per batch for the rows without a customer', () => {
  it('says the share, the peers most rows came from, and the fix', () => {
    const tally = new UnattributedTally();
    const reason = (peer: string) =>
      `customer unattributed (peer ${JSON.stringify(peer)}): accountcode is empty and no trunk map entry covers this address`;
    for (let i = 0; i < 900; i++) tally.quarantined({ line: i + 1, reason: reason('203.0.113.9'), raw: '' });
    for (let i = 0; i < 60; i++) tally.quarantined({ line: i + 1, reason: reason('203.0.113.10'), raw: '' });
    for (let i = 0; i < 10; i++)
      tally.quarantined({ line: i + 1, reason: reason(`198.51.100.${i}`), raw: '' });
    tally.quarantined({ line: 1, reason: 'start_time is empty', raw: '' }); // not about attribution
    // a peer named by a DID: the line must not hold it in clear
    tally.quarantined({ line: 2, reason: reason('2025550143'), raw: '' });
    tally.quarantined({ line: 3, reason: reason('2025550143'), raw: '' });
    expect(tally.unattributed).toBe(972);
    expect(tally.summary('s3://b/cdr/sbc-x/1.csv (switch sbc-x)', 1000)).toBe(
      '97.2% of the calls in s3://b/cdr/sbc-x/1.csv (switch sbc-x) (972 of 1000 rows) could not be attributed to a customer: ' +
        'accountcode is empty and the trunk map does not cover peer 203.0.113.9 (900), 203.0.113.10 (60), ***0143 (2), others (10); ' +
        'map its trunks (traceguard trunks import) or set accountcode on the switch',
    );
    expect(new UnattributedTally().summary('x', 10)).toBeNull();
  });

  it('rounds the share to a tenth of a point, never to 0% or 100% when it is neither', () => {
    const share = (unattributed: number, rows: number) => {
      const tally = new UnattributedTally();
      for (let i = 0; i < unattributed; i++)
        tally.quarantined({ line: i + 1, reason: 'customer unattributed (peer "public"): x', raw: '' });
      return tally.summary('fs.csv', rows)?.split(' of the calls')[0];
    };
    expect(share(1, 6)).toBe('16.7%'); // was 16%, rounded down
    expect(share(2, 3)).toBe('66.7%');
    expect(share(1, 5000)).toBe('<0.1%');
    expect(share(9999, 10000)).toBe('>99.9%');
    expect(share(6, 6)).toBe('100%');
  });

  it('counts distinct peers up to a bound, so a hostile batch cannot grow it', () => {
    const tally = new UnattributedTally();
    for (let i = 0; i < 5000; i++)
      tally.quarantined({ line: i, reason: `customer unattributed (peer "p${i}"): x`, raw: '' });
    expect(tally.unattributed).toBe(5000);
    expect(tally.summary('b', 5000)).toMatch(/^100% .* others \(4997\);/);
  });
});

describe('trunk map file', () => {
  it.each([
    ['switch_id,trunk\n', /trunks.csv: line 1: header lacks customer_id/],
    [
      'switch_id,trunk,customer_id\npbx-1,10.0.0.0/33,C1\n',
      /line 2: switch 'pbx-1' trunk '10.0.0.0\/33': trunk '10.0.0.0\/33' is not a CIDR block/,
    ],
    ['switch_id,trunk,customer_id\npbx-1,peer/x,C1\n', /not a CIDR block/],
    ['switch_id,trunk,customer_id\npbx-1,acme,\n', /line 2: .*customer_id is empty/],
    [
      'switch_id,trunk,customer_id\npbx-1,Acme,C1\npbx-1,acme,C2\n',
      /line 3: .*mapped twice for the switch \(first on line 2\)/,
    ],
    // one peer spelt with and without its port, brackets or prefix: channels name it one way only
    [
      'switch_id,trunk,customer_id\npbx-east,203.0.113.9:5061,C1\npbx-east,203.0.113.9,C2\n',
      /line 3: switch 'pbx-east' trunk '203.0.113.9': this trunk is mapped twice for the switch \(first on line 2 as '203.0.113.9:5061'\)$/,
    ],
    [
      'switch_id,trunk,customer_id\npbx-1,203.0.113.9,C1\npbx-1,203.0.113.9:5080,C2\n',
      /line 3: .*mapped twice/,
    ],
    [
      'switch_id,trunk,customer_id\npbx-1,203.0.113.9,C1\npbx-1,203.0.113.9/32,C2\n',
      /line 3: .*mapped twice/,
    ],
    [
      'switch_id,trunk,customer_id\npbx-1,203.0.113.0/24,C1\npbx-1,203.0.113.5/24,C2\n',
      /line 3: .*mapped twice/,
    ],
    [
      'switch_id,trunk,customer_id\npbx-1,[2001:db8::7]:5060,C1\npbx-1,2001:db8::7,C2\n',
      /line 3: .*mapped twice/,
    ],
    [
      'switch_id,trunk,customer_id\npbx-1,[2001:DB8::7],C1\npbx-1,2001:db8:0::7,C2\n',
      /line 3: .*mapped twice/,
    ],
    [
      'switch_id,trunk,customer_id\npbx-1,sip.carrier.example:5060,C1\npbx-1,SIP.carrier.example,C2\n',
      /line 3: .*mapped twice/,
    ],
    ['switch_id,trunk,customer_id\ncdr/pbx-1,acme,C1\n', /switch_id must be one key segment/],
    ['', /empty file/],
  ])('refuses %j, naming line, switch, trunk and field', (text, message) => {
    expect(() => parseTrunkMap(text, 'trunks.csv')).toThrow(message);
  });

  it('accepts a BOM, any column order and case, extra columns, and IPv6', () => {
    const map = parseTrunkMap(
      '\uFEFFCustomer_ID,Trunk,Switch_ID,notes\nC9,2001:db8::/32,pbx-1,v6\n',
      'trunks.csv',
    );
    expect(map.forSwitch('pbx-1').customerFor({ peer: '[2001:db8::5]', namesCustomer: false })).toBe('C9');
    expect(map.switchIds()).toEqual(['pbx-1']);
  });

  it('keeps apart what only looks alike: other addresses, ports of a bare IPv6 address, other switches', () => {
    const map = parseTrunkMap(
      'switch_id,trunk,customer_id\n' +
        'pbx-1,203.0.113.9,C1\npbx-1,203.0.113.90,C2\npbx-1,203.0.113.0/24,C3\n' +
        'pbx-1,2001:db8::7,C4\npbx-1,2001:db8::7:5060,C5\npbx-2,203.0.113.9:5061,C6\n',
      't',
    );
    expect(map.size).toBe(6);
  });

  it("a switch's own entry replaces the `*` one for the same peer however either is spelt", () => {
    const map = parseTrunkMap(
      'switch_id,trunk,customer_id\n*,203.0.113.9:5061,C-ANY\n*,[2001:db8::7]:5060,C-ANY6\n' +
        'pbx-1,203.0.113.9,C-OWN\npbx-1,2001:DB8::7,C-OWN6\n',
      't',
    );
    const pbx1 = map.forSwitch('pbx-1');
    expect(pbx1.customerFor(asteriskOrigin('SIP/203.0.113.9:5061-0000001f'))).toBe('C-OWN');
    expect(pbx1.customerFor(asteriskOrigin('PJSIP/[2001:db8::7]:5060-0000001f'))).toBe('C-OWN6');
    expect(map.forSwitch('pbx-2').customerFor(asteriskOrigin('SIP/203.0.113.9-0000001f'))).toBe('C-ANY');
  });
});

describe('attribution properties', () => {
  const peerName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,20}[A-Za-z]$/);
  const row = (channel: string) =>
    `"","2025550143","13125550199","from-trunk","""A"" <2025550143>","${channel}","","Dial","","2026-11-27 11:31:07","","2026-11-27 11:31:10",3,0,"NO ANSWER","DOCUMENTATION","1.1",""\n`;

  it('a mapped peer is its customer, an unmapped peer name is the customer itself, whatever the technology', async () => {
    await fc.assert(
      fc.asyncProperty(
        peerName,
        fc.constantFrom('SIP', 'PJSIP', 'IAX2'),
        fc.boolean(),
        async (peer, tech, mapped) => {
          const map = parseTrunkMap(
            `switch_id,trunk,customer_id\ns1,${mapped ? peer.toUpperCase() : 'zz-other'},CX\n`,
            't',
          );
          const { customers, quarantined } = await read(
            row(`${tech}/${peer}-0000abcd`),
            'asterisk',
            map.forSwitch('s1'),
          );
          expect(quarantined).toEqual([]);
          expect(customers[0][1]).toBe(mapped ? 'CX' : peer);
        },
      ),
    );
  });

  it('an address is attributed exactly when a mapped block holds it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.ipV4(),
        fc.integer({ min: 8, max: 32 }),
        fc.ipV4(),
        async (net, prefix, address) => {
          const map = parseTrunkMap(`switch_id,trunk,customer_id\ns1,${net}/${prefix},CX\n`, 't');
          const toInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
          const size = 2 ** (32 - prefix);
          const inside = Math.floor(toInt(net) / size) === Math.floor(toInt(address) / size);
          const { customers, quarantined } = await read(
            row(`SIP/${address}-0000abcd`),
            'asterisk',
            map.forSwitch('s1'),
          );
          expect(customers.length === 1 && customers[0][1] === 'CX').toBe(inside);
          expect(quarantined.length).toBe(inside ? 0 : 1);
        },
      ),
    );
  });
});

describe('attribution of one peer from two channel kinds', () => {
  it('a TDM channel and a SIP peer of the same name are attributed each by its own kind, in either order', () => {
    const tdm = { peer: '1-1', namesCustomer: false }; // DAHDI/1-1
    const sip = { peer: '1-1', namesCustomer: true }; // SIP/1-1-0000001f
    const first = new CustomerAttribution();
    expect(() => first.customerFor(tdm)).toThrow(UnattributedRow);
    expect(first.customerFor(sip)).toBe('1-1');
    const second = new CustomerAttribution();
    expect(second.customerFor(sip)).toBe('1-1');
    expect(() => second.customerFor(tdm)).toThrow(UnattributedRow);
  });
});

describe('address peers with a port', () => {
  it('an address:port channel peer is attributed exactly when a mapped block holds the address', async () => {
    const row = (channel: string) =>
      `"","2025550143","13125550199","from-trunk","","${channel}","","Dial","","2026-11-27 11:31:07","","2026-11-27 11:31:10",3,0,"NO ANSWER","DOCUMENTATION","1.1",""\n`;
    await fc.assert(
      fc.asyncProperty(
        fc.ipV4(),
        fc.integer({ min: 8, max: 32 }),
        fc.ipV4(),
        fc.integer({ min: 1, max: 65535 }),
        fc.constantFrom('SIP/%-0000abcd', 'PJSIP/%-0000abcd', 'IAX2/%-753'),
        async (net, prefix, address, port, channel) => {
          const map = parseTrunkMap(`switch_id,trunk,customer_id\ns1,${net}/${prefix},CX\n`, 't');
          const toInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
          const size = 2 ** (32 - prefix);
          const inside = Math.floor(toInt(net) / size) === Math.floor(toInt(address) / size);
          const { customers, quarantined } = await read(
            row(channel.replace('%', `${address}:${port}`)),
            'asterisk',
            map.forSwitch('s1'),
          );
          expect(customers.length === 1 && customers[0][1] === 'CX').toBe(inside);
          expect(quarantined.map((q) => unattributedPeer(q.reason))).toEqual(inside ? [] : [address]);
        },
      ),
    );
  });
});

describe('analyze --trunks and --switch', () => {
  it("selects the named switch's entries; a map of several switches needs --switch; --switch needs --trunks", async () => {
    const { loadTrunks } = await import('../../cli/inputs.ts');
    const path = join(FIXTURES, 'trunks.csv');
    const peer = (p: string) => ({ peer: p, namesCustomer: true });
    expect(loadTrunks(path, 'pbx-asterisk-1')?.customerFor(peer('acme-voice'))).toBe('C100');
    expect(loadTrunks(path, 'pbx-freeswitch-1')?.customerFor(peer('acme-voice'))).toBe('acme-voice');
    expect(() => loadTrunks(path, undefined)).toThrow(
      /maps trunks of 2 switches \(pbx-asterisk-1, pbx-freeswitch-1\); say which switch .* --switch ID/,
    );
    expect(() => loadTrunks(undefined, 'pbx-1')).toThrow(
      '--switch selects entries of --trunks; give --trunks too',
    );
    expect(loadTrunks(undefined, undefined)).toBeUndefined();
  });

  it('a --switch the map does not name fails, or warns when only its * entries would apply', async () => {
    const { loadTrunks } = await import('../../cli/inputs.ts');
    const dir = mkdtempSync(join(tmpdir(), 'tg-trunks-'));
    const own = join(dir, 'own.csv');
    writeFileSync(own, 'switch_id,trunk,customer_id\npbx-asterisk-1,acme-voice,C100\n');
    expect(() => loadTrunks(own, 'pbx-asterix-1')).toThrow(
      `--switch pbx-asterix-1: ${own} has no entries for that switch (it maps pbx-asterisk-1)`,
    );
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((text) => {
      written.push(String(text));
      return true;
    });
    try {
      const path = join(FIXTURES, 'trunks.csv');
      const attribution = loadTrunks(path, 'pbx-asterix-1');
      expect(attribution?.customerFor({ peer: 'baydialer', namesCustomer: true })).toBe('C200');
      expect(written.join('')).toBe(
        `traceguard: --switch pbx-asterix-1: ${path} has no entries for that switch (it maps pbx-asterisk-1, pbx-freeswitch-1); only its '*' entries apply\n`,
      );
    } finally {
      spy.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
