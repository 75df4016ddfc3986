import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyBlockSink, KeyBlockSource } from '../shared/detect/binary-transfer.ts';

/** words staged before they are written to the file: 1 MB */
const STAGE_WORDS = 1 << 18;

/**
 * A file for the keys of an analyze reader's written-out hours (KeyFileWriter), made in a private
 * temporary directory and removed with it at once: only the descriptor leads to it, so nothing is left
 * behind however the run ends (the system frees it when the descriptor closes, at exit at the
 * latest). For a worker, the main thread makes it and owns it: a worker's own descriptors close when
 * the worker ends, but a descriptor is the process's, so the worker writes through this one and the
 * main thread reads it afterwards. Null where no file can be made: the keys then stay among the numbers.
 */
export function anonymousKeyFile(): number | null {
  let dir: string;
  try {
    dir = mkdtempSync(join(tmpdir(), 'traceguard-keys-'));
  } catch {
    return null; // no temporary directory to write (read-only, or missing): the keys stay in memory
  }
  try {
    return openSync(join(dir, 'keys'), 'wx+');
  } catch {
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The keys of an analyze reader's written-out hours, kept in a file rather than in memory
 * (KeyBlockSink): they are most of those hours' bytes, and scoring reads a set's keys back only when
 * a merge or a rule needs them (KeyFileReader). Blocks are staged in one buffer and appended to the
 * file when it fills; finish() writes the rest. The descriptor is the caller's.
 */
export class KeyFileWriter implements KeyBlockSink {
  private readonly fd: number;
  private stage = new Int32Array(STAGE_WORDS);
  private staged = 0;
  private written = 0;
  at = 0;

  constructor(fd: number) {
    this.fd = fd;
  }

  get words(): Int32Array {
    return this.stage;
  }

  room(count: number): number {
    if (this.staged + count > this.stage.length) {
      this.flush();
      // a set bigger than the stage gets a stage of its size, for its block alone
      if (count > this.stage.length) this.stage = new Int32Array(count);
    }
    this.at = this.written + this.staged;
    const index = this.staged;
    this.staged += count;
    return index;
  }

  private flush(): void {
    const bytes = new Uint8Array(this.stage.buffer, 0, this.staged * 4);
    for (let done = 0; done < bytes.length; ) done += writeSync(this.fd, bytes, done);
    this.written += this.staged;
    this.staged = 0;
  }

  /** Writes what is staged. */
  finish(): void {
    this.flush();
  }
}

/** The keys a KeyFileWriter wrote, read back a block at a time (KeyBlockSource); close() closes the file. */
export class KeyFileReader implements KeyBlockSource {
  private fd: number;

  constructor(fd: number) {
    this.fd = fd;
  }

  read(at: number, count: number, into: Int32Array): void {
    const bytes = new Uint8Array(into.buffer, into.byteOffset, count * 4);
    let done = 0;
    while (done < bytes.length) {
      const n = readSync(this.fd, bytes, done, bytes.length - done, at * 4 + done);
      if (n === 0)
        throw new RangeError(`key file: the block at word ${at} ends after ${done} of ${bytes.length} bytes`);
      done += n;
    }
  }

  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
  }
}
