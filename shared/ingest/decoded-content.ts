import { createHash, type Hash } from 'node:crypto';

const CR = 13;
const LF = 10;

/**
 * A digest of a batch's decoded lines, whatever their line ends (a CR before an LF is left out): the
 * same calls sent again gzipped, or written with CRLF instead of LF, give the same digest, where their
 * ETags differ. The key of a claim on that content (ManifestStore.claimContent), so the second batch
 * is recorded as a repeat and its calls are counted once. Taken chunk by chunk as the reader decodes
 * them; a chunk without a CR (most batches) is hashed as it is.
 */
export class DecodedContent {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;
  /** the last chunk ended in a CR: left out if the next one starts with an LF */
  private pendingCr = false;
  private scratch: Buffer | null = null;

  update(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.pendingCr) {
      this.pendingCr = false;
      if (chunk[0] !== LF) this.put(Buffer.of(CR));
    }
    if (chunk.indexOf(CR) === -1) {
      this.put(chunk);
      return;
    }
    // CRLF lines: copy the bytes between the CRs of CR LFs (a memcpy a line), then hash the copy once
    const out = this.scratchOf(chunk.length);
    const last = chunk.length - 1;
    let n = 0;
    let from = 0;
    for (let cr = chunk.indexOf(CR); cr !== -1; cr = chunk.indexOf(CR, cr + 1)) {
      if (cr === last) {
        n += chunk.copy(out, n, from, cr);
        from = chunk.length;
        this.pendingCr = true;
      } else if (chunk[cr + 1] === LF) {
        n += chunk.copy(out, n, from, cr);
        from = cr + 1;
      }
    }
    n += chunk.copy(out, n, from);
    this.put(out.subarray(0, n));
  }

  /** `decoded:<sha256>#<bytes>` of every line read (call once, after the whole batch was read) */
  key(): string {
    if (this.pendingCr) this.put(Buffer.of(CR));
    this.pendingCr = false;
    return `decoded:${this.hash.digest('hex')}#${this.bytes}`;
  }

  private put(bytes: Buffer): void {
    this.hash.update(bytes);
    this.bytes += bytes.length;
  }

  private scratchOf(length: number): Buffer {
    if (this.scratch === null || this.scratch.length < length) this.scratch = Buffer.allocUnsafe(length);
    return this.scratch;
  }
}
