// The shared (city) ledger on PostgreSQL: the tables of the SQLite ledger's schema 4 (ledger/schema.ts), amounts in
// fen, short texts by id — and two roles, so that the database itself enforces what the program promises
// (SPEC §5: a run is appended, never rewritten):
// - assist_writer may read everything and append runs, lines, results, reversals, openings, traces, exceptions;
//   it may update only what a run legitimately changes later — its own seal (once), a line's superseded_by (once,
//   from NULL), an opening's reverted_by (once), the accumulators — and never DELETE a past result. Grants refuse
//   DELETE and other UPDATEs; triggers refuse a second seal or a second supersede.
// - assist_reader may only read (reports, reconcile, explain, check).
// Both are NOLOGIN group roles: an office's login user is made a member (GRANT assist_writer TO …).

export const PG_SCHEMA_VERSION = 4;

export const PG_TABLES = `
CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  id BIGSERIAL PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('adjudicate', 'revert', 'opening')),
  started_at TEXT NOT NULL,
  finished_at TEXT,
  operator TEXT NOT NULL,
  command_line TEXT NOT NULL,
  month TEXT,
  policies TEXT NOT NULL,
  inputs TEXT NOT NULL,
  counts TEXT,
  reverts_run BIGINT REFERENCES runs(id),
  content_hash TEXT,
  prev_hash TEXT,
  hash TEXT
);
CREATE TABLE IF NOT EXISTS texts (id BIGSERIAL PRIMARY KEY, t TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS hospitals (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS lines (
  id BIGSERIAL PRIMARY KEY,
  run_id BIGINT NOT NULL REFERENCES runs(id),
  claim_id TEXT NOT NULL,
  line_no INTEGER NOT NULL,
  hospital_id BIGINT NOT NULL,
  content_hash BYTEA NOT NULL,
  source BIGINT NOT NULL,
  row INTEGER NOT NULL,
  id_number TEXT NOT NULL,
  name TEXT NOT NULL,
  visit_type BIGINT NOT NULL,
  admission_date INTEGER NOT NULL,
  settlement_date INTEGER NOT NULL,
  total_cost BIGINT NOT NULL,
  basic_paid BIGINT NOT NULL,
  serious_paid BIGINT NOT NULL,
  assistance_paid BIGINT NOT NULL,
  other_paid BIGINT NOT NULL,
  personal_burden BIGINT NOT NULL,
  patient_remaining BIGINT NOT NULL,
  status BIGINT NOT NULL,
  trace_chunk INTEGER NOT NULL,
  trace_index INTEGER NOT NULL,
  superseded_by BIGINT REFERENCES runs(id)
);
CREATE INDEX IF NOT EXISTS lines_key ON lines (claim_id, line_no, hospital_id);
CREATE INDEX IF NOT EXISTS lines_run ON lines (run_id);
CREATE INDEX IF NOT EXISTS lines_person ON lines (id_number);
CREATE TABLE IF NOT EXISTS results (
  id BIGSERIAL PRIMARY KEY,
  line_id BIGINT NOT NULL REFERENCES lines(id),
  policy BIGINT NOT NULL,
  status BIGINT NOT NULL,
  reasons BIGINT NOT NULL,
  base BIGINT NOT NULL,
  payee BIGINT,
  payments TEXT,
  changes TEXT,
  details TEXT
);
CREATE INDEX IF NOT EXISTS results_line ON results (line_id);
CREATE TABLE IF NOT EXISTS reversals (
  id BIGSERIAL PRIMARY KEY,
  run_id BIGINT NOT NULL REFERENCES runs(id),
  result_id BIGINT NOT NULL UNIQUE REFERENCES results(id),
  reason TEXT NOT NULL CHECK (reason IN ('supersede', 'revert')),
  payments TEXT NOT NULL,
  changes TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS accumulators (
  id_number TEXT NOT NULL,
  policy BIGINT NOT NULL REFERENCES texts(id),
  year INTEGER NOT NULL,
  key BIGINT NOT NULL REFERENCES texts(id),
  base BIGINT NOT NULL,
  paid BIGINT NOT NULL,
  entitled BIGINT NOT NULL,
  first_date TEXT,
  PRIMARY KEY (id_number, policy, year, key)
);
CREATE TABLE IF NOT EXISTS openings (
  id BIGSERIAL PRIMARY KEY,
  run_id BIGINT NOT NULL REFERENCES runs(id),
  id_number TEXT NOT NULL,
  policy TEXT NOT NULL,
  year INTEGER NOT NULL,
  key TEXT NOT NULL,
  base BIGINT NOT NULL,
  paid BIGINT NOT NULL,
  entitled BIGINT NOT NULL,
  first_date TEXT,
  source TEXT NOT NULL,
  row INTEGER NOT NULL,
  reverted_by BIGINT REFERENCES runs(id)
);
CREATE TABLE IF NOT EXISTS trace_chunks (
  run_id BIGINT NOT NULL REFERENCES runs(id),
  chunk INTEGER NOT NULL,
  data BYTEA NOT NULL,
  codec TEXT NOT NULL DEFAULT 'brotli' CHECK (codec IN ('deflate', 'brotli')),
  PRIMARY KEY (run_id, chunk)
);
CREATE TABLE IF NOT EXISTS exceptions (
  id BIGSERIAL PRIMARY KEY,
  run_id BIGINT NOT NULL REFERENCES runs(id),
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
  prior_run BIGINT
);
CREATE INDEX IF NOT EXISTS exceptions_claim ON exceptions (claim_id);
CREATE INDEX IF NOT EXISTS exceptions_row ON exceptions (source, row);
CREATE TABLE IF NOT EXISTS ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- one row per person ever in a run: a run locks its people's rows (SELECT … FOR UPDATE) for its whole transaction
CREATE TABLE IF NOT EXISTS people (id_number TEXT PRIMARY KEY);
-- what the program promises, kept by the server too: one line in force per key
CREATE UNIQUE INDEX IF NOT EXISTS lines_in_force ON lines (claim_id, line_no, hospital_id) WHERE superseded_by IS NULL;
`;

/** A trigger refusing any UPDATE of a row whose `column` is already set: it changes once, from NULL, never back. */
function once(table: string, column: string, message: string, args: string): string {
  const fn = `assist_${table}_${column}_once`;
  return `
CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.${column} IS NOT NULL THEN
    RAISE EXCEPTION '${message}', ${args} USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS ${table}_${column}_once ON ${table};
CREATE TRIGGER ${table}_${column}_once BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${fn}();`;
}

/**
 * A statement trigger checking that every text (and hospital) id a statement's new rows refer to exists: the
 * foreign key, checked once per statement by one anti-join over the new rows, where a REFERENCES clause fires a
 * check per row and column (measured: 2.5 of the 6.2 s a 100k-line run spent inserting, with the commit lock held).
 * Texts and hospitals are never deleted (no writer may), so a reference checked on insert stays valid.
 */
function refersTo(table: string, refs: [column: string, target: 'texts' | 'hospitals'][]): string {
  const fn = `assist_${table}_refs`;
  const missing = refs
    .map(
      ([c, t]) =>
        `EXISTS (SELECT 1 FROM new_rows n WHERE n.${c} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${t} x WHERE x.id = n.${c}))`,
    )
    .join(' OR ');
  return `
CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF ${missing} THEN
    RAISE EXCEPTION '${table} 中有行引用了不存在的文字或医疗机构编号' USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS ${table}_refs ON ${table};
CREATE TRIGGER ${table}_refs AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ${fn}();`;
}

/** Triggers: what grants cannot say. */
export const PG_TRIGGERS = [
  refersTo('lines', [
    ['hospital_id', 'hospitals'],
    ['source', 'texts'],
    ['visit_type', 'texts'],
    ['status', 'texts'],
  ]),
  refersTo('results', [
    ['policy', 'texts'],
    ['status', 'texts'],
    ['reasons', 'texts'],
    ['payee', 'texts'],
  ]),
  once('runs', 'hash', '第 % 次运行已经封存，不能再改动', 'OLD.id'),
  once('lines', 'superseded_by', '明细 % 已被第 % 次运行冲正，不能再改动', 'OLD.id, OLD.superseded_by'),
  once('openings', 'reverted_by', '期初余额 % 已被撤销，不能再改动', 'OLD.id'),
].join('\n');

const ALL_TABLES = [
  'schema_migrations',
  'runs',
  'texts',
  'hospitals',
  'lines',
  'results',
  'reversals',
  'accumulators',
  'openings',
  'trace_chunks',
  'exceptions',
  'ledger_meta',
  'people',
];
const APPENDED = [
  'runs',
  'texts',
  'hospitals',
  'lines',
  'results',
  'reversals',
  'openings',
  'trace_chunks',
  'exceptions',
];

/** The two roles and their grants (run by the database owner; repeating it changes nothing). */
export function pgRoles(schema: string): string {
  const q = (t: string) => `${schema}.${t}`;
  const create = (role: string) =>
    `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role} NOLOGIN; END IF; END $$;`;
  return [
    create('assist_reader'),
    create('assist_writer'),
    `GRANT USAGE ON SCHEMA ${schema} TO assist_reader, assist_writer;`,
    `GRANT SELECT ON ${ALL_TABLES.map(q).join(', ')} TO assist_reader, assist_writer;`,
    `GRANT INSERT ON ${APPENDED.map(q).join(', ')} TO assist_writer;`,
    `GRANT INSERT, UPDATE ON ${q('accumulators')}, ${q('ledger_meta')} TO assist_writer;`,
    `GRANT DELETE ON ${q('ledger_meta')} TO assist_writer;`,
    // FOR UPDATE needs UPDATE on the table; the rows hold nothing but the key
    `GRANT INSERT, UPDATE ON ${q('people')} TO assist_writer;`,
    `GRANT UPDATE (finished_at, counts, content_hash, prev_hash, hash) ON ${q('runs')} TO assist_writer;`,
    `GRANT UPDATE (superseded_by) ON ${q('lines')} TO assist_writer;`,
    `GRANT UPDATE (reverted_by) ON ${q('openings')} TO assist_writer;`,
    `GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${schema} TO assist_writer;`,
  ].join('\n');
}
