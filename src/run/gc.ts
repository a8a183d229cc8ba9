// A full garbage collection at the few points of a run where a large heap of garbage is known to be left and
// no allocation follows soon enough for V8 to collect it by itself: the roster store loaded (the main thread
// then waits for the claims worker, its heap ~430 MB at a million people, ~400 MB of it garbage) and the
// claims read (before the external sort's copy). Without it both heaps stayed at their peak side by side and
// the read phase set the run's peak RSS (1.19–1.41 GB at a million lines, against ~0.7 GB afterwards).
// `gc` is exposed as jest's leak detector does it (flag set at run time, the function taken from a fresh
// context); where that is not possible this does nothing — it changes memory, never results.
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null | undefined;

export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  gc?.();
}

/** Garbage a long read may leave in the heap before a full collection is forced (see boundHeap). */
const HEAP_SLACK = 192 * 2 ** 20;
let heapAfterLast = 0;

/**
 * Called now and then by a long read (the claims, the roster): a full collection once the heap has grown by
 * HEAP_SLACK since the last one. Left to itself V8 let a reader's old generation grow to two or three times what
 * was live (the shared-string table, ~0.2 GB at a million lines) before collecting, differently in each run: at
 * a million lines the read phase's peak RSS went from 0.83 to 1.45 GB between runs of the same build.
 */
export function boundHeap(): void {
  if (getHeapStatistics().used_heap_size < heapAfterLast + HEAP_SLACK) return;
  collectGarbage();
  heapAfterLast = getHeapStatistics().used_heap_size;
}
