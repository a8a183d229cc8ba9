// The disbursement-list worker (lists.ts).
import { parentPort } from 'node:worker_threads';
import { writeListsFrom, type ListsData } from './lists.js';
import { workerInput } from './workers.js';

const data = workerInput<ListsData>();
// stays alive (a listener on the port) until the main thread, having the answer, stops it
parentPort!.on('message', () => {});
writeListsFrom(data.auxPath, data.lists).then(
  (totals) => parentPort!.postMessage({ totals }),
  (err: Error) => parentPort!.postMessage({ error: err.message }),
);
