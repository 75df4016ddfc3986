/**
 * Preloaded into a child `traceguard` (node --import) by hostile-cli.ts: on exit, writes the process's
 * peak resident set size (every thread, workers included) in bytes to $TRACEGUARD_PEAK_RSS_FILE.
 * On Linux it is VmHWM, the peak of this program's own address space: getrusage's maxRSS carries
 * over an exec, so a child of the test runner reported the runner's own 270 MB whatever it used
 * itself, and a busy run pushed a 97 MB analyze past the 320 MB bound.
 */
import { readFileSync, writeFileSync } from 'node:fs';

function peakRssBytes(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]) * 1024;
  } catch {
    // no /proc: getrusage's figure, which includes what the parent held before the exec
  }
  return process.resourceUsage().maxRSS * 1024;
}

const file = process.env.TRACEGUARD_PEAK_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(peakRssBytes())));
