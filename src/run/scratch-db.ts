// The temporary SQLite files of a run (the external sort, its aux file, the roster store): no journal,
// no fsync, one connection, a 64 MB page cache — they are thrown away after the run, or by the next run
// if this one is killed. Rows are inserted in transactions of 50,000.
import Database from 'better-sqlite3';
import { closeSync, openSync } from 'node:fs';

export function scratchDatabase(path: string): Database.Database {
  // created 0600 before SQLite opens it (SQLite would create it 0644 under the usual umask)
  closeSync(openSync(path, 'a', 0o600));
  const db = new Database(path);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('cache_size = -65536');
  return db;
}

/** `sql` as a function that inserts one row, committing and beginning again every 50,000 rows (a transaction must be open). */
export function batchedInsert(db: Database.Database, sql: string): (...values: unknown[]) => void {
  const stmt = db.prepare(sql);
  let pending = 0;
  return (...values) => {
    stmt.run(...values);
    if (++pending >= 50_000) {
      db.exec('COMMIT; BEGIN');
      pending = 0;
    }
  };
}
