import { createHash, type Hash } from 'node:crypto';
import { crLineEnds } from '../cdr/batch-lead.ts';

const CR = 13;
const LF = 10;
const BOM = [0xef, 0xbb, 0xbf];
/** line ends held back at a chunk's end, hashed from here when a line follows them */
const LFS = Buffer.alloc(4096, LF);

/**
 * A digest of a batch's lines: the same calls sent again gzipped, with a byte-order mark, with CRLF
 * or bare-CR (classic Mac) line ends instead of LF, or without a final line end, give the same digest,
 * where their ETags differ. The key of a claim on that content (ManifestStore.claimContent), so the
 * second batch is recorded as a repeat and its calls are counted once; `traceguard analyze` reads a
 * file once by the same key.
 *
 * The lines are taken as the parser reads them (BatchParser): its lines end in LF, CRLF or a run of
 * CRs before an LF (CRLF converted twice), or, in a batch whose first line ends in a bare CR
 * (crLineEnds), at every CR too; elsewhere a bare CR is data, part of its line. Blank lines at the
 * start and the end hold no row and are left out; blank lines between rows are kept (one may lie in a
 * quoted field, part of its value). What is hashed is each line followed by one LF: a plain LF file
 * (or its CRLF copy, or its gzip) keeps the key its bytes had before BOMs and CRs were looked at.
 *
 * Taken chunk by chunk as the reader decodes them: a chunk without a CR (an LF batch) is hashed as it
 * is, less the LFs at its end, held back until a line follows them.
 */
export class DecodedContent {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;
  /** the batch's first bytes, until its line ends are decided (as the parser waits for them) */
  private lead: Buffer | null = null;
  /** null until decided: whether every bare CR ends a line */
  private crLines: boolean | null = null;
  /** CRs at the last chunk's end: a line end if an LF follows them, else data (LF batches) */
  private heldCrs = 0;
  /** the last chunk ended in a CR: an LF opening the next one ends the same line (bare-CR batches) */
  private afterCr = false;
  /** whether a line with anything in it was read: blank lines before it are left out */
  private started = false;
  /** line ends read and not yet hashed: hashed when a line follows, left out at the end */
  private pendingLfs = 0;
  private scratch: Buffer | null = null;
  private readonly limit: number;

  /** `limit`: hash no more than the first `limit` bytes of the lines (a cheap look at a file's start) */
  constructor(limit = Number.POSITIVE_INFINITY) {
    this.limit = limit;
  }

  /** Whether `limit` bytes of lines were hashed: the rest of the batch changes nothing. */
  get full(): boolean {
    return this.bytes >= this.limit;
  }

  update(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.crLines !== null) {
      this.lines(chunk);
      return;
    }
    const bytes = this.lead ? Buffer.concat([this.lead, chunk]) : chunk;
    const crLines = crLineEnds(bytes);
    if (crLines === null) {
      // a copy: the reader may fill the chunk's memory again
      this.lead = Buffer.from(bytes);
      return;
    }
    this.begin(crLines, bytes);
  }

  /** `decoded:<sha256>#<bytes>` of every line read (call once, after the whole batch was read) */
  key(): string {
    if (this.crLines === null) this.begin(crLineEnds(this.lead ?? Buffer.alloc(0), true) === true, this.lead);
    // CRs at the very end close the last line (the parser trims them)
    this.heldCrs = 0;
    if (this.started) this.put(LFS.subarray(0, 1));
    return `decoded:${this.hash.digest('hex')}#${this.bytes}`;
  }

  private begin(crLines: boolean, lead: Buffer | null): void {
    this.crLines = crLines;
    this.lead = null;
    if (lead === null) return;
    const bom = BOM.every((b, i) => lead[i] === b);
    this.lines(bom ? lead.subarray(BOM.length) : lead);
  }

  /** The chunk's lines with LF line ends, to frame(). */
  private lines(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.crLines) this.bareCrLines(chunk);
    else this.lfLines(chunk);
  }

  /** LF batches: a run of CRs before an LF is part of the line end; any other CR is data. */
  private lfLines(chunk: Buffer): void {
    let start = 0;
    if (this.heldCrs > 0) {
      while (start < chunk.length && chunk[start] === CR) start++;
      if (start === chunk.length) {
        this.heldCrs += start;
        return;
      }
      if (chunk[start] !== LF) {
        // data: the chunk's own CRs before it are data too, and are met again below
        this.frame(Buffer.alloc(this.heldCrs, CR));
        start = 0;
      }
      this.heldCrs = 0;
    }
    let cr = chunk.indexOf(CR, start);
    if (cr === -1) {
      this.frame(start === 0 ? chunk : chunk.subarray(start));
      return;
    }
    // copy the bytes between line ends that hold CRs (a memcpy a line), then hash the copy once
    const out = this.scratchOf(chunk.length);
    let n = 0;
    let from = start;
    while (cr !== -1) {
      let end = cr + 1;
      while (end < chunk.length && chunk[end] === CR) end++;
      if (end === chunk.length) {
        n += chunk.copy(out, n, from, cr);
        from = end;
        this.heldCrs = end - cr;
        break;
      }
      if (chunk[end] === LF) {
        n += chunk.copy(out, n, from, cr);
        from = end;
      }
      cr = chunk.indexOf(CR, end);
    }
    n += chunk.copy(out, n, from);
    this.frame(out.subarray(0, n));
  }

  /** Bare-CR batches: every CR ends a line, and a CRLF is one line end. */
  private bareCrLines(chunk: Buffer): void {
    const start = this.afterCr && chunk[0] === LF ? 1 : 0;
    this.afterCr = chunk[chunk.length - 1] === CR;
    const out = this.scratchOf(chunk.length);
    let n = 0;
    let from = start;
    for (let cr = chunk.indexOf(CR, start); cr !== -1; cr = chunk.indexOf(CR, from)) {
      n += chunk.copy(out, n, from, cr);
      out[n++] = LF;
      from = chunk[cr + 1] === LF ? cr + 2 : cr + 1;
      if (from >= chunk.length) break;
    }
    if (from < chunk.length) n += chunk.copy(out, n, from);
    this.frame(out.subarray(0, n));
  }

  /**
   * Lines with LF line ends, less blank lines at the start, with the LFs at their end held back. A CR
   * before the first line is blank space too, as the parser takes it, whatever the line ends.
   */
  private frame(lines: Buffer): void {
    let from = 0;
    if (!this.started) {
      while (from < lines.length && (lines[from] === LF || lines[from] === CR)) from++;
      if (from === lines.length) return;
      this.started = true;
    }
    let end = lines.length;
    while (end > from && lines[end - 1] === LF) end--;
    if (end > from) {
      for (; this.pendingLfs > 0; this.pendingLfs -= Math.min(this.pendingLfs, LFS.length))
        this.put(LFS.subarray(0, Math.min(this.pendingLfs, LFS.length)));
      this.put(from === 0 && end === lines.length ? lines : lines.subarray(from, end));
    }
    this.pendingLfs += lines.length - end;
  }

  private put(bytes: Buffer): void {
    if (this.bytes >= this.limit) return;
    const taken = this.bytes + bytes.length > this.limit ? bytes.subarray(0, this.limit - this.bytes) : bytes;
    this.hash.update(taken);
    this.bytes += taken.length;
  }

  private scratchOf(length: number): Buffer {
    if (this.scratch === null || this.scratch.length < length) this.scratch = Buffer.allocUnsafe(length);
    return this.scratch;
  }
}
