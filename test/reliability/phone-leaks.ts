import { containsPhoneNumber, maskPhoneNumbers } from '../../shared/privacy/mask-numbers.ts';

/** Random hex ids (UUIDs, hashes in case ids, version ids) can hold ten digits in a row by chance. */
const RANDOM_HEX =
  /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]*[a-f][0-9a-f]*\d{10}[0-9a-f]*/gi;

/**
 * Lines of captured output that leak a phone number, masked (so a failing test does not leak them
 * again): any E.164 number; any of the numbers fed in (their last ten digits) in any shape; anything
 * phone-shaped once random hex ids are set aside.
 */
export function phoneLeaks(output: string, fedNumbers: Set<string>): string[] {
  const leaks: string[] = [];
  for (const line of output.split('\n')) {
    const e164 = /\+\d{8,15}/.test(line);
    const fed = (line.match(/\d{10}/g) ?? []).some((d) => fedNumbers.has(d));
    const shaped = containsPhoneNumber(line.replace(RANDOM_HEX, 'hex'));
    if (e164 || fed || shaped) leaks.push(maskPhoneNumbers(line));
  }
  return leaks;
}
