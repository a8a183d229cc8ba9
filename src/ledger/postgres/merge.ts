// assist ledger copy into a shared ledger that already has runs (other offices'): the office's runs are appended
// after the server's last run, in their order, as if they had been run there — every id moved past the server's,
// texts and hospitals taken by name, each run's content hash made again over its new ids and chained from the
// server's head, the accumulators added. One transaction, under the same locks as a revert (every person) and the
// commit lock: other offices wait for it, and a failure leaves the shared ledger as it was.
// Refused before anything is written (as is a source ledger failing its own check, copy.ts): a claim line (医疗机构＋结算单号＋
// 行号) in force on both sides — merging would pay it twice.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { mask } from '../../domain/id-number.js';
import { GENESIS, chainHash } from '../hashing.js';
import { ledgerCode } from '../journal.js';
import { LedgerError, SqliteLedger } from '../sqlite.js';
import { remapTextIds } from '../texts.js';
import {
  columnsOf,
  copyRows,
  insertRows,
  LEDGER_TABLES,
  lineHashBytes,
  NUMBERED,
  pgArrayTypes,
  pullAll,
  tableRows,
  type Numbered,
} from './replica.js';
import { linesInForce } from './open.js';
import { ADD_ACCUMULATORS, COMMIT_LOCK, reserveIds } from './upstream.js';

export interface MergeReport {
  runs: number;
  lines: number;
  /** the office's run ids → the shared ledger's */
  firstRun: number;
  lastRun: number;
  head: string;
  /** people with accumulators on both sides (masked), and how many of them had opening balances on both */
  sharedPeople: string[];
  sharedOpenings: number;
}

type Map1 = (v: unknown) => unknown;

/** The rows of the office's tables that a run owns, in the order their foreign keys need. */
const APPENDED = ['runs', 'lines', 'results', 'reversals', 'openings', 'exceptions', 'trace_chunks'] as const;

/**
 * Appends `source`'s runs to the server's ledger, on `client` inside its open transaction holding
 * `LOCK TABLE people IN EXCLUSIVE MODE`. The caller commits.
 */
export async function mergeInto(client: pg.Client, source: SqliteLedger): Promise<MergeReport> {
  await client.query(`SELECT pg_advisory_xact_lock(${COMMIT_LOCK})`);
  await refuseDoubleLines(client, source);
  const dir = mkdtempSync(join(tmpdir(), 'assist-merge-'));
  const scratch = new SqliteLedger(join(dir, 'merge.db'), { replica: true });
  try {
    // the server's names, so the office's texts and hospitals take the ids they already have there
    await pullAll(
      client,
      scratch.db,
      undefined,
      LEDGER_TABLES.filter((t) => t.name === 'texts' || t.name === 'hospitals'),
    );
    const head = (await client.query('SELECT id, hash FROM runs ORDER BY id DESC LIMIT 1')).rows[0] as {
      id: number;
      hash: string;
    };
    const marks = await reserveOffsets(client, source);
    scratch.db.exec('BEGIN');
    fill(scratch, source, head.id, marks);
    // each run's content hash over its new ids and names, chained from the server's last run
    let prev = head.hash ?? GENESIS;
    const runs = scratch.db.prepare('SELECT id FROM runs ORDER BY id').pluck().all() as number[];
    const seal = scratch.db.prepare('UPDATE runs SET content_hash = ?, prev_hash = ?, hash = ? WHERE id = ?');
    for (const id of runs) {
      const content = scratch.contentHash(id);
      const hash = chainHash(prev, content);
      seal.run(content, prev, hash, id);
      prev = hash;
    }
    scratch.db.exec('COMMIT');
    const shared = await sharedPeople(client, source);
    await send(client, scratch);
    // where the office's runs went, for whoever later reads its journal beside the shared ledger
    await client.query('INSERT INTO ledger_meta (key, value) VALUES ($1, $2)', [
      `copied:${new Date().toISOString()}`,
      JSON.stringify({ from: source.path, runs: runs.length, first: runs[0], last: runs.at(-1) }),
    ]);
    return {
      runs: runs.length,
      lines: scratch.db.prepare('SELECT COUNT(*) FROM lines').pluck().get() as number,
      firstRun: runs[0]!,
      lastRun: runs.at(-1)!,
      head: ledgerCode(runs.at(-1)!, prev),
      ...shared,
    };
  } finally {
    scratch.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Each numbered table's offset for the office's ids: a block as long as its highest id, reserved on the server as a
 * run reserves its own (upstream.ts reserveIds), so later runs take their ids past these.
 */
async function reserveOffsets(client: pg.ClientBase, source: SqliteLedger): Promise<Record<Numbered, number>> {
  const out = {} as Record<Numbered, number>;
  for (const t of NUMBERED) {
    const max = source.db.prepare(`SELECT COALESCE(MAX(id), 0) FROM ${t}`).pluck().get() as number;
    out[t] = max > 0 ? (await reserveIds(client, t, max)) - 1 : 0;
  }
  return out;
}

/** The office's rows into the scratch ledger, each id moved into its reserved block, each text and hospital by name. */
function fill(scratch: SqliteLedger, source: SqliteLedger, lastRun: number, marks: Record<Numbered, number>): void {
  const { maps, text } = remaps(scratch, source, lastRun, marks);
  for (const t of APPENDED) {
    const spec = LEDGER_TABLES.find((x) => x.name === t)!;
    const cols = columnsOf(source.db, t);
    const fns = cols.map((c) => maps[t][c]);
    const insert = scratch.db.prepare(
      `INSERT INTO ${t} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
    );
    for (const row of tableRows(source, t, cols, spec.key, spec.page)) {
      for (let i = 0; i < fns.length; i++) if (fns[i]) row[i] = fns[i]!(row[i]);
      insert.run(...row);
    }
  }
  // the accumulators are added to the server's, not copied: kept here with the server's text ids
  const accCols = columnsOf(source.db, 'accumulators');
  const acc = LEDGER_TABLES.find((x) => x.name === 'accumulators')!;
  const insert = scratch.db.prepare(
    `INSERT INTO accumulators (${accCols.join(', ')}) VALUES (${accCols.map(() => '?').join(', ')})`,
  );
  const [p, k] = [accCols.indexOf('policy'), accCols.indexOf('key')];
  for (const row of tableRows(source, 'accumulators', accCols, acc.key, acc.page)) {
    row[p] = text(row[p]);
    row[k] = text(row[k]);
    insert.run(...row);
  }
}

/**
 * How each appended table's columns move into the server's numbering: ids by their reserved blocks, runs after the
 * server's last, texts and hospitals by what they spell (both Texts cache what they have looked up).
 */
function remaps(
  scratch: SqliteLedger,
  source: SqliteLedger,
  lastRun: number,
  marks: Record<Numbered, number>,
): { maps: Record<(typeof APPENDED)[number], Record<string, Map1>>; text: Map1 } {
  const text = (v: unknown): unknown => (v === null ? null : scratch.texts.id(source.texts.text(v as number)));
  const textId = (id: number) => text(id) as number;
  const hospitals = new Map<number, number>();
  const names = source.db.prepare('SELECT name FROM hospitals WHERE id = ?').pluck();
  const hospital = (v: unknown): unknown => {
    let id = hospitals.get(v as number);
    if (id === undefined) hospitals.set(v as number, (id = scratch.hospitalId(names.get(v) as string, true)!));
    return id;
  };
  const by =
    (n: number): Map1 =>
    (v) =>
      v === null ? null : (v as number) + n;
  const run = by(lastRun);
  const maps = {
    // sealed again after the fill
    runs: { id: run, reverts_run: run, content_hash: () => null, prev_hash: () => null, hash: () => null },
    lines: {
      id: by(marks.lines),
      run_id: run,
      superseded_by: run,
      hospital_id: hospital,
      content_hash: lineHashBytes,
      source: text,
      visit_type: text,
      status: text,
    },
    results: {
      id: by(marks.results),
      line_id: by(marks.lines),
      policy: text,
      status: text,
      reasons: text,
      payee: text,
      payments: (v: unknown) => remapTextIds(v as string | null, 'payments', textId),
      changes: (v: unknown) => remapTextIds(v as string | null, 'changes', textId),
      details: (v: unknown) => remapTextIds(v as string | null, 'details', textId),
    },
    reversals: { id: by(marks.reversals), run_id: run, result_id: by(marks.results) },
    openings: { id: by(marks.openings), run_id: run, reverted_by: run },
    exceptions: { id: by(marks.exceptions), run_id: run, prior_run: run },
    trace_chunks: { run_id: run },
  };
  return { maps, text };
}

/** A claim line in force on both sides would be paid twice: refused, naming the first few. */
async function refuseDoubleLines(client: pg.ClientBase, source: SqliteLedger): Promise<void> {
  const keys = source.db
    .prepare(
      'SELECT l.claim_id, l.line_no, h.name FROM lines l JOIN hospitals h ON h.id = l.hospital_id WHERE l.superseded_by IS NULL',
    )
    .raw(true)
    .all() as [string, number, string][];
  const both = await linesInForce(client, keys);
  if (!both.length) return;
  const named = both
    .slice(0, 3)
    .map(([c, n, h]) => `${h} 结算单 ${c} 第 ${n} 行`)
    .join('、');
  throw new LedgerError(
    `共用台账中已有 ${both.length} 行相同的明细在账（医疗机构＋结算单号＋行号相同，如 ${named}）：并入会重复支付，未复制任何内容。` +
      '请先在其中一边撤销重复的运行（assist ledger revert），再复制。',
  );
}

/** People whose accumulators the merge adds together (their year-to-date becomes the city's), masked. */
async function sharedPeople(
  client: pg.ClientBase,
  source: SqliteLedger,
): Promise<{ sharedPeople: string[]; sharedOpenings: number }> {
  const people = source.db.prepare('SELECT DISTINCT id_number FROM accumulators ORDER BY 1').pluck().all() as string[];
  const opened = new Set(source.db.prepare('SELECT DISTINCT id_number FROM openings').pluck().all() as string[]);
  const shared: string[] = [];
  let openings = 0;
  for (let i = 0; i < people.length; i += 50_000) {
    const r = await client.query(
      `SELECT p.id_number, EXISTS (SELECT 1 FROM openings o WHERE o.id_number = p.id_number) AS opened
         FROM unnest($1::text[]) AS p(id_number) WHERE EXISTS (SELECT 1 FROM accumulators a WHERE a.id_number = p.id_number)`,
      [people.slice(i, i + 50_000)],
    );
    for (const row of r.rows as { id_number: string; opened: boolean }[]) {
      shared.push(mask(row.id_number));
      if (row.opened && opened.has(row.id_number)) openings++;
    }
  }
  return { sharedPeople: shared, sharedOpenings: openings };
}

/** The scratch ledger's rows onto the server: new names, the runs and their rows (COPY), the accumulators added. */
async function send(client: pg.Client, scratch: SqliteLedger): Promise<void> {
  const types = await pgArrayTypes(client);
  // no other office adds a name meanwhile (every person is locked): a clash is an error, not skipped
  await insertRows(client, types, 'texts', ['id', 't'], scratch.texts.added);
  await insertRows(client, types, 'hospitals', ['id', 'name'], scratch.hospitalsAdded);
  for (const t of APPENDED) {
    const spec = LEDGER_TABLES.find((x) => x.name === t)!;
    const cols = columnsOf(scratch.db, t);
    await copyRows(client, t, cols, tableRows(scratch, t, cols, spec.key, spec.page));
  }
  const acc = LEDGER_TABLES.find((x) => x.name === 'accumulators')!;
  const cols = columnsOf(scratch.db, 'accumulators');
  await insertRows(client, types, 'accumulators', cols, tableRows(scratch, 'accumulators', cols, acc.key, acc.page), {
    onConflict: ADD_ACCUMULATORS,
  });
}
