// The external sort of a run (issue 6): claim lines are written to a temporary SQLite file as they are
// read, and read back in §3 order. Memory does not grow with the number of lines: SQLite's sorter
// spills to disk. Also finds the batch's duplicate keys (DUPLICATE_LINE, both copies) and the month.
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { scratchDir } from './scratch.js';
import { join } from 'node:path';
import type { ClaimLine, RowError } from '../domain/types.js';
import { duplicateError, lineKey } from '../io/batch.js';
import { decodeLine, encodedLine, RECORD_FIELDS } from '../ledger/content.js';
import { batchedInsert, scratchDatabase } from './scratch-db.js';

export function encodeLine(l: ClaimLine): string {
  return encodedLine(l).text;
}
export { decodeLine };

/** The §3 order as one sortable text: settlementDate, admissionDate, hospital, claimId, lineNo. */
export function sortKey(l: ClaimLine): string {
  return `${l.settlementDate}\u0001${l.admissionDate}\u0001${l.hospital}\u0001${l.claimId}\u0001${String(l.lineNo).padStart(10, '0')}`;
}

export class SortStore {
  readonly db: Database.Database;
  readonly path: string;
  private readonly insert: (...values: unknown[]) => void;
  count = 0;

  /** A new store in `dir`, or (`existing`) the file a claims worker filled. */
  constructor(dir = scratchDir(), existing?: string) {
    this.path = existing ?? join(dir, `.assist-sort-${process.pid}-${Date.now()}.db`);
    this.db = scratchDatabase(this.path);
    if (!existing)
      this.db.exec(
        'CREATE TABLE l (id INTEGER PRIMARY KEY, k TEXT NOT NULL, dk TEXT NOT NULL, month TEXT NOT NULL, dup INTEGER NOT NULL DEFAULT 0, data TEXT NOT NULL)',
      );
    this.insert = batchedInsert(this.db, 'INSERT INTO l (k, dk, month, data) VALUES (?, ?, ?, ?)');
    if (!existing) this.db.exec('BEGIN');
  }

  /** The filling side (a worker) is done: commit and release the file, keep it for the reader. */
  detach(): void {
    if (this.db.inTransaction) this.db.exec('COMMIT');
    this.db.close();
  }

  add(l: ClaimLine): void {
    this.insert(sortKey(l), lineKey(l), l.settlementDate.slice(0, 7), encodeLine(l));
    this.count++;
  }

  /**
   * Done adding: marks every copy of a key seen twice (DUPLICATE_LINE) and writes the valid lines out in §3
   * order (table s), so the engine's read is a plain scan. The claims worker does this on the second core
   * while the main thread is still reading the roster; it is done once.
   */
  prepare(): void {
    if (this.db.inTransaction) this.db.exec('COMMIT');
    if (this.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 's'").get()) return;
    this.db.exec(`CREATE INDEX l_dk ON l (dk);
      UPDATE l SET dup = 1 WHERE dk IN (SELECT dk FROM l GROUP BY dk HAVING COUNT(*) > 1);
      BEGIN; CREATE TABLE m AS SELECT month, COUNT(*) AS n FROM l WHERE dup = 0 GROUP BY month;
      CREATE TABLE s (data TEXT NOT NULL); INSERT INTO s (data) SELECT data FROM l WHERE dup = 0 ORDER BY k; COMMIT`);
  }

  /** Every copy of a key seen twice, as DUPLICATE_LINE row errors (in reading order). */
  duplicates(): RowError[] {
    this.prepare();
    const out: RowError[] = [];
    const rows = (
      this.db.prepare('SELECT dk, data FROM l WHERE dup = 1 ORDER BY id').all() as { dk: string; data: string }[]
    ).map((r) => ({ dk: r.dk, line: decodeLine(r.data) }));
    const byKey = new Map<string, ClaimLine[]>();
    for (const r of rows) byKey.set(r.dk, [...(byKey.get(r.dk) ?? []), r.line]);
    for (const { dk, line } of rows) out.push(duplicateError(line, byKey.get(dk)!));
    return out;
  }

  /** The month most valid lines were settled in (ties: the earliest). */
  mostCommonMonth(): string | null {
    this.prepare();
    const r = this.db.prepare('SELECT month FROM m ORDER BY n DESC, month ASC LIMIT 1').get() as
      { month: string } | undefined;
    return r?.month ?? null;
  }

  /** Valid lines per settlement month, most first. */
  monthCounts(): { month: string; n: number }[] {
    this.prepare();
    return this.db.prepare('SELECT month, n FROM m ORDER BY n DESC, month ASC').all() as { month: string; n: number }[];
  }

  validCount(): number {
    this.prepare();
    return (this.db.prepare('SELECT COUNT(*) AS n FROM s').get() as { n: number }).n;
  }

  /** Valid lines in §3 order. */
  *sorted(): Generator<ClaimLine> {
    this.prepare();
    for (const r of this.db.prepare('SELECT data FROM s ORDER BY rowid').raw(true).iterate())
      yield decodeLine((r as [string])[0]);
  }

  /** The people of the valid lines, and their keys [claimId, lineNo, hospital] (read from the stored values in SQL). */
  peopleAndKeys(): { people: string[]; keys: [string, number, string][] } {
    this.prepare();
    const at = (f: keyof ClaimLine) => `json_extract(data, '$[${RECORD_FIELDS.indexOf(f)}]')`;
    const people = this.db
      .prepare(`SELECT DISTINCT ${at('idNumber')} FROM s`)
      .pluck()
      .all() as string[];
    const keys = this.db
      .prepare(`SELECT ${at('claimId')}, ${at('lineNo')}, ${at('hospital')} FROM s`)
      .raw(true)
      .all() as [string, number, string][];
    return { people, keys };
  }

  /** A second temporary file beside the store (the disbursement lists' staging, written by another connection); removed with it. */
  get auxPath(): string {
    return `${this.path}-aux`;
  }

  close(): void {
    try {
      if (this.db.inTransaction) this.db.exec('COMMIT');
      this.db.close();
    } finally {
      rmSync(this.path, { force: true });
      rmSync(`${this.path}-aux`, { force: true });
    }
  }
}
