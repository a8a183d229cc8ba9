// Versioned migrations of the SQLite ledger. A migration is applied once, in order, inside a
// transaction, and recorded in schema_migrations; a ledger newer than this program is refused.
// Money is INTEGER fen (exact, summable in SQL); dates are ISO text.

import type Database from 'better-sqlite3';
import { dateInt, encodeChanges, encodeDetails, encodePayments, Texts, type ChangeTuple } from './texts.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** data conversion in code, after `sql` (same transaction) */
  run?: (db: Database.Database) => void;
  /** SQL after `run` */
  after?: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: '台账初始结构：运行、明细、结果、冲正、期初余额、累计额',
    sql: `
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('adjudicate', 'revert', 'opening')),
  started_at TEXT NOT NULL,
  finished_at TEXT,
  operator TEXT NOT NULL,
  command_line TEXT NOT NULL,
  month TEXT,
  policies TEXT NOT NULL,      -- JSON [{id, name, document, version, parameters}]
  inputs TEXT NOT NULL,        -- JSON [{file, sha256, bytes}]
  counts TEXT,                 -- JSON {rowsRead, invalid, lines, results, skipped, conflicts, reversals, ...}
  reverts_run INTEGER REFERENCES runs(id),
  content_hash TEXT,
  prev_hash TEXT,
  hash TEXT
);
CREATE TABLE hospitals (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
-- one row per adjudicated claim line; superseded_by/reverted_by are the only columns ever updated
CREATE TABLE lines (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  claim_id TEXT NOT NULL,
  line_no INTEGER NOT NULL,
  hospital_id INTEGER NOT NULL REFERENCES hospitals(id),
  content_hash TEXT NOT NULL,
  source TEXT NOT NULL,
  row INTEGER NOT NULL,
  id_number TEXT NOT NULL,
  name TEXT NOT NULL,
  visit_type TEXT NOT NULL,
  admission_date TEXT NOT NULL,
  settlement_date TEXT NOT NULL,
  total_cost INTEGER NOT NULL,
  basic_paid INTEGER NOT NULL,
  serious_paid INTEGER NOT NULL,
  assistance_paid INTEGER NOT NULL,
  other_paid INTEGER NOT NULL,
  personal_burden INTEGER NOT NULL,
  patient_remaining INTEGER NOT NULL,
  status TEXT NOT NULL,
  trace_chunk INTEGER NOT NULL,
  trace_index INTEGER NOT NULL,
  superseded_by INTEGER REFERENCES runs(id)
);
CREATE INDEX lines_key ON lines (claim_id, line_no, hospital_id);
CREATE INDEX lines_run ON lines (run_id);
-- one row per (line, policy) result
CREATE TABLE results (
  id INTEGER PRIMARY KEY,
  line_id INTEGER NOT NULL REFERENCES lines(id),
  policy TEXT NOT NULL,
  status TEXT NOT NULL,
  reasons TEXT NOT NULL,       -- comma-separated codes
  base INTEGER NOT NULL,
  payee TEXT NOT NULL,
  payments TEXT NOT NULL,      -- JSON {fundId: fen}
  changes TEXT NOT NULL,       -- JSON [[year, key, base, paid, entitled, firstDate|null]]
  details TEXT                 -- JSON {..} or NULL
);
CREATE INDEX results_line ON results (line_id);
-- a reversal (冲正) of one earlier result: amounts negated
CREATE TABLE reversals (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  result_id INTEGER NOT NULL UNIQUE REFERENCES results(id),
  reason TEXT NOT NULL CHECK (reason IN ('supersede', 'revert')),
  payments TEXT NOT NULL,
  changes TEXT NOT NULL
);
CREATE INDEX reversals_run ON reversals (run_id);
-- year-to-date balances from before the tool (assist ledger import-opening); a revert adds negated rows
CREATE TABLE openings (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  id_number TEXT NOT NULL,
  policy TEXT NOT NULL,
  year INTEGER NOT NULL,
  key TEXT NOT NULL,
  base INTEGER NOT NULL,
  paid INTEGER NOT NULL,
  entitled INTEGER NOT NULL,
  first_date TEXT,
  source TEXT NOT NULL,
  row INTEGER NOT NULL,
  reverted_by INTEGER REFERENCES runs(id)
);
CREATE INDEX openings_run ON openings (run_id);
CREATE INDEX openings_key ON openings (id_number, policy, year, key);
-- the traces and full input lines, deflated in chunks of many lines
CREATE TABLE trace_chunks (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  chunk INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (run_id, chunk)
);
-- the year-to-date counters the engine reads: always Σ openings + Σ result changes − Σ reversals
CREATE TABLE accumulators (
  id_number TEXT NOT NULL,
  policy TEXT NOT NULL,
  year INTEGER NOT NULL,
  key TEXT NOT NULL,
  base INTEGER NOT NULL,
  paid INTEGER NOT NULL,
  entitled INTEGER NOT NULL,
  first_date TEXT,
  PRIMARY KEY (id_number, policy, year, key)
) WITHOUT ROWID;
`,
  },
  {
    version: 2,
    name: '计算过程块改用 brotli 压缩（codec 列；旧块仍为 deflate）',
    sql: `ALTER TABLE trace_chunks ADD COLUMN codec TEXT NOT NULL DEFAULT 'deflate' CHECK (codec IN ('deflate', 'brotli'));`,
  },
  {
    version: 3,
    name: '重复出现的短文本（政策、状态、原因、资金、收款单位、文件名等）只存一次，明细与结果中存其编号；金额、累计额变动与明细改为紧凑数组',
    sql: `
CREATE TABLE texts (
  id INTEGER PRIMARY KEY,
  t TEXT NOT NULL UNIQUE
);
CREATE TABLE lines3 (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  claim_id TEXT NOT NULL,
  line_no INTEGER NOT NULL,
  hospital_id INTEGER NOT NULL REFERENCES hospitals(id),
  content_hash BLOB NOT NULL,            -- 16 bytes (32 hex characters in lines written before schema 2); from content-hash version 2 on, 17: the version first
  source INTEGER NOT NULL REFERENCES texts(id),
  row INTEGER NOT NULL,
  id_number TEXT NOT NULL,
  name TEXT NOT NULL,
  visit_type INTEGER NOT NULL REFERENCES texts(id),
  admission_date INTEGER NOT NULL,       -- 20240601
  settlement_date INTEGER NOT NULL,
  total_cost INTEGER NOT NULL,
  basic_paid INTEGER NOT NULL,
  serious_paid INTEGER NOT NULL,
  assistance_paid INTEGER NOT NULL,
  other_paid INTEGER NOT NULL,
  personal_burden INTEGER NOT NULL,
  patient_remaining INTEGER NOT NULL,
  status INTEGER NOT NULL REFERENCES texts(id),
  trace_chunk INTEGER NOT NULL,
  trace_index INTEGER NOT NULL,
  superseded_by INTEGER REFERENCES runs(id)
);
CREATE TABLE results3 (
  id INTEGER PRIMARY KEY,
  line_id INTEGER NOT NULL REFERENCES lines(id),
  policy INTEGER NOT NULL REFERENCES texts(id),
  status INTEGER NOT NULL REFERENCES texts(id),
  reasons INTEGER NOT NULL REFERENCES texts(id),  -- the comma-separated codes as one text
  base INTEGER NOT NULL,
  payee INTEGER REFERENCES texts(id),             -- NULL: the line's hospital
  payments TEXT,                                  -- [fundId, fen, …]; NULL: nothing paid
  changes TEXT,                                   -- [year, keyId, base, paid, entitled, firstDate|null, …]; NULL: none
  details TEXT                                    -- [nameId, value, …] or NULL
);
CREATE TABLE accumulators3 (
  id_number TEXT NOT NULL,
  policy INTEGER NOT NULL REFERENCES texts(id),
  year INTEGER NOT NULL,
  key INTEGER NOT NULL REFERENCES texts(id),
  base INTEGER NOT NULL,
  paid INTEGER NOT NULL,
  entitled INTEGER NOT NULL,
  first_date TEXT,
  PRIMARY KEY (id_number, policy, year, key)
) WITHOUT ROWID;
`,
    run: migrateToTexts,
    after: `
DROP TABLE accumulators;
ALTER TABLE accumulators3 RENAME TO accumulators;
DROP TABLE results;
ALTER TABLE results3 RENAME TO results;
CREATE INDEX results_line ON results (line_id);
DROP TABLE lines;
ALTER TABLE lines3 RENAME TO lines;
CREATE INDEX lines_key ON lines (claim_id, line_no, hospital_id);
CREATE INDEX lines_run ON lines (run_id);
-- for reading the ledger with other tools: the same rows with the texts spelled out (payments, changes, details stay compact)
CREATE VIEW lines_text AS
  SELECT l.id, l.run_id, l.claim_id, l.line_no, h.name AS hospital, l.content_hash, s.t AS source, l.row, l.id_number, l.name, v.t AS visit_type,
    CASE WHEN typeof(l.admission_date) = 'integer' THEN printf('%04d-%02d-%02d', l.admission_date / 10000, l.admission_date / 100 % 100, l.admission_date % 100) ELSE l.admission_date END AS admission_date,
    CASE WHEN typeof(l.settlement_date) = 'integer' THEN printf('%04d-%02d-%02d', l.settlement_date / 10000, l.settlement_date / 100 % 100, l.settlement_date % 100) ELSE l.settlement_date END AS settlement_date, l.total_cost, l.basic_paid, l.serious_paid, l.assistance_paid, l.other_paid, l.personal_burden, l.patient_remaining,
    st.t AS status, l.trace_chunk, l.trace_index, l.superseded_by
  FROM lines l JOIN hospitals h ON h.id = l.hospital_id JOIN texts s ON s.id = l.source JOIN texts v ON v.id = l.visit_type JOIN texts st ON st.id = l.status;
CREATE VIEW results_text AS
  SELECT r.id, r.line_id, p.t AS policy, s.t AS status, rs.t AS reasons, r.base, COALESCE(py.t, h.name) AS payee, r.payments, r.changes, r.details
  FROM results r JOIN texts p ON p.id = r.policy JOIN texts s ON s.id = r.status JOIN texts rs ON rs.id = r.reasons LEFT JOIN texts py ON py.id = r.payee
    JOIN lines l ON l.id = r.line_id JOIN hospitals h ON h.id = l.hospital_id;
CREATE VIEW accumulators_text AS
  SELECT a.id_number, p.t AS policy, a.year, k.t AS key, a.base, a.paid, a.entitled, a.first_date
  FROM accumulators a JOIN texts p ON p.id = a.policy JOIN texts k ON k.id = a.key;
`,
  },
  {
    version: 4,
    name: '无效行与内容冲突的重报行（未审核、未入账）的来源、行号和原因，供 assist explain 查找',
    // not part of a run's content hash: nothing here is paid or accumulated; the rows are the run's own (a revert
    // leaves them, as the run's history)
    sql: `
CREATE TABLE exceptions (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  kind TEXT NOT NULL CHECK (kind IN ('invalid', 'skipped')),
  source TEXT NOT NULL,
  sheet TEXT NOT NULL,
  row INTEGER NOT NULL,
  claim_id TEXT NOT NULL,
  line_no INTEGER,
  hospital TEXT NOT NULL,
  id_number TEXT NOT NULL,
  name TEXT NOT NULL,
  issues TEXT NOT NULL,
  prior_run INTEGER
);
CREATE INDEX exceptions_claim ON exceptions (claim_id);
CREATE INDEX exceptions_row ON exceptions (source, row);
`,
  },
];

/**
 * Every row of a keyed query, read in pages (a statement being iterated would keep the connection busy for the
 * inserts): `sql` takes the last key and ends in its table's order.
 */
function pagedRows(
  db: Database.Database,
  sql: string,
  first: unknown[],
  keyOf: (last: Record<string, unknown>) => unknown[],
  each: (r: Record<string, unknown>) => void,
): void {
  const PAGE = 20_000;
  const st = db.prepare(`${sql} LIMIT ${PAGE}`);
  for (let key = first; ;) {
    const rows = st.all(...key) as Record<string, unknown>[];
    for (const r of rows) each(r);
    if (rows.length < PAGE) return;
    key = keyOf(rows[rows.length - 1]!);
  }
}

/** Schema 2 → 3: every line, result and accumulator copied with its texts replaced by ids (the same ids, so reversals still point at their results). */
function migrateToTexts(db: Database.Database): void {
  const id = new Texts(db).id;
  const byId = (r: Record<string, unknown>) => [r.id];
  const line =
    db.prepare(`INSERT INTO lines3 VALUES (@id, @run_id, @claim_id, @line_no, @hospital_id, @content_hash, @source, @row, @id_number, @name, @visit_type,
    @admission_date, @settlement_date, @total_cost, @basic_paid, @serious_paid, @assistance_paid, @other_paid, @personal_burden, @patient_remaining, @status, @trace_chunk, @trace_index, @superseded_by)`);
  pagedRows(db, 'SELECT * FROM lines WHERE id > ? ORDER BY id', [-1], byId, (r) =>
    line.run({
      ...r,
      source: id(r.source as string),
      visit_type: id(r.visit_type as string),
      status: id(r.status as string),
      admission_date: dateInt(r.admission_date as string),
      settlement_date: dateInt(r.settlement_date as string),
    }),
  );
  const result = db.prepare('INSERT INTO results3 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  pagedRows(db, 'SELECT * FROM results WHERE id > ? ORDER BY id', [-1], byId, (r) =>
    result.run(
      r.id,
      r.line_id,
      id(r.policy as string),
      id(r.status as string),
      id(r.reasons as string),
      r.base,
      r.payee === '' ? null : id(r.payee as string),
      encodePayments(Object.entries(JSON.parse(r.payments as string) as Record<string, number>), id),
      encodeChanges(JSON.parse(r.changes as string) as ChangeTuple[], id),
      encodeDetails(r.details ? (JSON.parse(r.details as string) as Record<string, unknown>) : null, id),
    ),
  );
  const acc = db.prepare('INSERT INTO accumulators3 VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  pagedRows(
    db,
    'SELECT * FROM accumulators WHERE (id_number, policy, year, key) > (?, ?, ?, ?) ORDER BY id_number, policy, year, key',
    ['', '', -1, ''],
    (a) => [a.id_number, a.policy, a.year, a.key],
    (a) =>
      acc.run(
        a.id_number,
        id(a.policy as string),
        a.year,
        id(a.key as string),
        a.base,
        a.paid,
        a.entitled,
        a.first_date,
      ),
  );
}

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
