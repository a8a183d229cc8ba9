// The run's worker threads (claims reading, settlement workbook, disbursement lists): started without the
// parent's Node flags (execArgv: []), and with the run's module state a worker needs — --mask — carried over,
// so no worker writes a workbook without it.
import { statSync } from 'node:fs';
import { Worker, workerData, type ResourceLimits } from 'node:worker_threads';
import { maskOutputs, setMaskOutputs } from '../io/masking.js';

interface Envelope<T> {
  data: T;
  mask: boolean;
}

/** Starts `file` (a module beside this one) with `data`. */
export function startWorker<T>(file: string, data: T, resourceLimits?: ResourceLimits): Worker {
  return new Worker(new URL(file, import.meta.url), {
    execArgv: [],
    resourceLimits,
    workerData: { data, mask: maskOutputs() } satisfies Envelope<T>,
  });
}

/** In the worker: its data, the carried state applied. */
export function workerInput<T>(): T {
  const w = workerData as Envelope<T>;
  setMaskOutputs(w.mask);
  return w.data;
}

/**
 * Claims files smaller than this in all are adjudicated on one thread. Starting the three workers costs about
 * 0.5 s of wall time and 0.9 core-seconds, more than the second core gives back on a small month: 3,000 rows
 * (320 KB) took 4.7 s on one thread and 5.2 s with workers; 30,000 rows (3.1 MB) 19 s and 16 s. The outputs are
 * the same byte for byte either way (tests/e2e-adjudicate.test.ts).
 */
export const ONE_THREAD_BELOW_BYTES = 1 << 20;

/**
 * Whether a run reads, writes and lists in worker threads: ASSIST_WORKERS=0 never, ASSIST_WORKERS=1 always
 * (the benchmark and the tests that compare both), otherwise when the claims files reach ONE_THREAD_BELOW_BYTES.
 * A file that cannot be read counts as large: its reader names the problem.
 */
export function useWorkers(claimsFiles: string[]): boolean {
  const chosen = process.env.ASSIST_WORKERS;
  if (chosen === '0') return false;
  if (chosen === '1') return true;
  let bytes = 0;
  for (const f of claimsFiles) {
    try {
      bytes += statSync(f).size;
    } catch {
      return true;
    }
  }
  return bytes >= ONE_THREAD_BELOW_BYTES;
}
