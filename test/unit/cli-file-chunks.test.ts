import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileChunks, tapped } from '../../cli/file-chunks.ts';

const work = mkdtempSync(join(tmpdir(), 'traceguard-chunks-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** descriptors this process holds open */
const openFiles = () => readdirSync('/proc/self/fd').length;

describe('fileChunks', () => {
  const bytes = Buffer.alloc(2.5 * 2 ** 20 + 123);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + (i >> 11)) & 0xff;
  const path = join(work, 'batch.csv');
  writeFileSync(path, bytes);

  it('reads every byte from the offset on, in 1 MB chunks of one reused buffer', async () => {
    for (const from of [0, 1, 2 ** 20, bytes.length - 5, bytes.length]) {
      const copies: Buffer[] = [];
      const buffers = new Set<ArrayBufferLike>();
      for await (const chunk of fileChunks(path, from)) {
        expect(chunk.length).toBeLessThanOrEqual(2 ** 20);
        copies.push(Buffer.from(chunk));
        buffers.add(chunk.buffer);
      }
      expect(Buffer.concat(copies).equals(bytes.subarray(from))).toBe(true);
      expect(buffers.size).toBeLessThanOrEqual(1);
    }
  });

  it('closes the file when its reader stops early or fails', async () => {
    const before = openFiles();
    for await (const _ of fileChunks(path)) break;
    await expect(
      (async () => {
        for await (const _ of fileChunks(path)) throw new Error('bad batch');
      })(),
    ).rejects.toThrow('bad batch');
    expect(openFiles()).toBe(before);
  });

  it('tapped passes every chunk on and tells of each length as it passes', async () => {
    const seen: number[] = [];
    let passed = 0;
    for await (const chunk of tapped(fileChunks(path), (n) => seen.push(n))) {
      passed += chunk.length;
      expect(seen.reduce((a, b) => a + b, 0)).toBe(passed);
    }
    expect(passed).toBe(bytes.length);
    expect(seen.length).toBe(3);
  });

  it('fails with the code of a file that cannot be read', async () => {
    await expect(fileChunks(join(work, 'missing.csv')).next()).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
