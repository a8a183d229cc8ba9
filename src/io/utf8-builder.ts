// Text made piece by piece (the results' JSON lines, the ledger's trace chunks) encoded straight into a
// Buffer as UTF-8, instead of concatenated into one large string first. A large concatenated string is
// flattened into a fresh two-byte copy (the traces are Chinese) in V8's large-object space — new pages
// from the OS each time, then the UTF-8 copy on top: at a million lines that was millions of page faults
// and most of the run's system time (issue 6, measured with perf).
export class Utf8Builder {
  private buf: Buffer;
  private pos = 0;

  constructor(private readonly initial = 1 << 20) {
    this.buf = Buffer.allocUnsafeSlow(initial);
  }

  get length(): number {
    return this.pos;
  }

  add(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit
    const need = text.length * 3;
    if (need > this.buf.length - this.pos) this.grow(need);
    this.pos += this.buf.write(text, this.pos, 'utf8');
  }

  private grow(need: number): void {
    let size = this.buf.length * 2;
    while (size - this.pos < need) size *= 2;
    const next = Buffer.allocUnsafeSlow(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private readonly spare: Buffer[] = [];

  /**
   * The bytes so far, handed over: the builder starts again in another buffer, so the returned one may be kept
   * (until given back with recycle — a buffer used again costs no new pages).
   */
  take(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.buf = this.spare.pop() ?? Buffer.allocUnsafeSlow(Math.max(this.initial, this.pos + (this.pos >> 3)));
    this.pos = 0;
    return out;
  }

  /** A buffer from take() that is no longer used. */
  recycle(taken: Buffer): void {
    if (this.spare.length < 4)
      this.spare.push(Buffer.from(taken.buffer, taken.byteOffset, taken.buffer.byteLength - taken.byteOffset));
  }

  /** The bytes so far, to be used before the next add (the buffer is reused). */
  peek(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  clear(): void {
    this.pos = 0;
  }
}
