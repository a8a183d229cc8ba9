// assist ledger copy: an office's SQLite ledger into a new (empty) shared ledger on PostgreSQL, or the shared
// ledger into a SQLite file (a backup, or to read it without the server). Every row is copied with its id, so the
// runs keep their content hashes and their chain: `ledger check` passes on both sides with the same 台账校验码.
import type pg from 'pg';
import { LedgerError, SqliteLedger } from '../sqlite.js';
import { journalPath } from '../journal.js';
import { connect } from './open.js';
import { initPostgresLedger } from './init.js';
import { mergeInto, type MergeReport } from './merge.js';
import { columnsOf, insertRows, LEDGER_TABLES, lineHashBytes, pgArrayTypes, pullAll, tableRows } from './replica.js';

export interface CopyReport {
  runs: number;
  lines: number;
  head: string | null;
  /** into a shared ledger that had runs: where the office's runs went (merge.ts) */
  merged?: MergeReport;
}

async function serverRuns(client: pg.ClientBase): Promise<number> {
  return (await client.query('SELECT COUNT(*)::int AS n FROM runs')).rows[0].n as number;
}

/**
 * SQLite file → a PostgreSQL ledger (made with ledger init if the database has none yet): into an empty one with
 * every id kept, into one that has runs after its last run (merge.ts).
 */
export async function copyToPostgres(from: string, url: string, onRows?: (n: number) => void): Promise<CopyReport> {
  const source = new SqliteLedger(from, { mustExist: true, readonly: false });
  // checked before any lock is taken on the server: a damaged ledger would carry its damage into the city's
  const checked = source.check();
  if (checked.problems.length) {
    source.close();
    throw new LedgerError(
      `台账 ${from} 未通过校验（${checked.problems.slice(0, 3).join('；')}），未复制；请先运行 assist ledger check --ledger ${from} 查明。`,
    );
  }
  const client = await connect(url);
  // a database without the ledger yet gets it (as ledger init would; that needs the database owner)
  const present = (await client.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS p")).rows[0].p as boolean;
  if (!present) await initPostgresLedger(url);
  try {
    await client.query('BEGIN');
    // no run may start on the target while it is being filled
    await client.query('LOCK TABLE people IN EXCLUSIVE MODE');
    if ((await serverRuns(client)) > 0) {
      const merged = await mergeInto(client, source);
      await client.query('COMMIT');
      return { runs: merged.runs, lines: merged.lines, head: merged.head, merged };
    }
    const types = await pgArrayTypes(client);
    for (const t of LEDGER_TABLES) {
      const cols = columnsOf(source.db, t.name);
      const hashAt = t.name === 'lines' ? cols.indexOf('content_hash') : -1;
      const rows = function* (): Generator<unknown[]> {
        for (const r of tableRows(source, t.name, cols, t.key, t.page)) {
          if (hashAt >= 0) r[hashAt] = lineHashBytes(r[hashAt]);
          yield r;
        }
      };
      // (not inside onRows?.(…): an absent callback would skip the copy itself)
      const n = await insertRows(client, types, t.name, cols, rows(), { page: t.page });
      onRows?.(n);
    }
    await client.query('COMMIT');
    return { runs: count(source, 'runs'), lines: count(source, 'lines'), head: source.headCode() };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    source.close();
    await client.end();
  }
}

function count(l: SqliteLedger, table: string): number {
  return (l.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
}

/** PostgreSQL → a new SQLite file (one consistent snapshot), with its journal of 台账校验码. */
export async function copyToSqlite(url: string, to: string): Promise<CopyReport> {
  const client = await connect(url);
  const target = new SqliteLedger(to);
  try {
    if (count(target, 'runs') > 0) throw new LedgerError(`台账文件 ${to} 中已有运行：请复制到一个新文件。`);
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await pullAll(client, target.db);
    await client.query('COMMIT');
    // the file is an ordinary ledger from here on: it keeps its own journal of the chain, from the first run
    target.db.exec('CREATE TABLE IF NOT EXISTS ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    target.db.prepare("INSERT OR IGNORE INTO ledger_meta (key, value) VALUES ('journal', ?)").run(journalPath(to));
    target.syncJournal(1);
    return { runs: count(target, 'runs'), lines: count(target, 'lines'), head: target.headCode() };
  } finally {
    target.close();
    await client.end();
  }
}
