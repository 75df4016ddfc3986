/**
 * Reading a batch whose lines end in a bare CR (classic Mac exports): every CR not followed by LF
 * becomes LF, so the tokenizer and the JSON Lines reader, which end lines at LF only, see its lines.
 * A CRLF is left as it is (both readers take it). The batch is chosen once, from its first line
 * (batch-lead crLineEnds); no other batch goes through this, so LF and CRLF files pay nothing per byte.
 */

const LF = 10;
const CR = 13;
const HELD_CR = Buffer.from([CR]);

export class CrLineEnds {
  /**
   * The last chunk ended in a CR: whether it ends a line or opens a CRLF shows only with the next
   * byte, so it waits to go out in front of the next chunk (the result is the same however the
   * batch is cut into chunks).
   */
  private held = false;

  /**
   * `chunk` with its bare CRs as LF: a new buffer when anything changes (the chunk is the caller's,
   * who may fill it again once push returns), else `chunk` itself.
   */
  push(chunk: Buffer): Buffer {
    if (!this.held && chunk.indexOf(CR) === -1) return chunk;
    const out = this.held ? Buffer.concat([HELD_CR, chunk]) : Buffer.from(chunk);
    this.held = out[out.length - 1] === CR;
    const end = this.held ? out.length - 1 : out.length;
    for (let cr = out.indexOf(CR); cr !== -1 && cr < end; cr = out.indexOf(CR, cr + 1)) {
      if (out[cr + 1] !== LF) out[cr] = LF;
    }
    return out.subarray(0, end);
  }

  /** What is left at the end of the batch: a CR held back ends the last line. */
  end(): Buffer {
    if (!this.held) return Buffer.alloc(0);
    this.held = false;
    return Buffer.from([LF]);
  }
}
