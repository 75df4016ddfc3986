import type { Random } from './random.ts';

/**
 * Real, in-service geographic area codes grouped by the IANA zone of the area, so the generator can
 * place a call at a chosen local hour of the called party (TCPA hours are local, not UTC).
 */
export const AREA_CODES_BY_ZONE = {
  'America/New_York': [
    '202',
    '212',
    '718',
    '917',
    '305',
    '404',
    '617',
    '215',
    '704',
    '407',
    '703',
    '301',
    '732',
    '813',
  ],
  'America/Chicago': ['312', '773', '214', '713', '512', '615', '504', '612', '314', '816'],
  'America/Denver': ['303', '801', '505'],
  'America/Phoenix': ['602', '480'],
  'America/Los_Angeles': ['213', '310', '415', '408', '206', '503', '619', '702', '916'],
} as const;

export type Zone = keyof typeof AREA_CODES_BY_ZONE;
export const ZONES = Object.keys(AREA_CODES_BY_ZONE) as Zone[];
export const EAST: Zone = 'America/New_York';
export const WEST: Zone = 'America/Los_Angeles';

const zoneOfArea = new Map<string, Zone>();
for (const zone of ZONES) for (const npa of AREA_CODES_BY_ZONE[zone]) zoneOfArea.set(npa, zone);

/** Zone of the area code of an E.164 NANP number (+1NPA...), or undefined for anything else. */
export function zoneOfNumber(e164: string): Zone | undefined {
  return zoneOfArea.get(e164.slice(2, 5));
}

/** Exchanges a real subscriber number never has: N11 service codes, 555 (directory/fictitious), 950, 958/959, 976. */
function isAssignableExchange(nxx: number): boolean {
  if (nxx < 200) return false;
  if (nxx % 100 === 11) return false;
  return nxx !== 555 && nxx !== 950 && nxx !== 958 && nxx !== 959 && nxx !== 976;
}

export function randomExchange(random: Random): string {
  for (;;) {
    const nxx = random.int(200, 999);
    if (isAssignableExchange(nxx)) return String(nxx);
  }
}

export function randomLine(random: Random): string {
  return String(random.int(0, 9999)).padStart(4, '0');
}

/** A plausible subscriber number in the given area code, E.164. */
export function randomNumberInArea(random: Random, npa: string): string {
  return `+1${npa}${randomExchange(random)}${randomLine(random)}`;
}

export function randomNumberInZone(random: Random, zone: Zone): string {
  return randomNumberInArea(random, random.pick(AREA_CODES_BY_ZONE[zone]));
}

export function randomNumber(random: Random): string {
  return randomNumberInZone(random, random.pick(ZONES));
}

/** Another number in the same NPA-NXX as `e164` (what a neighbour-spoofing robocaller shows). */
export function neighbourOf(random: Random, e164: string): string {
  for (;;) {
    const candidate = `${e164.slice(0, 8)}${randomLine(random)}`;
    if (candidate !== e164) return candidate;
  }
}

/**
 * Caller IDs that no valid NANP call can carry (domain-notes 1.3): reserved N9X and 37X area codes,
 * the fictitious 555-01XX range, too few digits, letters. Returned as the switch would print them.
 */
export function randomInvalidCallerId(random: Random): { text: string; why: string } {
  const kind = random.int(0, 5);
  switch (kind) {
    case 0: {
      const npa = `${random.int(2, 9)}9${random.int(0, 9)}`;
      return { text: `+1${npa}${randomExchange(random)}${randomLine(random)}`, why: 'N9X area code' };
    }
    case 1: {
      const npa = `37${random.int(0, 9)}`;
      return { text: `+1${npa}${randomExchange(random)}${randomLine(random)}`, why: '37X area code' };
    }
    case 2: {
      const npa = random.pick(AREA_CODES_BY_ZONE[random.pick(ZONES)]);
      return {
        text: `+1${npa}55501${String(random.int(0, 99)).padStart(2, '0')}`,
        why: '555-01XX fictitious',
      };
    }
    case 3:
      return { text: `${random.int(2, 9)}${random.int(100000, 999999)}`, why: 'too short (7 digits)' };
    case 4:
      return { text: `${random.int(200, 999)}55${random.int(10, 99)}`, why: 'too short (7 digits)' };
    default: {
      const words = ['IRSREFUND', 'WINNER', 'SPAM4U', 'MEDICARE', 'VISA-ALERT'];
      return { text: random.pick(words), why: 'letters' };
    }
  }
}
