// The roster of a run at scale (issue 6): roster rows go to a temporary SQLite file as they are read,
// and each engine batch merges only the people its lines name. Memory does not grow with the roster
// (a million people held as objects took ~2 GB of heap). The merge is the same as loadPeople's
// (mergeRoster over all of a person's rows, in the order they were read).
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { scratchDir } from './scratch.js';
import { join } from 'node:path';
import type { ReadOptions } from '../io/read-input.js';
import { readRosterRows } from './people.js';
import { scratchDatabase, batchedInsert } from './scratch-db.js';
import { mergeRoster, type Person } from '../roster/merge.js';
import type { RosterRow, RosterWarning } from '../domain/types.js';

export class RosterStore {
  private readonly db: Database.Database;
  readonly path: string;
  private readonly insert: (...values: unknown[]) => void;
  private readonly byId: Database.Statement;

  constructor(dir = scratchDir()) {
    this.path = join(dir, `.assist-roster-${process.pid}-${Date.now()}.db`);
    this.db = scratchDatabase(this.path);
    this.db.exec(
      'CREATE TABLE p (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, name TEXT NOT NULL, data TEXT NOT NULL); BEGIN',
    );
    this.insert = batchedInsert(this.db, 'INSERT INTO p (id, name, data) VALUES (?, ?, ?)');
    this.byId = this.db.prepare('SELECT data FROM p WHERE id = ? ORDER BY seq');
  }

  add(r: RosterRow): void {
    this.insert(r.idNumber, r.name, JSON.stringify(r));
  }

  /** Done adding: index by ID and return the merge's warnings (a person with two names), in reading order. */
  finish(): RosterWarning[] {
    if (this.db.inTransaction) this.db.exec('COMMIT');
    // the index carries the name too, so finding the people with two names reads only the index
    this.db.exec('CREATE INDEX p_id ON p (id, seq, name)');
    const ids = this.db
      .prepare("SELECT id FROM p GROUP BY id HAVING MIN(NULLIF(name, '')) <> MAX(NULLIF(name, '')) ORDER BY MIN(seq)")
      .pluck()
      .all() as string[];
    const warnings: RosterWarning[] = [];
    for (const id of ids) warnings.push(...mergeRoster(this.rows(id)).warnings);
    return warnings;
  }

  private rows(id: string): RosterRow[] {
    return (this.byId.pluck().all(id) as string[]).map((d) => JSON.parse(d) as RosterRow);
  }

  /** The merged people among `ids` (those not on the roster are absent). */
  people(ids: Iterable<string>): Map<string, Person> {
    const rows: RosterRow[] = [];
    for (const id of new Set(ids)) rows.push(...this.rows(id));
    return mergeRoster(rows).people;
  }

  /** Closes and removes the file; a second call does nothing. */
  close(): void {
    if (!this.db.open) return;
    try {
      if (this.db.inTransaction) this.db.exec('COMMIT');
      this.db.close();
    } finally {
      rmSync(this.path, { force: true });
    }
  }
}

/** Reads the roster files into a store; the warnings are the reader's and the merge's, as loadPeople gives them. */
export async function loadRosterStore(
  files: string[],
  opts: ReadOptions = {},
  dir?: string,
): Promise<{ store: RosterStore; warnings: RosterWarning[] }> {
  const store = new RosterStore(dir);
  try {
    const warnings = await readRosterRows(files, opts, (r) => store.add(r));
    warnings.push(...store.finish());
    return { store, warnings };
  } catch (err) {
    store.close();
    throw err;
  }
}
