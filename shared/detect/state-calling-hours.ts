/**
 * States whose telephone-solicitation laws end calling hours earlier than the federal 21:00 (47 CFR
 * 64.1200(c)(1) allows 8:00-21:00 at the called party). A call to one of their area codes is outside
 * calling hours from 20:00 local time. The OUTSIDE_CALLING_HOURS rule reads these hours unless the
 * policy turns `stateHours` off; another state is one more entry here.
 */
export interface StateCallingHours {
  /** first local hour calls may be placed */
  start: number;
  /** local hour from which calls may no longer be placed */
  end: number;
  law: string;
  /** the state's area codes */
  npas: string;
}

export const STATE_CALLING_HOURS: Readonly<Record<string, StateCallingHours>> = {
  FL: {
    start: 8,
    end: 20,
    law: 'Florida Telephone Solicitation Act, Fla. Stat. 501.616(6)',
    npas: '239 305 321 324 352 386 407 448 561 645 656 689 727 728 754 772 786 813 850 863 904 941 954',
  },
  MD: {
    start: 8,
    end: 20,
    law: 'Maryland Stop the Spam Calls Act, Md. Code Com. Law 14-4504',
    npas: '227 240 301 410 443 667',
  },
  OK: {
    start: 8,
    end: 20,
    law: 'Oklahoma Telephone Solicitation Act, Okla. Stat. tit. 15, 775C.4',
    npas: '405 539 572 580 918',
  },
  WA: {
    start: 8,
    end: 20,
    law: 'Washington RCW 80.36.390',
    npas: '206 253 360 425 509 564',
  },
};

/** Federal calling hours at the called party. */
export const FEDERAL_CALLING_HOURS = { start: 8, end: 21 } as const;

const byNpa = new Map<string, { start: number; end: number }>();
for (const hours of Object.values(STATE_CALLING_HOURS))
  for (const npa of hours.npas.split(' ')) byNpa.set(npa, { start: hours.start, end: hours.end });

/** Calling hours at an area code: its state's when they are stricter, the federal ones otherwise. */
export function callingHoursOfNpa(npa: string): { start: number; end: number } {
  const state = byNpa.get(npa);
  if (!state) return FEDERAL_CALLING_HOURS;
  return {
    start: Math.max(state.start, FEDERAL_CALLING_HOURS.start),
    end: Math.min(state.end, FEDERAL_CALLING_HOURS.end),
  };
}
