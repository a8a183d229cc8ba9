import { brotliDecompressSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import {
  LocalTraceChunks,
  TRACE_CHUNK_LINES,
  TraceChunkMaker,
  TraceItems,
  type TraceItem,
  type TracePlace,
} from './trace-chunks.js';

/** entry i as the session's pieces: its JSON text split where the session splits it */
const pieces = (i: number): string[] => [
  '{"line":',
  JSON.stringify([`LN${i}`, i % 7, '亭湖区人民医院']),
  ',"results":[',
  `{"policy":"th-2021","trace":`,
  JSON.stringify([{ step: '救助基数', clause: '三、（一）', result: `B = ${i}.00 − 0.00 = ${i}.00` }]),
  ',"accumulators":[]}',
  ']}',
];

describe('trace chunks', () => {
  const n = 2 * TRACE_CHUNK_LINES + 904;

  test('made in another thread (items, then the maker) they are the bytes made here, in the same places', async () => {
    const here = new Map<number, Buffer>();
    const local = new LocalTraceChunks((no, data) => here.set(no, data));
    const placesHere: TracePlace[] = [];
    for (let i = 0; i < n; i++) placesHere.push(local.add(pieces(i)));
    await local.drain(0);
    local.closeSync();

    const there = new Map<number, Buffer>();
    const maker = new TraceChunkMaker((no, data) => there.set(no, data));
    const queue = new TraceItems();
    const placesThere: TracePlace[] = [];
    const sent: TraceItem[] = [];
    for (let i = 0; i < n; i++) {
      placesThere.push(queue.add(pieces(i)));
      // sent a batch at a time, as the run does
      if (i % 700 === 699) sent.push(...queue.take());
    }
    queue.closeLast();
    sent.push(...queue.take());
    maker.take(sent);

    expect(placesThere).toEqual(placesHere);
    expect(placesHere[TRACE_CHUNK_LINES - 1]).toEqual([0, TRACE_CHUNK_LINES - 1]);
    expect(placesHere[TRACE_CHUNK_LINES]).toEqual([1, 0]);
    expect(placesHere[n - 1]).toEqual([2, 903]);
    expect(queue.closed).toBe(3);
    expect(queue.pending).toBe(false);
    expect([...there.keys()]).toEqual([0, 1, 2]);
    for (const no of [0, 1, 2]) expect(there.get(no)!.equals(here.get(no)!), `chunk ${no}`).toBe(true);
    // a chunk is the JSON array of its entries
    const second = JSON.parse(brotliDecompressSync(there.get(1)!).toString('utf8')) as unknown[];
    expect(second).toHaveLength(TRACE_CHUNK_LINES);
    expect(second[0]).toEqual(JSON.parse(pieces(TRACE_CHUNK_LINES).join('')));
    expect(JSON.parse(brotliDecompressSync(there.get(2)!).toString('utf8'))).toHaveLength(904);
  });

  test('a run of whole chunks closes no empty last chunk; an entry after the end is still pending', () => {
    const queue = new TraceItems();
    for (let i = 0; i < TRACE_CHUNK_LINES; i++) queue.add(pieces(i));
    queue.closeLast();
    const items = queue.take();
    expect(items.filter((x) => typeof x === 'number')).toEqual([0]);
    expect(queue.closed).toBe(1);
    expect(queue.add(pieces(0))).toEqual([1, 0]);
    expect(queue.pending).toBe(true);
  });

  test('seal refuses while a chunk made here is still being compressed', async () => {
    const stored: number[] = [];
    const local = new LocalTraceChunks((no) => stored.push(no));
    for (let i = 0; i < TRACE_CHUNK_LINES + 1; i++) local.add(pieces(i));
    expect(() => local.closeSync()).toThrow(/drain/);
    await local.drain(0);
    local.closeSync();
    expect(stored).toEqual([0, 1]);
  });
});
