import { DuckDBInstance } from '@duckdb/node-api';

/**
 * One DuckDB measurement in its own process (so its peak RSS is its own): the per customer-hour
 * aggregates traceguard's windows hold, over one canonical CSV (plain or gzip), with a fixed number of
 * threads. Prints one JSON line: groups, rows counted, and the query's own wall time.
 * Usage: node bench/duckdb-child.ts <file> <threads>
 */
const [file, threadsText] = process.argv.slice(2);
const threads = Number(threadsText);
if (!file || !Number.isInteger(threads) || threads < 1) {
  process.stderr.write('usage: node bench/duckdb-child.ts <file> <threads>\n');
  process.exit(2);
}

const COLUMNS = {
  call_id: 'VARCHAR',
  start_time: 'TIMESTAMP',
  answer_time: 'VARCHAR',
  end_time: 'VARCHAR',
  duration_s: 'INTEGER',
  customer_id: 'VARCHAR',
  trunk_id: 'VARCHAR',
  calling_number: 'VARCHAR',
  called_number: 'VARCHAR',
  sip_code: 'INTEGER',
  disposition: 'VARCHAR',
  attestation: 'VARCHAR',
  verstat: 'VARCHAR',
  source_ip: 'VARCHAR',
};
const columns = `{${Object.entries(COLUMNS)
  .map(([name, type]) => `'${name}': '${type}'`)
  .join(', ')}}`;
const path = file.replaceAll("'", "''");

// Column types are given, not sniffed: DuckDB gets its best case, the same facts traceguard's header check has.
const sql = `
SELECT customer_id,
       date_trunc('hour', start_time) AS hour,
       count(*) AS attempts,
       count(*) FILTER (WHERE sip_code = 200) AS answered,
       count(*) FILTER (WHERE sip_code = 200 AND duration_s < 6) AS short_calls,
       coalesce(sum(duration_s) FILTER (WHERE sip_code = 200), 0) AS duration_sum,
       count(DISTINCT calling_number) AS distinct_calling,
       count(DISTINCT called_number) AS distinct_called
FROM read_csv('${path}', header = true, delim = ',', quote = '"', auto_detect = false, columns = ${columns})
GROUP BY ALL`;

const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const conn = await instance.connect();
const started = performance.now();
const reader = await conn.runAndReadAll(sql);
const rows = reader.getRowObjects();
const queryMs = performance.now() - started;
let attempts = 0;
for (const r of rows) attempts += Number(r.attempts);
conn.closeSync();
instance.closeSync();
process.stdout.write(`${JSON.stringify({ groups: rows.length, rows: attempts, queryMs })}\n`);
