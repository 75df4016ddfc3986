import {
  accessSync,
  closeSync,
  constants,
  lstatSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './errors.ts';

/**
 * Output files (findings, quarantine, traceback answers) are written to a temporary file beside the
 * destination and renamed into place once complete: a run that fails leaves the old file as it was,
 * and a reader never sees half a document. Before anything is read, each destination is checked:
 * never one of the inputs (truncating the batch being analyzed), never the other output, never a
 * symbolic link (followed, it would overwrite whatever it points to) or a FIFO, device or directory.
 */

interface FileId {
  dev: number;
  ino: number;
}

function idOf(path: string): FileId | null {
  try {
    const st = statSync(path);
    return { dev: st.dev, ino: st.ino };
  } catch {
    return null;
  }
}

/**
 * Refuses outputs whose folder is missing, not a folder, or not writable: found only when the
 * document is written, that failed a run after its whole analysis (and one bad output lost the other's
 * document). Cheap, so a command checks it before it starts reading anything.
 */
export function checkOutputDirectories(outputs: Record<string, string | undefined>): void {
  for (const [flag, path] of Object.entries(outputs)) {
    if (!path) continue;
    const dir = dirname(resolve(path));
    try {
      if (!statSync(dir).isDirectory()) throw new UsageError(`${flag} ${path}: ${dir} is not a directory`);
      accessSync(dir, constants.W_OK);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(
        code === 'ENOENT'
          ? `${flag} ${path}: no such directory ${dir}`
          : `${flag} ${path}: cannot write in ${dir} (${code ?? (e as Error).message})`,
      );
    }
  }
}

/**
 * Refuses outputs that would destroy an input or each other, that are not plain files, or that cannot
 * be written where they are named (checkOutputDirectories).
 * `outputs` maps each option (`--out`) to its path; `inputs` are every file the command reads.
 */
export function checkOutputs(outputs: Record<string, string | undefined>, inputs: string[]): void {
  checkOutputDirectories(outputs);
  const named = Object.entries(outputs).filter((e): e is [string, string] => Boolean(e[1]));
  const inputIds = inputs.map((p) => ({ path: p, id: idOf(p) }));
  named.forEach(([flag, path], k) => {
    let st: ReturnType<typeof lstatSync> | null = null;
    try {
      st = lstatSync(path);
    } catch {
      // a new file: only the other output can collide with it
    }
    if (st?.isSymbolicLink())
      throw new UsageError(`${flag} ${path}: is a symbolic link; name the file it points to instead`);
    if (st?.isFIFO()) throw new UsageError(`${flag} ${path}: is a FIFO (named pipe), not a file`);
    if (st && !st.isFile()) throw new UsageError(`${flag} ${path}: is not a regular file`);
    const id = st ? { dev: st.dev, ino: st.ino } : null;
    const input = id && inputIds.find((i) => i.id?.dev === id.dev && i.id.ino === id.ino);
    if (input) throw new UsageError(`${flag} ${path}: is the input ${input.path}; refusing to overwrite it`);
    for (const [otherFlag, other] of named.slice(0, k)) {
      if (resolve(other) === resolve(path))
        throw new UsageError(`${flag} ${path}: is also ${otherFlag}; give each output its own file`);
    }
  });
}

/**
 * Text written in pieces, handed on in blocks of about 64 KiB: few writes, and memory that does not
 * grow with the document (an output file, or the findings on standard output).
 */
export class BlockWriter {
  private pending: string[] = [];
  private pendingLength = 0;
  private readonly sink: (text: string) => void;

  constructor(sink: (text: string) => void) {
    this.sink = sink;
  }

  write(text: string): void {
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= 64 * 1024) this.flush();
  }

  /** Hands on what is pending. */
  flush(): void {
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.pendingLength = 0;
    this.sink(text);
  }
}

/** A file written in pieces to a temporary name and renamed into place by commit(). */
export class AtomicOutput {
  readonly path: string;
  private readonly temp: string;
  private fd: number | null;
  private readonly blocks = new BlockWriter((text) => {
    if (this.fd !== null) writeSync(this.fd, text);
  });

  constructor(path: string) {
    this.path = path;
    this.temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
    try {
      // 'wx': the temporary name must not exist (never follows a link planted there)
      this.fd = openSync(this.temp, 'wx', 0o644);
    } catch (e) {
      throw new UsageError(
        `${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      );
    }
  }

  /** Appends text; written out in blocks of about 64 KiB so memory does not grow with the file. */
  write(text: string): void {
    this.blocks.write(text);
  }

  /** Finishes the file and puts it in place (replacing the old file, never writing through a link). */
  commit(): void {
    this.blocks.flush();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    renameSync(this.temp, this.path);
  }

  /** Drops the temporary file; the destination keeps what it had. */
  abort(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.temp, { force: true });
  }
}

/** Writes a whole document (or its pieces, in order) to `path` through a temporary file. */
export function writeOutput(path: string, text: string | Iterable<string>): void {
  const out = new AtomicOutput(path);
  try {
    // a string is iterable too, by character: it goes whole
    for (const piece of typeof text === 'string' ? [text] : text) out.write(piece);
    out.commit();
  } catch (e) {
    out.abort();
    throw e;
  }
}
