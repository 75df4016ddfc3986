import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { anonymousKeyFile, KeyFileReader, KeyFileWriter } from '../../cli/key-file.ts';

const keyDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith('traceguard-keys-')).length;
const savedTmp = process.env.TMPDIR;
afterEach(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
});

describe('key files', () => {
  it('are gone from the file system as soon as they are open, and read back every block written', () => {
    const before = keyDirs();
    const fd = anonymousKeyFile();
    expect(fd).not.toBeNull();
    expect(keyDirs()).toBe(before);
    const writer = new KeyFileWriter(fd as number);
    // blocks of every size, some bigger than the 1 MB stage
    const blocks: Array<{ at: number; words: Int32Array }> = [];
    for (const count of [3, 1, 300_000, 17, 262_144, 5]) {
      const index = writer.room(count);
      const words = Int32Array.from({ length: count }, (_, i) => (i * 2_654_435_761 + count) | 0);
      writer.words.set(words, index);
      blocks.push({ at: writer.at, words });
    }
    writer.finish();
    const reader = new KeyFileReader(fd as number);
    for (const { at, words } of blocks.reverse()) {
      const into = new Int32Array(words.length);
      reader.read(at, words.length, into);
      expect(into).toEqual(words);
    }
    expect(() => reader.read(blocks[0].at + 1e7, 4, new Int32Array(4))).toThrow(/ends after 0 of 16 bytes/);
    reader.close();
  });

  it('are not made where there is no temporary directory to write: the keys then stay in memory', () => {
    process.env.TMPDIR = '/nonexistent/traceguard';
    expect(tmpdir()).toBe('/nonexistent/traceguard');
    expect(anonymousKeyFile()).toBeNull();
  });
});
