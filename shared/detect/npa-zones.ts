import { callingHoursOfNpa } from './state-calling-hours.ts';

/**
 * NANP area code -> IANA time zone(s) of the called party, for the TCPA calling-hours check
 * (47 CFR 64.1200(c)(1): no solicitations before 8 a.m. or after 9 p.m. at the called party's
 * location). Unknown codes (and ported or mobile numbers far from home) are counted as "zone
 * unknown", not guessed. Saskatchewan (306, 639) keeps standard time all year (America/Regina).
 */
const ZONES: Record<string, string> = {
  'America/New_York':
    '203 475 860 959 302 202 771 239 305 321 352 386 407 561 689 727 754 772 786 813 863 904 941 954 448 656 850 ' +
    '229 404 470 478 678 706 762 770 912 943 260 317 463 574 765 812 930 502 606 859 207 240 301 410 443 667 227 ' +
    '339 351 413 508 617 774 781 857 978 231 248 269 313 517 586 616 734 810 906 947 989 679 603 201 551 609 640 ' +
    '732 848 856 862 908 973 212 315 332 347 516 518 585 607 631 646 680 716 718 838 845 914 917 929 934 252 336 ' +
    '704 743 828 910 919 980 984 472 216 220 234 283 326 330 380 419 440 513 567 614 740 937 436 215 223 267 272 ' +
    '412 445 484 570 582 610 717 724 814 835 878 401 803 839 843 854 864 423 865 802 276 434 540 571 703 757 804 ' +
    '826 948 304 681 226 249 289 343 365 416 437 519 548 613 647 705 807 905 367 418 438 450 514 579 581 819 873 ' +
    // overlays in service since 2022: Florida, New York, South Carolina, Virginia, Ontario, Quebec
    '324 645 728 329 363 624 821 686 382 683 742 753 263 354 468',
  'America/Chicago':
    '205 251 256 334 659 938 479 501 870 327 217 224 309 312 331 447 464 618 630 708 773 779 815 847 872 861 219 ' +
    '319 515 563 641 712 316 620 785 913 225 318 337 504 985 218 320 507 612 651 763 952 228 601 662 769 314 417 ' +
    '557 573 636 660 816 975 308 402 531 701 405 539 580 918 572 605 615 629 731 901 931 210 214 254 281 325 346 ' +
    '361 409 430 432 469 512 682 713 726 737 806 817 830 832 903 936 940 945 956 972 979 262 274 414 534 608 715 ' +
    '920 353 270 364 204 431 730 924 235 584',
  'America/Regina': '306 639 474',
  'America/Denver': '303 719 720 970 983 208 986 406 505 575 385 435 801 307 915 368 403 587 780 825',
  'America/Phoenix': '480 520 602 623 928',
  'America/Los_Angeles':
    '209 213 279 310 323 341 350 408 415 424 442 510 530 559 562 619 626 628 650 657 661 669 707 714 747 760 805 ' +
    '818 820 831 840 858 909 916 925 949 951 702 725 775 458 503 541 971 206 253 360 425 509 564 236 250 604 672 778 ' +
    '357 369 257',
  'America/Anchorage': '907',
  'Pacific/Honolulu': '808',
  // Guam and the Northern Mariana Islands (UTC+10, no DST), American Samoa (UTC-11)
  'Pacific/Guam': '671 670',
  'Pacific/Pago_Pago': '684',
  'America/Puerto_Rico': '787 939 340',
  'America/Halifax': '782 902 506 428',
  'America/St_Johns': '709 879',
};

/**
 * Area codes whose subscribers live in two zones (a state line or a county that keeps the other
 * zone's time). The called party could be in either, so the stricter reading holds: a call is
 * outside calling hours when it is outside them in either zone (before 8:00 in the western one,
 * from 21:00 in the eastern one). Both zones of each pair differ by whole hours.
 */
const SPANNING: Record<string, readonly [string, string]> = {};
for (const [zones, list] of [
  [['America/New_York', 'America/Chicago'], '850 270 364 423 931 812 930 906 807'],
  [['America/Chicago', 'America/Denver'], '308 605 701 785 620 432'],
  [['America/Denver', 'America/Los_Angeles'], '208 986 541 458 775 250 236 672 778 257'],
  [['America/Phoenix', 'America/Denver'], '928'],
] as const)
  for (const npa of list.split(' ')) SPANNING[npa] = zones;

const byNpa = new Map<string, readonly string[]>();
for (const [zone, list] of Object.entries(ZONES)) for (const npa of list.split(' ')) byNpa.set(npa, [zone]);
for (const [npa, zones] of Object.entries(SPANNING)) byNpa.set(npa, zones);

/** IANA zones (one, or the two of a spanning area code) of a +1 E.164 number, or null when unknown. */
export function zonesOfNumber(e164: string): readonly string[] | null {
  if (e164.length !== 12 || !e164.startsWith('+1')) return null;
  return byNpa.get(e164.slice(2, 5)) ?? null;
}

/** Zones of a called party and the calling hours of its state (stricter than federal in a few states). */
export interface ZoneGroup {
  zones: readonly string[];
  stateStart: number;
  stateEnd: number;
}

/**
 * The distinct (zone set, state hours) pairs by index, for code that keeps a called party's zones
 * and state hours as a small integer.
 */
export const ZONE_GROUPS: readonly ZoneGroup[] = (() => {
  const groups = new Map<string, ZoneGroup>();
  for (const [npa, zones] of byNpa) {
    const { start, end } = callingHoursOfNpa(npa);
    groups.set(groupKey(zones, npa), { zones, stateStart: start, stateEnd: end });
  }
  return [...groups.values()];
})();

function groupKey(zones: readonly string[], npa: string): string {
  const { start, end } = callingHoursOfNpa(npa);
  return `${zones.join(' ')}|${start}-${end}`;
}

const groupIndex = new Map(
  ZONE_GROUPS.map((g, i) => [`${g.zones.join(' ')}|${g.stateStart}-${g.stateEnd}`, i]),
);
const zoneIndexByNpa = new Int8Array(1000).fill(-1);
for (const [npa, zones] of byNpa)
  zoneIndexByNpa[Number(npa)] = groupIndex.get(groupKey(zones, npa)) as number;

/** Index in ZONE_GROUPS of zonesOfNumber(e164), or -1 when that is null. */
export function zoneIndexOfNumber(e164: string): number {
  if (e164.length !== 12 || !e164.startsWith('+1')) return -1;
  return zoneIndexByNpa[Number(e164.slice(2, 5))] ?? -1;
}

/** zoneIndexOfNumber for a +1 number given by its area code (0-999). */
export function zoneIndexOfNpa(npa: number): number {
  return zoneIndexByNpa[npa];
}
