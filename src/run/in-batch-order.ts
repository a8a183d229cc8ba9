// A batch's results handed on in the batch's order while the engine decides them one line at a time.
import type { ClaimLine } from '../domain/types.js';
import type { LineResult } from '../engine/types.js';

/**
 * Hands each line's results on in the batch's order (the external sort's), as soon as those before it are out.
 * The engine's §3 order is the same order, so a line normally goes straight through; where they differ (the
 * sort compares text as UTF-8 bytes, the engine as UTF-16 units: a name with a character beyond U+FFFF beside
 * one in U+E000–U+FFFF), a line that came early waits for the ones before it.
 */
export class InBatchOrder {
  private readonly at: Map<ClaimLine, number>;
  private readonly held = new Map<number, LineResult[]>();
  private next = 0;
  constructor(
    batch: ClaimLine[],
    private readonly out: (lineResults: LineResult[]) => void,
  ) {
    this.at = new Map(batch.map((l, i) => [l, i]));
  }
  put(lineResults: LineResult[]): void {
    this.held.set(this.at.get(lineResults[0]!.line)!, lineResults);
    for (let g = this.held.get(this.next); g; g = this.held.get(this.next)) {
      this.held.delete(this.next++);
      this.out(g);
    }
  }
  /** every line of the batch handed on */
  get complete(): boolean {
    return this.next === this.at.size && this.held.size === 0;
  }
}
