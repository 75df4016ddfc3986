/**
 * Text from CDRs, reference files and file names is data: before it reaches a terminal (table output,
 * stderr samples, error lines) every control character is shown as an escape, so a customer id holding
 * `ESC[2J` cannot clear the screen, an OSC sequence cannot retitle the window, and a newline in a file
 * name cannot forge an extra stderr line. Covered: C0 controls (newline and tab included), DEL, C1
 * controls, the Unicode line and paragraph separators, and the bidirectional overrides that reorder
 * what a reader sees. JSON output is not passed through here: it stays exact.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeOne(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
}

/** `text` with every control character written as `\xHH` (or `\uHHHH`), safe to print. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

/** characters a POSIX shell reads as part of a plain word, never as syntax or a pattern */
const SHELL_PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * `arg` as one word of a command line a person copies into a POSIX shell: as it is when that is
 * already one word, else in single quotes (a quote inside written `'\''`), so that a batch key with a
 * space, `$`, `*` or `;` in a suggested command names the same key, and runs nothing else.
 */
export function shellWord(arg: string): string {
  return SHELL_PLAIN.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}
