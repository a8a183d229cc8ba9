// Rosters → people, for adjudicate and for the reports that need the roster (应救治人数, service units).
import { readInput, type ReadOptions } from '../io/read-input.js';
import { mergeRoster, type Person } from '../roster/merge.js';
import type { RosterRow, RosterWarning } from '../domain/types.js';

export async function loadPeople(files: string[], opts: ReadOptions = {}): Promise<{ people: Map<string, Person>; warnings: RosterWarning[] }> {
  const rows: RosterRow[] = [];
  const warnings: RosterWarning[] = [];
  for (const file of files) {
    for await (const item of readInput(file, 'roster', opts)) {
      if (item.type === 'roster') {
        rows.push(item.row);
        warnings.push(...item.warnings);
      } else if (item.type === 'ignored') warnings.push(...item.warnings);
    }
  }
  const merged = mergeRoster(rows);
  return { people: merged.people, warnings: [...warnings, ...merged.warnings] };
}
