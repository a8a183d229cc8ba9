// The disbursement-list worker (lists.ts).
import { parentPort } from 'node:worker_threads';
import { writeListsFrom, type ListsData } from './lists.js';
import { workerInput } from './workers.js';

const data = workerInput<ListsData>();
// the run's 台账校验码 arrives once the run is sealed; the listener also keeps the worker alive until the main
// thread, having the answer, stops it
const ledgerCode = new Promise<string>((resolve) =>
  parentPort!.on('message', (m: { ledgerCode?: string }) => {
    if (m.ledgerCode !== undefined) resolve(m.ledgerCode);
  }),
);
writeListsFrom(data.auxPath, data.lists, ledgerCode).then(
  (totals) => parentPort!.postMessage({ totals }),
  (err: Error) => parentPort!.postMessage({ error: err.message }),
);
