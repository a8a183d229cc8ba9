// The ledger's trace chunks: every line's TraceEntry as JSON text, 2,048 lines to a chunk, the chunk a JSON array
// compressed with brotli. The text is made by the session (its pieces); where it is encoded and compressed is a
// TraceSink — here in the ledger's thread (LocalTraceChunks), or in the output worker beside the JSON lines
// (run/outputs.ts, WorkerSettlement.traceSink: TraceItems here, TraceChunkMaker there), which hands each compressed
// chunk back to be stored. Both build the same bytes with TraceChunkBuilder, so a chunk does not depend on where it
// was made.
import { brotliCompress, brotliCompressSync, constants as zc, type BrotliOptions } from 'node:zlib';
import { Utf8Builder } from '../io/utf8-builder.js';

export const TRACE_CHUNK_LINES = 2048;

/** brotli at quality 5: ~100 bytes a line, where deflate level 1 took ~210 */
export function chunkCompression(size: number): BrotliOptions {
  return {
    params: { [zc.BROTLI_PARAM_QUALITY]: 5, [zc.BROTLI_PARAM_LGWIN]: 22, [zc.BROTLI_PARAM_SIZE_HINT]: size },
  };
}

export function compressChunkSync(data: Uint8Array): Buffer {
  return brotliCompressSync(data, chunkCompression(data.length));
}

/** Where an entry went: its chunk and its index in it (the line's trace_chunk, trace_index). */
export type TracePlace = [chunk: number, index: number];

/** Stores a compressed chunk in the run (the session's INSERT). */
export type StoreChunk = (chunk: number, data: Buffer) => void;

export interface TraceSink {
  /** one line's entry, as the pieces of its JSON text in order */
  add(pieces: string[]): TracePlace;
  /** waits until no more than `maxPending` closed chunks are not yet stored (0: the last chunk closed too) */
  drain(maxPending: number): Promise<void>;
  /** at seal: the last chunk closed and stored here and now; everything else must be stored already */
  closeSync(): void;
}

/** Chunk numbering: which chunk and index each entry takes. */
export class ChunkCounter {
  chunk = 0;
  lines = 0;
  /** the next entry's place; `closes` tells whether the chunk is full with it */
  next(): { place: TracePlace; closes: boolean } {
    const place: TracePlace = [this.chunk, this.lines++];
    const closes = this.lines >= TRACE_CHUNK_LINES;
    if (closes) {
      this.chunk++;
      this.lines = 0;
    }
    return { place, closes };
  }
  /** the open chunk closed at the end of the run: its number, or null when it has no entries */
  closeOpen(): number | null {
    if (this.lines === 0) return null;
    this.lines = 0;
    return this.chunk++;
  }
}

/** Chunk work in order, for chunks made in another thread: an entry's pieces, or the number of a chunk to close. */
export type TraceItem = string[] | number;

/** The ledger's side of chunks made in another thread: each entry placed, and queued with the chunks' closings. */
export class TraceItems {
  private readonly counter = new ChunkCounter();
  private items: TraceItem[] = [];
  /** chunks closed so far */
  closed = 0;
  add(pieces: string[]): TracePlace {
    const { place, closes } = this.counter.next();
    this.items.push(pieces);
    if (closes) this.close(place[0]);
    return place;
  }
  private close(no: number): void {
    this.items.push(no);
    this.closed++;
  }
  /** the last chunk closed, if it has entries (at the end of the run) */
  closeLast(): void {
    const no = this.counter.closeOpen();
    if (no !== null) this.close(no);
  }
  /** the items queued since the last take */
  take(): TraceItem[] {
    const out = this.items;
    this.items = [];
    return out;
  }
  /** whether anything is queued or a chunk is open */
  get pending(): boolean {
    return this.items.length > 0 || this.counter.lines > 0;
  }
}

/** The other thread's side: the items into chunks, each closed chunk compressed and handed to `send`. */
export class TraceChunkMaker {
  private readonly builder = new TraceChunkBuilder();
  constructor(private readonly send: (chunk: number, data: Buffer) => void) {}
  take(items: TraceItem[]): void {
    for (const item of items) {
      if (typeof item !== 'number') this.builder.add(item);
      else {
        const data = this.builder.take();
        this.send(item, compressChunkSync(data));
        this.builder.recycle(data);
      }
    }
  }
}

/**
 * A chunk's bytes, encoded piece by piece into one buffer: each entry's pieces (the traces embedded as serialised
 * once) are never joined, which would copy each trace twice more.
 */
export class TraceChunkBuilder {
  private readonly bytes = new Utf8Builder(8 << 20);
  private lines = 0;
  add(pieces: string[]): void {
    this.bytes.add(this.lines++ === 0 ? '[' : ',');
    for (const p of pieces) this.bytes.add(p);
  }
  /** the chunk's JSON array, handed over (give it back with recycle once compressed) */
  take(): Buffer {
    this.bytes.add(']');
    this.lines = 0;
    return this.bytes.take();
  }
  recycle(data: Buffer): void {
    this.bytes.recycle(data);
  }
}

/**
 * The chunks made in this thread: each full chunk compressed on libuv's thread pool (the second core) and stored
 * when done; the last one at seal, here.
 */
export class LocalTraceChunks implements TraceSink {
  private readonly counter = new ChunkCounter();
  private readonly builder = new TraceChunkBuilder();
  private pending = 0;
  private error: Error | null = null;
  private readonly waiters: (() => void)[] = [];
  private stopped = false;

  constructor(private readonly store: StoreChunk) {}

  add(pieces: string[]): TracePlace {
    const { place, closes } = this.counter.next();
    this.builder.add(pieces);
    if (closes) this.compress(place[0]);
    return place;
  }

  private compress(no: number): void {
    const data = this.builder.take();
    this.pending++;
    brotliCompress(data, chunkCompression(data.length), (err, out) => {
      this.pending--;
      this.builder.recycle(data);
      if (!this.stopped) {
        try {
          if (err) throw err;
          this.store(no, out);
        } catch (e) {
          this.error ??= e as Error;
        }
      }
      for (const w of this.waiters.splice(0)) w();
    });
  }

  async drain(maxPending: number): Promise<void> {
    while (this.pending > maxPending) await new Promise<void>((res) => this.waiters.push(res));
    if (this.error) throw this.error;
  }

  closeSync(): void {
    if (this.pending > 0) throw new Error('内部错误：计算过程尚未全部写入（提交前须先 drain）');
    if (this.error) throw this.error;
    const no = this.counter.closeOpen();
    if (no !== null) this.store(no, compressChunkSync(this.builder.take()));
  }

  /** a rolled-back run: chunks still being compressed are not stored */
  stop(): void {
    this.stopped = true;
  }
}
