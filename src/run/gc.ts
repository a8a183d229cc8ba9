// A full garbage collection at the few points of a run where a large heap of garbage is known to be left and
// no allocation follows soon enough for V8 to collect it by itself: the roster store loaded (the main thread
// then waits for the claims worker, its heap ~430 MB at a million people, ~400 MB of it garbage) and the
// claims read (before the external sort's copy). Without it both heaps stayed at their peak side by side and
// the read phase set the run's peak RSS (1.19–1.41 GB at a million lines, against ~0.7 GB afterwards).
// `gc` is exposed as jest's leak detector does it (flag set at run time, the function taken from a fresh
// context); where that is not possible this does nothing — it changes memory, never results.
import { setFlagsFromString } from 'node:v8';
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
