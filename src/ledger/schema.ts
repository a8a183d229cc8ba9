// Versioned migrations of the SQLite ledger. A migration is applied once, in order, inside a
// transaction, and recorded in schema_migrations; a ledger newer than this program is refused.
// Money is INTEGER fen (exact, summable in SQL); dates are ISO text.

export interface Migration {
  version: number;
  name: string;
  sql: string;
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
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
