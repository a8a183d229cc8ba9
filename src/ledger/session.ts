// A run's writes into the SQLite ledger: lines, results, reversals, openings and exceptions inside the run's
// transaction, accumulator changes summed per key and written in batches, traces compressed in chunks, then
// seal (counts and hashes) and commit.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import type { ClaimLine } from '../domain/types.js';
import { addAmounts, type AccumulatorStore } from '../engine/accumulators.js';
import type { LineResult } from '../engine/types.js';
import { noteCommitted } from './commits.js';
import { encodedLine, valuesContentHash } from './content.js';
import { traceJson } from '../engine/trace-json.js';
import { dateInt, encodeChanges, encodeDetails, encodePayments } from './texts.js';
import type { ExceptionRow, LedgerSession, LineKey, OpeningRow, Reversal, RunInfo, StoredLine } from './store.js';
import { LedgerError, type SqliteLedger } from './sqlite.js';
import { GENESIS, chainHash } from './hashing.js';
import { LocalTraceChunks, type TraceSink } from './trace-chunks.js';
import {
  accJson,
  accumulatorFromRow,
  fenChange,
  lineAmountsFen,
  resultBaseFen,
  moneyChange,
  toChangeTuples,
  toPaymentEntries,
  type Row,
} from './rows.js';

export interface Delta {
  idNumber: string;
  policy: string;
  year: number;
  key: string;
  base: number;
  paid: number;
  entitled: number;
  firstDate: string | null;
}

/**
 * Adds a change to the running total of its (person, policy, year, key): amounts add up, the first-claim
 * date is the earliest.
 */
export function mergeDelta(totals: Map<string, Delta>, d: Delta): void {
  const k = `${d.idNumber}|${d.policy}|${d.year}|${d.key}`;
  const cur = totals.get(k);
  if (!cur) totals.set(k, { ...d });
  else
    Object.assign(
      cur,
      addAmounts(cur, d, (a: number, b: number) => a + b),
    );
}

/**
 * Tests only: blocks the thread so a test can kill the process with the run's transaction written but not committed
 * (BEFORE: ASSIST_TEST_PAUSE_BEFORE_COMMIT_MS), or committed but not yet in the journal (AFTER:
 * ASSIST_TEST_PAUSE_AFTER_COMMIT_MS) — for that many ms, or until the file ASSIST_TEST_RESUME_FILE exists.
 */
function testPause(when: 'BEFORE' | 'AFTER' = 'BEFORE'): void {
  const ms = Number(process.env[`ASSIST_TEST_PAUSE_${when}_COMMIT_MS`] ?? 0);
  if (ms > 0) {
    process.stderr.write(
      when === 'BEFORE' ? 'ASSIST_TEST: 事务已写入，等待提交\n' : 'ASSIST_TEST: 已提交，尚未记入日志\n',
    );
    const resume = process.env.ASSIST_TEST_RESUME_FILE;
    const cell = new Int32Array(new SharedArrayBuffer(4));
    for (const until = Date.now() + ms; Date.now() < until && !(resume && existsSync(resume));)
      Atomics.wait(cell, 0, 0, resume ? 50 : ms);
  }
}

/**
 * Adds a change to its accumulator row: amounts add up, the first-claim date is the earliest — mergeDelta's rule in
 * SQL, for the ledger's `accumulators` (policy and key as text ids) and a dry run's DRY_RUN_CHANGES (as text).
 */
const addToAccumulators = (schema: string, table: string): string =>
  `INSERT INTO ${schema}.${table} (id_number, policy, year, key, base, paid, entitled, first_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
   ON CONFLICT (id_number, policy, year, key) DO UPDATE SET base = base + excluded.base, paid = paid + excluded.paid, entitled = entitled + excluded.entitled,
     first_date = CASE WHEN ${table}.first_date IS NULL THEN excluded.first_date WHEN excluded.first_date IS NULL THEN ${table}.first_date
                       WHEN excluded.first_date < ${table}.first_date THEN excluded.first_date ELSE ${table}.first_date END`;

/**
 * Where a dry run keeps its accumulator changes: a table of the connection's own temporary schema. A dry run holds
 * no write lock, so its changes cannot go into the ledger's tables; held in JavaScript objects they took 1.6 GB at a
 * million lines, against 0.8 GB for the same run written to the ledger. SQLite keeps the temporary schema in a small
 * page cache and a temporary file it has already deleted (this build's default, TEMP_STORE=1), writes it even on a
 * read-only connection, and the run's ROLLBACK empties it. Its own name: a temporary table named like a ledger
 * table would hide that table from every unqualified query.
 */
const DRY_RUN_CHANGES = 'dry_run_changes';
const DRY_RUN_TABLE = `CREATE TABLE IF NOT EXISTS temp.${DRY_RUN_CHANGES} (
  id_number TEXT NOT NULL, policy TEXT NOT NULL, year INTEGER NOT NULL, key TEXT NOT NULL,
  base INTEGER NOT NULL, paid INTEGER NOT NULL, entitled INTEGER NOT NULL, first_date TEXT,
  PRIMARY KEY (id_number, policy, year, key)
) WITHOUT ROWID`;

export class SqliteSession implements LedgerSession {
  private readonly db: Database.Database;
  private readonly deltas = new Map<string, Delta>();
  /** where the lines' trace entries are made into chunks (useTraceSink) */
  private trace: TraceSink;
  private readonly localTrace: LocalTraceChunks;
  private done = false;
  private readonly stmt: Record<string, Database.Statement>;

  constructor(
    private readonly ledger: SqliteLedger,
    /** final once sealed: a replica's run is renumbered after the shared ledger's last run (Upstream.order) */
    public runId: number,
    readonly dryRun: boolean,
    /** where the journal starts if it has no file (see syncJournal) */
    private readonly journalFrom = 1,
  ) {
    this.db = ledger.db;
    this.stmt = {
      line: this.ledger.q(
        `INSERT INTO lines (run_id, claim_id, line_no, hospital_id, content_hash, source, row, id_number, name, visit_type, admission_date, settlement_date,
          total_cost, basic_paid, serious_paid, assistance_paid, other_paid, personal_burden, patient_remaining, status, trace_chunk, trace_index)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      result: this.ledger.q(
        'INSERT INTO results (line_id, policy, status, reasons, base, payee, payments, changes, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      reversal: this.ledger.q(
        'INSERT INTO reversals (run_id, result_id, reason, payments, changes) VALUES (?, ?, ?, ?, ?)',
      ),
      supersede: this.ledger.q('UPDATE lines SET superseded_by = ? WHERE id = ? AND superseded_by IS NULL'),
      opening: this.ledger.q(
        'INSERT INTO openings (run_id, id_number, policy, year, key, base, paid, entitled, first_date, source, row) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      accOf: this.ledger.q(
        'SELECT policy, year, key, base, paid, entitled, first_date FROM accumulators WHERE id_number = ?',
      ),
      chunk: this.ledger.q("INSERT INTO trace_chunks (run_id, chunk, data, codec) VALUES (?, ?, ?, 'brotli')"),
    };
    if (dryRun) this.db.exec(DRY_RUN_TABLE);
    this.stmt.upsert = this.ledger.q(
      dryRun ? addToAccumulators('temp', DRY_RUN_CHANGES) : addToAccumulators('main', 'accumulators'),
    );
    if (dryRun)
      this.stmt.dryOf = this.ledger.q(
        // the columns named as a Delta's fields
        `SELECT id_number AS idNumber, policy, year, key, base, paid, entitled, first_date AS firstDate FROM temp.${DRY_RUN_CHANGES} WHERE id_number = ?`,
      );
    this.localTrace = new LocalTraceChunks((no, data) => this.storeChunk(no, data));
    this.trace = this.localTrace;
  }

  /** Trace chunks made elsewhere (the output worker) from the first line on, each handed back to storeChunk. */
  useTraceSink(sink: TraceSink): void {
    this.trace = sink;
  }

  /** A compressed trace chunk into the run (not once the run has ended: a late chunk of a rolled-back run). */
  storeChunk(no: number, data: Buffer): void {
    if (!this.done) this.stmt.chunk!.run(this.runId, no, data);
  }

  private addDelta(d: Delta): void {
    mergeDelta(this.deltas, d);
  }

  findActive(key: LineKey): StoredLine | null {
    return this.ledger.findActive(key);
  }

  reverse(line: StoredLine, reason: 'supersede' | 'revert'): Reversal[] {
    const out: Reversal[] = [];
    if (!this.dryRun && this.stmt.supersede!.run(this.runId, line.id).changes !== 1)
      throw new LedgerError(`结算单 ${line.claimId} 第 ${line.lineNo} 行已被冲正过，不能重复冲正`);
    for (const result of line.results) {
      if (!this.dryRun)
        this.stmt.reversal!.run(
          this.runId,
          result.id,
          reason,
          JSON.stringify(Object.fromEntries(toPaymentEntries(result.payments, -1))),
          JSON.stringify(toChangeTuples(result.changes, -1)),
        );
      for (const c of result.changes) this.addDelta(fenChange(c, -1));
      out.push({
        runId: this.runId,
        reason,
        line,
        result,
        payments: Object.fromEntries(Object.entries(result.payments).map(([k, v]) => [k, v.negated()])),
      });
    }
    return out;
  }

  /**
   * Writes the pending accumulator changes into the run's transaction (they become visible to the
   * next load, and are undone by a rollback), so memory does not grow with the run. A dry run writes
   * them into its own table (DRY_RUN_CHANGES), policy and key as text: it may not add to the ledger's texts.
   */
  private flushDeltas(): void {
    if (this.deltas.size === 0) return;
    const code = this.dryRun ? (t: string) => t : this.ledger.texts.id;
    for (const d of this.deltas.values())
      this.stmt.upsert!.run(d.idNumber, code(d.policy), d.year, code(d.key), d.base, d.paid, d.entitled, d.firstDate);
    this.deltas.clear();
  }

  loadAccumulators(idNumbers: Iterable<string>, into: AccumulatorStore): void {
    this.flushDeltas();
    const ids = new Set(idNumbers);
    const text = this.ledger.texts.text;
    for (const idNumber of ids) {
      for (const r of this.stmt.accOf!.all(idNumber) as Row[]) {
        into.set(
          { policy: text(r.policy as number), idNumber, year: r.year as number, key: text(r.key as number) },
          accumulatorFromRow(r),
        );
      }
    }
    // a dry run's own changes, on top of the ledger's balances
    if (this.dryRun)
      for (const idNumber of ids) for (const d of this.stmt.dryOf!.all(idNumber) as Delta[]) into.apply(moneyChange(d));
  }

  recordLine(line: ClaimLine, results: LineResult[]): void {
    for (const r of results) for (const c of r.changes) this.addDelta(fenChange(c));
    if (this.dryRun) return;
    const enc = encodedLine(line);
    const [chunk, index] = this.trace.add(traceEntryPieces(enc.text, results));
    const status =
      results.find((r) => r.status === 'approved')?.status ??
      results.find((r) => r.status === 'pended')?.status ??
      results[0]!.status;
    const id = this.ledger.texts;
    const info = this.stmt.line!.run(
      this.runId,
      line.claimId,
      line.lineNo,
      this.ledger.hospitalId(line.hospital, true),
      Buffer.from(valuesContentHash(enc.values), 'hex'),
      id.id(line.source),
      line.row,
      line.idNumber,
      line.name,
      id.id(line.visitType),
      dateInt(line.admissionDate),
      dateInt(line.settlementDate),
      ...lineAmountsFen(line, results[0]!.patientRemaining),
      id.id(status),
      chunk,
      index,
    );
    const lineId = Number(info.lastInsertRowid);
    for (const r of results) {
      if (r.policy === null) continue;
      const ids = id.id;
      this.stmt.result!.run(
        lineId,
        ids(r.policy),
        ids(r.status),
        ids(r.reasons.join(',')),
        resultBaseFen(r.base),
        r.payee === line.hospital || r.payee === '' ? null : ids(r.payee),
        encodePayments(toPaymentEntries(r.payments), ids),
        encodeChanges(toChangeTuples(r.changes), ids),
        encodeDetails(r.details ?? null, ids),
      );
    }
  }

  recordExceptions(rows: Omit<ExceptionRow, 'runId'>[]): void {
    if (this.dryRun || rows.length === 0) return;
    const st = this.ledger.q(
      'INSERT INTO exceptions (run_id, kind, source, sheet, row, claim_id, line_no, hospital, id_number, name, issues, prior_run) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    for (const e of rows)
      st.run(
        this.runId,
        e.kind,
        e.source,
        e.sheet,
        e.row,
        e.claimId,
        e.lineNo,
        e.hospital,
        e.idNumber,
        e.name,
        JSON.stringify(e.issues),
        e.priorRun,
      );
  }

  openingExists(o: Pick<OpeningRow, 'idNumber' | 'policy' | 'year' | 'key'>): boolean {
    const r = this.ledger
      .q(
        "SELECT COUNT(*) AS n FROM openings o JOIN runs r ON r.id = o.run_id WHERE r.kind = 'opening' AND o.id_number = ? AND o.policy = ? AND o.year = ? AND o.key = ? AND o.reverted_by IS NULL",
      )
      .get(o.idNumber, o.policy, o.year, o.key) as { n: number };
    return r.n > 0;
  }

  recordOpening(o: OpeningRow): void {
    const d = fenChange({ ...o, firstDate: o.firstDate ?? undefined });
    this.addDelta(d);
    if (!this.dryRun)
      this.stmt.opening!.run(
        this.runId,
        o.idNumber,
        o.policy,
        o.year,
        o.key,
        d.base,
        d.paid,
        d.entitled,
        o.firstDate,
        o.source,
        o.row,
      );
  }

  reverseOpenings(runId: number): number {
    const rows = this.ledger
      .q('SELECT * FROM openings WHERE run_id = ? AND reverted_by IS NULL ORDER BY id')
      .all(runId) as Row[];
    for (const r of rows) {
      this.addDelta({
        idNumber: r.id_number as string,
        policy: r.policy as string,
        year: r.year as number,
        key: r.key as string,
        base: -(r.base as number),
        paid: -(r.paid as number),
        entitled: -(r.entitled as number),
        firstDate: null,
      });
      if (this.dryRun) continue;
      this.stmt.opening!.run(
        this.runId,
        r.id_number,
        r.policy,
        r.year,
        r.key,
        -(r.base as number),
        -(r.paid as number),
        -(r.entitled as number),
        null,
        r.source,
        r.row,
      );
      this.ledger.q('UPDATE openings SET reverted_by = ? WHERE id = ?').run(this.runId, r.id);
    }
    return rows.length;
  }

  async drain(maxPending = 0): Promise<void> {
    await this.trace.drain(maxPending);
  }

  /**
   * Everything of the commit but the COMMIT itself: the last trace chunk and accumulator changes written, the
   * run's counts, content hash and chain hash set inside its transaction. The run stays uncommitted (a
   * rollback still undoes it) — adjudicate seals while the disbursement lists are being written, and commits
   * once they are.
   */
  async seal(counts: Record<string, number>): Promise<string> {
    if (this.dryRun) throw new LedgerError('试运行（--dry-run）不写入台账');
    if (this.done) throw new LedgerError('本次运行已结束');
    try {
      if (process.env.ASSIST_TEST_FAIL_SEAL) throw new LedgerError('ASSIST_TEST: 封存失败（测试）');
      this.trace.closeSync();
      this.flushDeltas();
      const upstream = this.ledger.upstream;
      this.ledger
        .q('UPDATE runs SET finished_at = ?, counts = ? WHERE id = ?')
        .run(new Date().toISOString(), JSON.stringify(counts), this.runId);
      if (upstream) await upstream.prepare(this.runId);
      // the content hash does not cover the run's own id: a shared ledger's run takes it after the hash is made
      const content = this.ledger.contentHash(this.runId);
      if (upstream) this.runId = await upstream.order(this.runId);
      const prev =
        (
          this.ledger.q('SELECT hash FROM runs WHERE id < ? ORDER BY id DESC LIMIT 1').get(this.runId) as
            { hash: string | null } | undefined
        )?.hash ?? GENESIS;
      const hash = chainHash(prev, content);
      this.ledger
        .q('UPDATE runs SET content_hash = ?, prev_hash = ?, hash = ? WHERE id = ?')
        .run(content, prev, hash, this.runId);
      if (upstream) await upstream.send(this.runId);
      this.sealed = hash;
      return hash;
    } catch (err) {
      this.rollback();
      throw err;
    }
  }
  private sealed: string | null = null;

  /** Seals the run (unless sealed already) and commits it. */
  async commit(counts: Record<string, number>): Promise<RunInfo> {
    if (this.done) throw new LedgerError('本次运行已结束');
    if (!this.sealed) await this.seal(counts);
    try {
      testPause();
      await this.ledger.upstream?.commit();
      this.db.exec('COMMIT');
      this.done = true;
      noteCommitted(this.runId);
    } catch (err) {
      this.rollback();
      throw err;
    }
    testPause('AFTER');
    this.ledger.syncJournal(this.journalFrom);
    return this.ledger.run(this.runId)!;
  }

  recordPlacement(moves: [string, string][]): void {
    if (this.dryRun) return;
    this.ledger
      .q('INSERT INTO ledger_meta (key, value) VALUES (?, ?)')
      .run(`place:${this.runId}`, JSON.stringify(moves));
  }

  rollback(): void {
    this.done = true;
    this.localTrace.stop();
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    this.ledger.forgetHospitalIds();
    this.ledger.upstream?.abort();
  }
}

/**
 * A line's trace entry as the pieces of its JSON text: a TraceEntry, its line as the values of RECORD_FIELDS (the
 * external sort's own text for the line, not made again), the traces embedded as serialised once (traceJson).
 */
function traceEntryPieces(lineText: string, results: LineResult[]): string[] {
  const pieces = ['{"line":', lineText, ',"results":['];
  results.forEach((r, i) => {
    const acc = (r.accumulators ?? []).map((a) => ({
      year: a.year,
      key: a.key,
      before: accJson(a.before),
      after: accJson(a.after),
    }));
    pieces.push(`${i ? ',' : ''}{"policy":${JSON.stringify(r.policy)},"trace":`, traceJson(r));
    pieces.push(`,"accumulators":${JSON.stringify(acc)}}`);
  });
  pieces.push(']}');
  return pieces;
}
