// The disbursement-list worker (lists.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { writeListsFrom, type ListsData } from './lists.js';
import { setMaskOutputs } from '../io/masking.js';

const data = workerData as ListsData;
// stays alive (a listener on the port) until the main thread, having the answer, stops it
parentPort!.on('message', () => {});
setMaskOutputs(data.mask);
writeListsFrom(data.auxPath, data.lists).then(
  (totals) => parentPort!.postMessage({ totals }),
  (err: Error) => parentPort!.postMessage({ error: err.message }),
);
