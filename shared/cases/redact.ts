import { maskPhoneNumbers } from '../privacy/mask-numbers.ts';

/**
 * Phone numbers are customer proprietary network information: case texts (on-call messages, CLI
 * output, failure causes) keep only their last four digits. One implementation for the whole
 * project, shape-based, so dates, times and case ids stay readable.
 */
export function redactPhoneNumbers(text: string): string {
  return maskPhoneNumbers(text);
}
