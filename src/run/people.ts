// Rosters → people, for adjudicate and for the reports that need the roster (应救治人数, service units).
import { readInputBatches, type ReadOptions } from '../io/read-input.js';
import { mergeRoster, type Person } from '../roster/merge.js';
import { boundHeap } from './gc.js';
import type { RosterRow, RosterWarning } from '../domain/types.js';

/** Reads the roster files, handing each usable row to `add`; returns the reader's warnings. */
export async function readRosterRows(
  files: string[],
  opts: ReadOptions,
  add: (row: RosterRow) => void,
): Promise<RosterWarning[]> {
  const warnings: RosterWarning[] = [];
  for (const file of files) {
    for await (const batch of readInputBatches(file, 'roster', opts)) {
      boundHeap();
      for (const item of batch) {
        if (item.type === 'roster') {
          add(item.row);
          if (item.warnings.length) warnings.push(...item.warnings);
        } else if (item.type === 'ignored') warnings.push(...item.warnings);
      }
    }
  }
  return warnings;
}

export async function loadPeople(
  files: string[],
  opts: ReadOptions = {},
): Promise<{ people: Map<string, Person>; warnings: RosterWarning[] }> {
  const rows: RosterRow[] = [];
  const warnings = await readRosterRows(files, opts, (r) => rows.push(r));
  const merged = mergeRoster(rows);
  return { people: merged.people, warnings: [...warnings, ...merged.warnings] };
}
