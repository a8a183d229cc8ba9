// The run's worker threads (claims reading, settlement workbook, disbursement lists): started without the
// parent's Node flags (execArgv: []), and with the run's module state a worker needs — --mask — carried over,
// so no worker writes a workbook without it.
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
