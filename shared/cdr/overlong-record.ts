/**
 * Reads past a CSV record that is over the tokenizer's record bound without holding it, to find where
 * it ends the way the tokenizer would have read it: a quote at a field's start opens a quoted field,
 * a doubled quote inside one is a quote, a lone one closes it, and only a line end outside quotes ends
 * the record. So a long closed quoted field, line breaks and all, is one quarantined row, and the row
 * after it is read as a row.
 *
 * Its opening line is never held. From the first line end inside a quoted field on, the bytes are
 * held, up to the record bound: should the quote then not close within MAX_QUOTED_LINES lines (or
 * before the input ends), it is a runaway quote after all, and reading resumes on the line after the
 * opening one, with those held bytes, as for any unterminated quote, so no row is lost. Past the bound
 * nothing more is held and the quote is followed to its end: a runaway quote found only then has
 * the lines it ran over read with it (readPast), as one quarantined row that says so.
 * Read byte by byte: only records over the bound come here.
 */

const QUOTE = 34;
const COMMA = 44;
const LF = 10;

/** feed's answer when the record is a runaway quote: read resume() next */
export const UNTERMINATED = -2;

export class OverlongRecord {
  /** the physical line the record starts on */
  readonly line: number;
  /** the record's first bytes, for its quarantine entry */
  readonly raw: string;
  /** bytes of the record read so far */
  bytes = 0;
  /** line ends read with the record so far (its own last one too) */
  lines = 0;
  private inQuote = false;
  /** the last byte read was a quote inside a quoted field: the next one says whether it closed it */
  private quoteAhead = false;
  private fieldStart = true;
  /** line ends inside the quoted field being read */
  private fieldLines = 0;
  /** the bytes after the first line end inside a quote (null before there is one, or past the bound) */
  private held: Buffer[] | null = null;
  /** the held bytes passed the bound: they were let go, and the record is only read past */
  readPast = false;
  /** it ended as a runaway quote, read past (see readPast) */
  unterminated = false;
  /** the input ended inside it */
  inputEnded = false;
  private heldBytes = 0;
  private readonly maxHeld: number;
  private readonly maxFieldLines: number;

  constructor(line: number, raw: string, maxHeld: number, maxFieldLines: number) {
    this.line = line;
    this.raw = raw;
    this.maxHeld = maxHeld;
    this.maxFieldLines = maxFieldLines;
  }

  /**
   * Reads buf from `from`: the offset just after the record's end when it ends in buf (a line end, or,
   * read past, a runaway quote's last line: see `unterminated`); -1 when it goes on past buf (what
   * must be held of buf is copied); UNTERMINATED when a quoted field spans more lines than it may
   * while its lines are held (then every byte after the opening line, to the end of buf, is in
   * resume()).
   */
  feed(buf: Buffer, from: number): number {
    let heldFrom = this.held === null ? -1 : from;
    for (let i = from; i < buf.length; i++) {
      const c = buf[i];
      if (this.inQuote) {
        if (!this.quoteAhead) {
          if (c === QUOTE) this.quoteAhead = true;
          else if (c === LF) {
            this.lines++;
            if (this.held === null && !this.readPast) {
              this.held = [];
              heldFrom = i + 1;
            }
            if (++this.fieldLines > this.maxFieldLines) {
              this.bytes += i + 1 - from;
              if (this.readPast) {
                // its lines are gone: they end with it, here
                this.unterminated = true;
                return i + 1;
              }
              this.hold(buf, heldFrom);
              return UNTERMINATED;
            }
          }
          continue;
        }
        this.quoteAhead = false;
        if (c === QUOTE) continue; // a doubled quote: still inside
        this.inQuote = false; // the quote before closed the field; c is read after it
      }
      if (c === LF) {
        this.bytes += i + 1 - from;
        this.lines++;
        this.held = null;
        return i + 1;
      }
      if (c === COMMA) this.fieldStart = true;
      else {
        if (c === QUOTE && this.fieldStart) {
          this.inQuote = true;
          this.fieldLines = 0;
        }
        this.fieldStart = false;
      }
    }
    this.bytes += buf.length - from;
    this.hold(buf, heldFrom);
    if (this.heldBytes > this.maxHeld) {
      this.held = null;
      this.readPast = true;
    }
    return -1;
  }

  /** The input ended: whether inside a quoted field (then the record is an unterminated quote). */
  endOfInput(): boolean {
    this.inputEnded = true;
    const open = this.inQuote && !this.quoteAhead;
    if (open && this.readPast) this.unterminated = true;
    return open;
  }

  /** The held bytes after the opening line of an unterminated quote, where reading resumes. */
  resume(): Buffer {
    const held = Buffer.concat(this.held ?? []);
    this.held = null;
    return held;
  }

  private hold(buf: Buffer, from: number): void {
    if (this.held === null || from === -1 || from >= buf.length) return;
    this.held.push(Buffer.from(buf.subarray(from)));
    this.heldBytes += buf.length - from;
  }
}
