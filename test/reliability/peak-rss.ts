/**
 * Preloaded into a child `traceguard` (node --import) by hostile-cli.ts: on exit, writes the process's
 * peak resident set size (every thread, workers included) in bytes to $TRACEGUARD_PEAK_RSS_FILE.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.TRACEGUARD_PEAK_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS * 1024)));
