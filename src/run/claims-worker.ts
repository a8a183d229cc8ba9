// The claims are read, mapped and written to the external sort on the second core, while the main
// thread reads and merges the roster (issue 6). Only counts, row errors and progress come back.
import { parentPort } from 'node:worker_threads';
import { workerInput } from './workers.js';
import { readClaimsInto } from './read-claims.js';
import { SortStore } from './sort-store.js';
import { collectGarbage } from './gc.js';

export interface ClaimsWorkerData {
  files: string[];
  encoding?: string;
  sheet?: string;
  aliases: [string, string][];
  dir: string;
}

const data = workerInput<ClaimsWorkerData>();

async function run(): Promise<void> {
  const store = new SortStore(data.dir);
  const { invalidRows, rowsRead } = await readClaimsInto(
    store,
    data.files,
    { encoding: data.encoding, sheet: data.sheet, hospitalAliases: new Map(data.aliases) },
    (seen) => parentPort!.postMessage({ progress: seen }),
  );
  collectGarbage();
  // duplicates marked and the valid lines sorted here, while the main thread still reads the roster
  store.prepare();
  store.detach();
  parentPort!.postMessage({ done: { path: store.path, invalidRows, rowsRead } });
}

run().catch((err: Error) => parentPort!.postMessage({ error: { name: err.constructor.name, message: err.message } }));
