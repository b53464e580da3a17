/**
 * Cuts a stream of chunks into whole lines: the bytes up to each chunk's last newline go out at once,
 * the partial line after it waits (copied, since the reader reuses its buffer) for the next chunk.
 * A partial line longer than `maxLineBytes` is dropped up to its newline, so a file without newlines
 * cannot grow memory.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Set while the rest of a line is to be dropped: one already started at the end of a file, or overlong. */
  private skipping = false;

  constructor(
    private readonly onLines: (chunk: Buffer) => void,
    private readonly maxLineBytes: number,
    private readonly onOverlong: (bytes: number) => void,
  ) {}

  /** Opening a file at `position`: mid-line, what comes before the next newline is the old line's rest and is dropped. */
  startAt(midLine: boolean): void {
    this.skipping = midLine;
  }

  take(bytes: Buffer): void {
    const firstNewline = bytes.indexOf(0x0a);
    if (firstNewline < 0) {
      this.keep(bytes);
      return;
    }
    if (this.skipping) {
      this.skipping = false;
      this.clear();
    } else if (this.pendingBytes > 0) {
      this.pending.push(bytes.subarray(0, firstNewline + 1));
      this.onLines(Buffer.concat(this.pending));
      this.clear();
    } else {
      this.onLines(bytes.subarray(0, firstNewline + 1));
    }
    const lastNewline = bytes.lastIndexOf(0x0a);
    if (lastNewline > firstNewline) this.onLines(bytes.subarray(firstNewline + 1, lastNewline + 1));
    if (lastNewline + 1 < bytes.length) this.keep(bytes.subarray(lastNewline + 1));
  }

  /** A last line without its newline, at a rotation or truncation: the writer will not finish it in this file. */
  flush(): void {
    if (this.pendingBytes > 0 && !this.skipping) this.onLines(Buffer.concat(this.pending));
    this.clear();
    this.skipping = false;
  }

  private keep(bytes: Buffer): void {
    if (this.skipping) return;
    if (this.pendingBytes + bytes.length > this.maxLineBytes) {
      this.onOverlong(this.pendingBytes + bytes.length);
      this.clear();
      // The rest of this line is dropped too, up to its newline.
      this.skipping = true;
      return;
    }
    this.pending.push(Buffer.from(bytes));
    this.pendingBytes += bytes.length;
  }

  private clear(): void {
    this.pending = [];
    this.pendingBytes = 0;
  }
}
