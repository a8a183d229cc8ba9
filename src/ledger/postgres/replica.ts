// The shared ledger's rows copied between PostgreSQL and a SQLite ledger file of the same schema (4): a command on
// a PostgreSQL ledger works on a local copy (the replica) with the SQLite ledger's own code, and a run's rows go
// back in its commit (upstream.ts). The same copy serves `assist ledger copy` both ways.
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import copyStreams from 'pg-copy-streams';
import type { SqliteLedger } from '../sqlite.js';

/** With ASSIST_TIMING, one `[计时·共用台账]` line on stderr per step (npm run bench -- --ledger postgres). */
export async function timed<T>(step: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await fn();
  if (process.env.ASSIST_TIMING)
    process.stderr.write(`[计时·共用台账] ${step} ${((performance.now() - t0) / 1000).toFixed(2)} s\n`);
  return out;
}

export interface TableSpec {
  name: string;
  /** the columns ordering a page (a unique key) */
  key: string[];
  /** rows per page (trace chunks are large) */
  page: number;
}

/** Every table a ledger keeps, parents before children (foreign keys hold at every step). */
export const LEDGER_TABLES: TableSpec[] = [
  { name: 'runs', key: ['id'], page: 2000 },
  { name: 'texts', key: ['id'], page: 5000 },
  { name: 'hospitals', key: ['id'], page: 5000 },
  { name: 'lines', key: ['id'], page: 5000 },
  { name: 'results', key: ['id'], page: 5000 },
  { name: 'reversals', key: ['id'], page: 5000 },
  { name: 'openings', key: ['id'], page: 5000 },
  { name: 'accumulators', key: ['id_number', 'policy', 'year', 'key'], page: 5000 },
  { name: 'trace_chunks', key: ['run_id', 'chunk'], page: 50 },
  { name: 'exceptions', key: ['id'], page: 5000 },
];

/** The tables whose rows carry an id given in order (a run's new rows are renumbered after the server's). */
export const NUMBERED = ['lines', 'results', 'reversals', 'openings', 'exceptions'] as const;
export type Numbered = (typeof NUMBERED)[number];

export function columnsOf(db: Database.Database, table: string): string[] {
  return (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);
}

/** PostgreSQL's array type of each column (for INSERT … SELECT FROM unnest(…), one statement per page of rows). */
export async function pgArrayTypes(client: pg.ClientBase): Promise<Map<string, string>> {
  const r = await client.query(
    'SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema()',
  );
  const types = new Map<string, string>();
  for (const c of r.rows as { table_name: string; column_name: string; data_type: string }[])
    types.set(`${c.table_name}.${c.column_name}`, `${c.data_type === 'bytea' ? 'bytea' : c.data_type}[]`);
  return types;
}

/**
 * Copies every row of the server's ledger into an empty SQLite ledger (ids kept). The caller gives a connection in
 * a REPEATABLE READ transaction, so the copy is one consistent moment of the ledger.
 */
export async function pullAll(
  client: pg.ClientBase,
  db: Database.Database,
  onRows?: (n: number) => void,
  tables: TableSpec[] = LEDGER_TABLES,
): Promise<void> {
  db.exec('BEGIN');
  try {
    for (const t of tables) {
      const cols = columnsOf(db, t.name);
      const insert = db.prepare(
        `INSERT INTO ${t.name} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
      );
      const keyAt = t.key.map((k) => cols.indexOf(k));
      const after = t.key.map((_, i) => `$${i + 1}`).join(', ');
      let last: unknown[] | null = null;
      for (;;) {
        const r = await client.query({
          text: `SELECT ${cols.join(', ')} FROM ${t.name}${last ? ` WHERE (${t.key.join(', ')}) > (${after})` : ''} ORDER BY ${t.key.join(', ')} LIMIT ${t.page}`,
          values: last ?? [],
          rowMode: 'array',
        });
        for (const row of r.rows as unknown[][]) insert.run(...row);
        onRows?.(r.rows.length);
        if (r.rows.length < t.page) break;
        const end = r.rows[r.rows.length - 1] as unknown[];
        last = keyAt.map((i) => end[i]);
      }
    }
    db.exec('COMMIT');
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  }
}

/** Inserts rows into a server table, a page per statement (unnest of one array per column). */
export async function insertRows(
  client: pg.ClientBase,
  types: Map<string, string>,
  table: string,
  cols: string[],
  rows: Iterable<unknown[]>,
  opts: { page?: number; onConflict?: string } = {},
): Promise<number> {
  const page = opts.page ?? 5000;
  const casts = cols.map((c, i) => {
    const t = types.get(`${table}.${c}`);
    if (!t) throw new Error(`PostgreSQL 台账缺少列 ${table}.${c}（请先运行 assist ledger init）`);
    return `$${i + 1}::${t}`;
  });
  const text = `INSERT INTO ${table} (${cols.join(', ')}) SELECT * FROM unnest(${casts.join(', ')})${opts.onConflict ? ` ${opts.onConflict}` : ''}`;
  let n = 0;
  let columns: unknown[][] = cols.map(() => []);
  let inPage = 0;
  const flush = async (): Promise<void> => {
    if (inPage === 0) return;
    await client.query(text, columns);
    n += inPage;
    columns = cols.map(() => []);
    inPage = 0;
  };
  for (const row of rows) {
    for (let i = 0; i < cols.length; i++) columns[i]!.push(row[i]);
    if (++inPage >= page) await flush();
  }
  await flush();
  return n;
}

/** A value in COPY's text format (NULL as \\N; bytea as \\x hex; backslash, tab and line breaks escaped). */
function copyField(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  if (Buffer.isBuffer(v)) return `\\\\x${v.toString('hex')}`;
  if (typeof v !== 'string') return String(v);
  return /[\\\t\n\r]/.test(v)
    ? v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'))
    : v;
}

/**
 * Rows into a server table with COPY … FROM STDIN (the fastest way in: measured 0.85 s for 100,000 lines, against
 * 1.8–2.5 s for batched INSERTs; docs/performance.md), sent in ~1 MB pieces as they are read.
 */
export async function copyRows(
  client: pg.ClientBase,
  table: string,
  cols: string[],
  rows: Iterable<unknown[]>,
): Promise<number> {
  let n = 0;
  function* text(): Generator<string> {
    let piece = '';
    for (const row of rows) {
      piece += row.map(copyField).join('\t') + '\n';
      n++;
      if (piece.length >= 1 << 20) {
        yield piece;
        piece = '';
      }
    }
    if (piece) yield piece;
  }
  const stream = client.query(copyStreams.from(`COPY ${table} (${cols.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(text()), stream);
  return n;
}

/**
 * A line's content hash as the server's BYTEA holds it. Lines written before schema 2 kept it as 32 hex characters:
 * the same 16 bytes as a blob (the run's content hash reads either as the same hex text).
 */
export function lineHashBytes(v: unknown): unknown {
  return typeof v === 'string' ? Buffer.from(v, 'hex') : v;
}

/** A local ledger table's rows in key order, a page per query (no statement stays open while the server is written). */
export function* tableRows(
  l: SqliteLedger,
  table: string,
  cols: string[],
  key: string[],
  page: number,
): Generator<unknown[]> {
  const at = key.map((k) => cols.indexOf(k));
  const first = l.db
    .prepare(`SELECT ${cols.join(', ')} FROM ${table} ORDER BY ${key.join(', ')} LIMIT ${page}`)
    .raw(true);
  const next = l.db
    .prepare(
      `SELECT ${cols.join(', ')} FROM ${table} WHERE (${key.join(', ')}) > (${key.map(() => '?').join(', ')}) ORDER BY ${key.join(', ')} LIMIT ${page}`,
    )
    .raw(true);
  for (let rows = first.all() as unknown[][]; ;) {
    // the next page's key is taken before the rows are handed out: a caller may rewrite them (merge.ts moves ids)
    const after = at.map((i) => rows[rows.length - 1]?.[i]);
    yield* rows;
    if (rows.length < page) return;
    rows = next.all(...after) as unknown[][];
  }
}
