// A run on the shared (PostgreSQL) ledger. The command works on a local replica (replica.ts) with the SQLite
// ledger's own code; this connection holds the run's transaction on the server from the start:
// - begin: the people the run will read and write are locked (rows of `people`, SELECT … FOR UPDATE, in one
//   order so two runs never deadlock) — a run whose people another run holds waits for it to commit, runs with
//   disjoint people do not wait; a revert or opening import locks the whole table. Only then is the replica
//   pulled (on a second connection, so its snapshot is taken after the locks), so for these people the replica is
//   the ledger as it is.
// - seal: before any lock, the run's new rows take ids from blocks reserved on the server and are staged there by
//   COPY, with the names and the accumulators (added to, never overwritten; the run's people are locked). Then
//   under one server-wide commit lock, held to COMMIT, the run takes the next run id, its chain continues from the
//   server's last run, and the staged rows move into place; superseded lines are marked once. The serial order of
//   runs is their commit order.
// - a killed process: the server rolls the open transaction back; nothing of the run remains.
import type pg from 'pg';
import { LedgerError, type SqliteLedger, type Upstream } from '../sqlite.js';
import { runDeltas } from '../integrity.js';
import { columnsOf, copyRows, insertRows, NUMBERED, pgArrayTypes, timed, type Numbered } from './replica.js';

/** The server-wide lock a run holds from taking its run id to COMMIT (runs are ordered by it). */
export const COMMIT_LOCK = "hashtext('assist ledger commit')";

/** An accumulator row added to the server's (never overwritten): the earliest first date is kept. */
export const ADD_ACCUMULATORS = `ON CONFLICT (id_number, policy, year, key) DO UPDATE SET base = accumulators.base + excluded.base,
  paid = accumulators.paid + excluded.paid, entitled = accumulators.entitled + excluded.entitled,
  first_date = CASE WHEN accumulators.first_date IS NULL THEN excluded.first_date WHEN excluded.first_date IS NULL THEN accumulators.first_date
                    WHEN excluded.first_date < accumulators.first_date THEN excluded.first_date ELSE accumulators.first_date END`;

/**
 * The first of `n` ids reserved in a numbered table: past the server's highest id and past every block reserved
 * before, whether or not its run committed. Committed with the connection's transaction.
 */
export async function reserveIds(c: pg.ClientBase, t: Numbered, n: number): Promise<number> {
  const key = `reserved:${t}`;
  await c.query("INSERT INTO ledger_meta (key, value) VALUES ($1, '0') ON CONFLICT DO NOTHING", [key]);
  const r = await c.query(
    `UPDATE ledger_meta SET value = (GREATEST(value::bigint, (SELECT COALESCE(MAX(id), 0) FROM ${t})) + $2)::text
       WHERE key = $1 RETURNING value::bigint - $2 + 1 AS first`,
    [key, n],
  );
  return Number(r.rows[0].first);
}

/** The highest id of each numbered table and of runs, in a ledger (local or server). */
export type Marks = Record<Numbered | 'runs', number>;

export function localMarks(ledger: SqliteLedger): Marks {
  const max = (t: string) => (ledger.db.prepare(`SELECT COALESCE(MAX(id), 0) AS m FROM ${t}`).get() as { m: number }).m;
  return Object.fromEntries(['runs', ...NUMBERED].map((t) => [t, max(t)])) as Marks;
}

/**
 * Rows of a local query, a page at a time (the connection is free between pages). `sql` ends in `AND <key> > ?`,
 * the key being the column at `keyAt` (an id, or a trace chunk's number).
 */
function* paged(
  ledger: SqliteLedger,
  sql: string,
  args: unknown[],
  page = 5000,
  keyAt = 0,
  after = Number.MIN_SAFE_INTEGER,
): Generator<unknown[]> {
  const st = ledger.db.prepare(`${sql} ORDER BY ${keyAt + 1} LIMIT ${page}`).raw(true);
  for (;;) {
    const rows = st.all(...args, after) as unknown[][];
    yield* rows;
    if (rows.length < page) return;
    after = rows[rows.length - 1]![keyAt] as number;
  }
}

/** The tables a run adds rows to, staged on the server before the commit lock. */
const STAGED = ['lines', 'results', 'reversals', 'openings', 'exceptions', 'trace_chunks'] as const;

export class PgUpstream implements Upstream {
  private types: Map<string, string> | null = null;
  private finished = false;
  /** set under the commit lock */
  private finalRunId: number | null = null;

  constructor(
    private readonly client: pg.Client,
    private readonly ledger: SqliteLedger,
    /** the replica's last ids when it was pulled */
    private readonly pulled: Marks,
    /** another connection to the server, for what is committed on its own (texts and hospitals) */
    private readonly connect: () => Promise<pg.Client>,
  ) {}

  /**
   * Before the commit lock: the run's new rows take ids from blocks reserved on the server (reserve), are
   * renumbered into them here, then staged on the server with the names and accumulators. Only the run's own id
   * waits for the commit lock (order): the content hash, made in between, does not cover it.
   */
  async prepare(runId: number): Promise<void> {
    const db = this.ledger.db;
    const now = localMarks(this.ledger);
    const first = await this.reserve(
      NUMBERED.map((t) => [t, now[t] - this.pulled[t]] as [Numbered, number]).filter(([, n]) => n > 0),
    );
    db.pragma('defer_foreign_keys = ON');
    for (const [t, start] of first) {
      const shift = start - (this.pulled[t] + 1);
      if (shift === 0) continue;
      // through negative ids, so no id is taken twice on the way
      db.prepare(`UPDATE ${t} SET id = -(id + ?) WHERE id > ?`).run(shift, this.pulled[t]);
      db.prepare(`UPDATE ${t} SET id = -id WHERE id < 0`).run();
      if (t === 'lines')
        db.prepare('UPDATE results SET line_id = line_id + ? WHERE line_id > ?').run(shift, this.pulled.lines);
    }
    await timed('暂存到服务器', async () => {
      await this.stage(runId);
      await this.sendShared(runId);
    });
  }

  /**
   * Blocks of ids for the run's new rows, reserved on a connection of their own (committed at once, so offices
   * reserving at the same time wait milliseconds, not for each other's runs): past the server's highest id and past
   * every block reserved before, whether or not its run committed. Ids are unique, not in commit order.
   */
  private async reserve(spans: [Numbered, number][]): Promise<[Numbered, number][]> {
    if (!spans.length) return [];
    const c = await this.connect();
    try {
      const out: [Numbered, number][] = [];
      for (const [t, n] of spans) out.push([t, await reserveIds(c, t, n)]);
      return out;
    } finally {
      await c.end().catch(() => {});
    }
  }

  /** Under the commit lock, held to COMMIT: the run's id follows the server's last run, whose chain it continues. */
  async order(runId: number): Promise<number> {
    const c = this.client;
    await timed('等待提交锁', () => c.query(`SELECT pg_advisory_xact_lock(${COMMIT_LOCK})`));
    const last = Number((await c.query('SELECT COALESCE(MAX(id), 0) AS m FROM runs')).rows[0].m);
    const db = this.ledger.db;
    const final = (this.finalRunId = last + 1);
    if (final !== runId) {
      db.prepare('UPDATE runs SET id = ? WHERE id = ?').run(-final, runId);
      for (const [t, col] of [
        ['lines', 'run_id'],
        ['lines', 'superseded_by'],
        ['reversals', 'run_id'],
        ['openings', 'run_id'],
        ['openings', 'reverted_by'],
        ['trace_chunks', 'run_id'],
        ['exceptions', 'run_id'],
      ] as const)
        db.prepare(`UPDATE ${t} SET ${col} = ? WHERE ${col} = ?`).run(final, runId);
      // the runs committed since the replica was pulled: the chain continues from the last of them
      const cols = columnsOf(db, 'runs');
      const newer = await c.query({
        text: `SELECT ${cols.join(', ')} FROM runs WHERE id > $1 ORDER BY id`,
        values: [this.pulled.runs],
        rowMode: 'array',
      });
      const insert = db.prepare(`INSERT INTO runs (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
      for (const row of newer.rows as unknown[][]) insert.run(...row);
      db.prepare('UPDATE runs SET id = ? WHERE id = ?').run(final, -final);
    }
    return final;
  }

  /** The run's rows as numbered in the replica, COPYed into temporary tables (dropped at the transaction's end). */
  private async stage(runId: number): Promise<void> {
    const c = this.client;
    const l = this.ledger;
    for (const t of STAGED) {
      const cols = columnsOf(l.db, t);
      await c.query(`CREATE TEMP TABLE stage_${t} (LIKE ${t}) ON COMMIT DROP`);
      // the run's new rows are the ones past the replica's last id (a range of the primary key: selecting them by
      // run through a join restarted a scan per page — 82 of 99 s at 1M lines); trace chunks by (run, chunk)
      const rows =
        t === 'trace_chunks'
          ? paged(l, `SELECT ${cols.join(', ')} FROM ${t} WHERE run_id = ? AND chunk > ?`, [runId], 50, 1)
          : paged(l, `SELECT ${cols.join(', ')} FROM ${t} WHERE id > ?`, [], 5000, 0, this.pulled[t]);
      await copyRows(c, `stage_${t}`, cols, rows);
    }
  }

  /**
   * Texts and hospitals, committed on a connection of their own: their ids come from the names (texts.ts
   * contentId), so offices adding the same name agree, and a name left by a run that then failed is harmless.
   * Inside the run's transaction, a second office adding a name the first had added waited for the first to commit
   * (the unique index): measured, 7 s of two disjoint 100k-line runs.
   */
  private async sendNames(): Promise<void> {
    const l = this.ledger;
    if (!l.texts.added.length && !l.hospitalsAdded.length) return;
    const c = await this.connect();
    try {
      // a name the server holds under another id is a conflict
      for (const [table, col, added] of [
        ['texts', 't', l.texts.added],
        ['hospitals', 'name', l.hospitalsAdded],
      ] as const) {
        if (!added.length) continue;
        await this.put(table, ['id', col], added, 'ON CONFLICT DO NOTHING', c);
        const there = await c.query(`SELECT id, ${col} AS v FROM ${table} WHERE id = ANY($1::bigint[])`, [
          added.map(([id]) => id),
        ]);
        const byId = new Map((there.rows as { id: number; v: string }[]).map((r) => [Number(r.id), r.v]));
        for (const [id, v] of added)
          if (byId.get(id) !== v)
            throw new LedgerError(
              `共用台账中“${v}”的编号与本机不一致（另一办公室同时写入）；本次运行未提交，请重新运行。`,
            );
      }
    } finally {
      await c.end().catch(() => {});
    }
  }

  /**
   * What needs no final ids, sent before the commit lock: texts and hospitals (sendNames), and the accumulators —
   * the run's people are locked, so no other run touches these rows, and the changes are added, not overwritten.
   */
  private async sendShared(runId: number): Promise<void> {
    const l = this.ledger;
    await this.sendNames();
    // accumulators: the run's own changes added to what the server holds (runDeltas: the check's own sum)
    const id = l.texts.id;
    await this.put(
      'accumulators',
      ['id_number', 'policy', 'year', 'key', 'base', 'paid', 'entitled', 'first_date'],
      runDeltas(l, runId).map((d) => [
        d.idNumber,
        id(d.policy),
        d.year,
        id(d.key),
        d.base,
        d.paid,
        d.entitled,
        d.firstDate,
      ]),
      ADD_ACCUMULATORS,
    );
  }

  send(runId: number): Promise<void> {
    return timed('写入服务器', () => this.sendRows(runId));
  }

  private async sendRows(runId: number): Promise<void> {
    const c = this.client;
    const l = this.ledger;
    const cols = (t: string) => columnsOf(l.db, t);
    await this.put(
      'runs',
      cols('runs'),
      paged(l, `SELECT ${cols('runs').join(', ')} FROM runs WHERE id = ? AND id > ?`, [runId]),
    );
    // lines this run supersedes (and openings it reverts) are marked first: a key has one line in force
    for (const [t, col] of [
      ['lines', 'superseded_by'],
      ['openings', 'reverted_by'],
    ] as const) {
      const ids = (
        l.db.prepare(`SELECT id FROM ${t} WHERE ${col} = ? AND run_id <> ?`).raw(true).all(runId, runId) as [number][]
      ).map(([id]) => id);
      if (!ids.length) continue;
      const r = await c.query(`UPDATE ${t} SET ${col} = $1 WHERE id = ANY($2::bigint[]) AND ${col} IS NULL`, [
        runId,
        ids,
      ]);
      if (r.rowCount !== ids.length)
        throw new LedgerError('另一办公室的运行已冲正或撤销了同一批记录；本次运行未提交，请重新运行。');
    }
    // the staged rows moved into place: staged before the run had its final id, they take it now (every other id
    // was final when the content hash was made; ledger check recomputes it from these rows)
    for (const t of STAGED) {
      const cs = cols(t);
      await c.query(
        `INSERT INTO ${t} (${cs.join(', ')}) SELECT ${cs.map((x) => (x === 'run_id' ? String(this.finalRunId!) : x)).join(', ')} FROM stage_${t}`,
      );
    }
  }

  /** Rows into a server table, on the run's connection or another one (array types looked up once). */
  private async put(
    table: string,
    cols: string[],
    rows: Iterable<unknown[]>,
    onConflict?: string,
    client: pg.Client = this.client,
  ): Promise<void> {
    const types = (this.types ??= await pgArrayTypes(this.client));
    await insertRows(client, types, table, cols, rows, { onConflict });
  }

  async commit(): Promise<void> {
    await timed('提交', () => this.client.query('COMMIT'));
    this.finished = true;
    await this.client.end();
  }

  abort(): void {
    if (this.finished) return;
    this.finished = true;
    // closing the connection rolls the server's transaction back (as a killed process's would be)
    void this.client.end().catch(() => {});
  }
}

/** A replica opened for reading: a run begun on it could never reach the server. */
export const READ_ONLY: Upstream = {
  prepare: () => Promise.reject(new LedgerError('内部错误：只读打开的共用台账不能写入')),
  order: () => Promise.reject(new LedgerError('内部错误：只读打开的共用台账不能写入')),
  send: () => Promise.reject(new LedgerError('内部错误：只读打开的共用台账不能写入')),
  commit: () => Promise.reject(new LedgerError('内部错误：只读打开的共用台账不能写入')),
  abort: () => {},
};
