import { writeFileSync } from 'node:fs';

/**
 * Loaded with `node --import` into every measured child: on exit it writes the process's peak
 * resident set (KB, worker threads included) to $BENCH_RSS_FILE, so the bench needs no GNU time.
 */
const target = process.env.BENCH_RSS_FILE;
if (target) {
  process.on('exit', () => {
    writeFileSync(target, String(process.resourceUsage().maxRSS));
  });
}
