import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The rows of a native switch fixture (test/fixtures/native, all written at 11:xx local time on
 * 2026-11-27) copied over hours [fromHour, toHour), `copies` times an hour: each copy in its own
 * hour, and with its own unique id (Asterisk's uniqueid, FreeSWITCH's uuid) where the row has one,
 * so that no copy repeats a call (the reader counts a repeated call once). `after(row, hour, copy, index)` may add a
 * row after a copy (a bad one, say); null adds none.
 */
export function nativeFixtureDay(
  fixture: string,
  fromHour: number,
  toHour: number,
  copies: number,
  after: (row: string, hour: number, copy: number, index: number) => string | null = () => null,
): string[] {
  const rows = readFileSync(join(import.meta.dirname, '../fixtures/native', fixture), 'utf8')
    .trimEnd()
    .split('\n');
  const out: string[] = [];
  for (let h = fromHour; h < toHour; h++)
    for (let copy = 0; copy < copies; copy++)
      for (const [i, row] of rows.entries()) {
        const moved = row
          .replaceAll('2026-11-27 11:', `2026-11-27 ${String(h).padStart(2, '0')}:`)
          .replace(
            /"(\d{10}\.\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"/,
            `"$1-${h}-${copy}-${i}"`,
          );
        out.push(moved);
        const extra = after(moved, h, copy, i);
        if (extra !== null) out.push(extra);
      }
  return out;
}
