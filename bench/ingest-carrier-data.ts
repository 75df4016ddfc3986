import { writeFileSync } from 'node:fs';
import { cdrBatch } from '../test/unit/ingest-cdr-fixtures.ts';

/**
 * Writes the carrier-scale ingest batch (bench/ingest-child.ts): a day of 2,000 customers with two
 * trunks each, 17 calls per customer-hour (816,000 rows, about 100 MB of canonical CSV without the optional STIR/SHAKEN and source columns), in a process
 * of its own so that building it does not count in the ingest measurement's peak memory.
 * Usage: node bench/ingest-carrier-data.ts <file>
 */
export const CARRIER = { customers: 2000, hours: 24, rowsPerWindow: 17 };

const [file] = process.argv.slice(2);
if (file) {
  const customers = Array.from({ length: CARRIER.customers }, (_, i) => `C${String(i).padStart(5, '0')}`);
  writeFileSync(
    file,
    cdrBatch({
      seed: 2000,
      customers,
      hours: CARRIER.hours,
      rowsPerWindow: CARRIER.rowsPerWindow,
      trunks: 2,
      // one customer in a hundred robocalls, so findings are published as they would be
      robocallers: customers.filter((_, i) => i % 100 === 7),
    }),
  );
}
