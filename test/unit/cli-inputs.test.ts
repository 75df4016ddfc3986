import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { appendInPathOrder, expandInputs } from '../../cli/inputs.ts';

describe('input files', () => {
  it('a directory of 200,000 batches joins the list whole, in path order, after the files named before it', () => {
    const out = [{ path: '/in/first.csv', size: 1 }];
    const n = 200_000;
    // listed in reverse, as a directory may list them
    const found = Array.from({ length: n }, (_, i) => ({
      path: `/in/month/b${String(n - 1 - i).padStart(6, '0')}.csv`,
      size: 0,
    }));
    appendInPathOrder(out, found);
    expect(out).toHaveLength(n + 1);
    expect(out[0].path).toBe('/in/first.csv');
    expect(out[1].path).toBe('/in/month/b000000.csv');
    expect(out[n].path).toBe('/in/month/b199999.csv');
    let unordered = 0;
    for (let i = 2; i <= n; i++) if (!(out[i - 1].path < out[i].path)) unordered++;
    expect(unordered).toBe(0);
  });
});

describe('input files with the same lines', () => {
  const HEADER = 'call_id,start_time,customer_id,calling_number,called_number,sip_code';
  const rows = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => `${prefix}${i},2026-11-20T15:00:00Z,F1,123,2027365000,200`);
  const lf = (lines: string[]) => `${[HEADER, ...lines].join('\n')}\n`;

  /** expandInputs over `files` written to a fresh folder (named in order): the names kept, and those left out with the one each repeats */
  async function readOnce(files: Array<[name: string, body: string | Buffer]>) {
    const dir = mkdtempSync(join(tmpdir(), 'tg-same-lines-'));
    try {
      for (const [name, body] of files) writeFileSync(join(dir, name), body);
      let sameContent: string[][] = [];
      const kept = await expandInputs(
        files.map(([name]) => join(dir, name)),
        (s) => {
          sameContent = s.sameContent.map((f) => [basename(f.path), basename(f.sameAs)]);
        },
      );
      return { kept: kept.map((f) => basename(f.path)), sameContent };
    } finally {
      rmSync(dir, { recursive: true });
    }
  }

  it('reads a batch once however it was sent again: CRLF, bare CR, BOM, no final line end, gzip under any name', async () => {
    const body = lf(rows('f', 5));
    const { kept, sameContent } = await readOnce([
      ['lf.csv', body],
      ['crlf.csv', body.replaceAll('\n', '\r\n')],
      ['cr.csv', body.replaceAll('\n', '\r')],
      ['bom.csv', `\ufeff${body}`],
      ['noeol.csv', body.slice(0, -1)],
      ['blank-end.csv', `${body}\n\n`],
      ['lf_gz_noext', gzipSync(body)],
      ['crlf.csv.gz', gzipSync(body.replaceAll('\n', '\r\n'))],
      // other calls: read, whatever its size
      ['other.csv', lf(rows('g', 5))],
      ['fewer.csv', lf(rows('f', 4))],
    ]);
    expect(kept).toEqual(['lf.csv', 'other.csv', 'fewer.csv']);
    expect(sameContent).toEqual(
      ['crlf.csv', 'cr.csv', 'bom.csv', 'noeol.csv', 'blank-end.csv', 'lf_gz_noext', 'crlf.csv.gz'].map(
        (name) => [name, 'lf.csv'],
      ),
    );
  });

  it('reads in full files whose first lines agree: a copy is left out, a file with other rows after them is read', async () => {
    // past the 64 KiB of lines compared first: these differ only in their last rows
    const many = rows('f', 3000);
    const body = lf(many);
    const { kept, sameContent } = await readOnce([
      ['day.csv', body],
      ['day-crlf.csv.gz', gzipSync(`\ufeff${body.replaceAll('\n', '\r\n')}`)],
      ['day-changed.csv', lf([...many.slice(0, -1), many[many.length - 1].replace(',200', ',486')])],
      ['day-longer.csv', lf([...many, ...rows('h', 1)])],
    ]);
    expect(body.length).toBeGreaterThan(2 * 64 * 1024);
    expect(kept).toEqual(['day.csv', 'day-changed.csv', 'day-longer.csv']);
    expect(sameContent).toEqual([['day-crlf.csv.gz', 'day.csv']]);
  });

  it('names the files it leaves out and the file each repeats, the first 20 of them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-same-lines-'));
    const written = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const names = Array.from({ length: 23 }, (_, i) => `b${String(i).padStart(2, '0')}.csv`);
      for (const name of names) writeFileSync(join(dir, name), lf(rows('f', 2)));
      await expandInputs([dir]);
      const said = written.mock.calls.map((c) => String(c[0])).join('');
      expect(said.split('\n').slice(0, 3)).toEqual([
        'traceguard: read once: 22 file(s) with the same lines as another input under another name (a batch sent twice, gzipped, or with other line ends), not read:',
        `  ${join(dir, 'b01.csv')}: the same lines as ${join(dir, 'b00.csv')}`,
        `  ${join(dir, 'b02.csv')}: the same lines as ${join(dir, 'b00.csv')}`,
      ]);
      expect(said.split('\n').slice(-3)).toEqual([
        `  ${join(dir, 'b20.csv')}: the same lines as ${join(dir, 'b00.csv')}`,
        '  and 2 more',
        '',
      ]);
    } finally {
      written.mockRestore();
      rmSync(dir, { recursive: true });
    }
  });

  it('keeps a file it cannot decode (its read says why) and an empty one', async () => {
    const body = lf(rows('f', 5));
    const truncated = gzipSync(body).subarray(0, 30);
    const { kept, sameContent } = await readOnce([
      ['a.csv', body],
      ['a.csv.gz', truncated],
      ['b.csv.gz', truncated],
      ['empty.csv', ''],
      ['empty2.csv', ''],
    ]);
    expect(kept).toEqual(['a.csv', 'a.csv.gz', 'b.csv.gz', 'empty.csv', 'empty2.csv']);
    expect(sameContent).toEqual([]);
  });
});
