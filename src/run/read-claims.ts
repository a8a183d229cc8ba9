// The claims files → the external sort (valid lines) and the row errors; shared by the claims worker and
// the one-thread path (useWorkers).
import { readInputBatches } from '../io/read-input.js';
import { boundHeap } from './gc.js';
import type { RowError } from '../domain/types.js';
import type { SortStore } from './sort-store.js';

export interface ClaimsRead {
  invalidRows: RowError[];
  rowsRead: number;
}

/** Fills `store`; on failure the store is closed (and its file removed) before the error goes on. */
export async function readClaimsInto(
  store: SortStore,
  files: string[],
  opts: { encoding?: string; sheet?: string; hospitalAliases?: Map<string, string> },
  onProgress?: (rows: number) => void,
): Promise<ClaimsRead> {
  const invalidRows: RowError[] = [];
  let rowsRead = 0;
  let seen = 0;
  try {
    for (const file of files) {
      for await (const batch of readInputBatches(file, 'claims', opts, (s) => (rowsRead += s.rowsRead))) {
        boundHeap();
        for (const item of batch) {
          if (item.type === 'claim') store.add(item.line);
          else if (item.type === 'error') invalidRows.push(item.error);
          if (++seen % 10_000 === 0) onProgress?.(seen);
        }
      }
    }
  } catch (err) {
    store.close();
    throw err;
  }
  return { invalidRows, rowsRead };
}
