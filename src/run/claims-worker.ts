// The claims are read, mapped and written to the external sort on the second core, while the main
// thread reads and merges the roster (issue 6). Only counts, row errors and progress come back.
import { parentPort, workerData } from 'node:worker_threads';
import { readInput } from '../io/read-input.js';
import { SortStore } from './sort-store.js';
import type { RowError } from '../domain/types.js';

const data = workerData as { files: string[]; encoding?: string; sheet?: string; aliases: [string, string][]; dir: string };

async function run(): Promise<void> {
  const store = new SortStore(data.dir);
  const invalidRows: RowError[] = [];
  let rowsRead = 0;
  let seen = 0;
  try {
    for (const file of data.files) {
      for await (const item of readInput(file, 'claims', { encoding: data.encoding, sheet: data.sheet, hospitalAliases: new Map(data.aliases) }, (s) => (rowsRead += s.rowsRead))) {
        if (item.type === 'claim') store.add(item.line);
        else if (item.type === 'error') invalidRows.push(item.error);
        if (++seen % 20_000 === 0) parentPort!.postMessage({ progress: seen });
      }
    }
    store.detach();
    parentPort!.postMessage({ done: { path: store.path, invalidRows, rowsRead, count: store.count } });
  } catch (err) {
    store.close();
    throw err;
  }
}

run().catch((err: Error) => parentPort!.postMessage({ error: { name: err.constructor.name, message: err.message } }));
