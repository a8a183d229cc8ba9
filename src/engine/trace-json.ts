// A result's trace serialised once: the ledger's trace chunk and the results jsonl both embed the same
// JSON text (the trace is most of both; serialising it twice cost ~1 s per 100,000 lines).
import type { LineResult } from './types.js';

const cache = new WeakMap<LineResult, string>();

export function traceJson(r: LineResult): string {
  let s = cache.get(r);
  if (s === undefined) {
    s = JSON.stringify(r.trace);
    cache.set(r, s);
  }
  return s;
}
