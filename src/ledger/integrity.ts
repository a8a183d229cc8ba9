// The ledger against itself (assist ledger check): the hash chain of runs, the journal and a printed
// 台账校验码, the accumulators against openings + results − reversals, one active line per key. Also the
// run content hash that commit stores and check recomputes — one function for both.
import { createHash } from 'node:crypto';
import { yearLabel } from '../domain/dates.js';
import { mask } from '../domain/id-number.js';
import { Utf8Builder } from '../io/utf8-builder.js';
import { GENESIS, chainHash, sha256 } from './hashing.js';
import { journalPath, ledgerCode, parseLedgerCode, readJournal } from './journal.js';
import { fenAmountsText, type Row } from './rows.js';
import { mergeDelta, type Delta } from './session.js';
import type { SqliteLedger } from './sqlite.js';
import type { CheckReport } from './store.js';
import {
  changeTuples,
  dateText,
  decodeChanges,
  decodeDetails,
  decodePayments,
  type ChangeTuple,
  type TextOf,
} from './texts.js';

type RunHashes = { id: number; content_hash: string | null; prev_hash: string | null; hash: string | null };

/** One table's part of a run's content: its rows as stored, with stored ids spelled out by `map`. */
interface ContentPart {
  tag: string;
  sql: string;
  map?: (row: unknown[], text: TextOf) => void;
}

/** A run's content, table by table, in the order it is hashed. */
const RUN_CONTENT: ContentPart[] = [
  {
    tag: 'run',
    sql: 'SELECT kind, started_at, finished_at, operator, command_line, month, policies, inputs, counts, reverts_run FROM runs WHERE id = ?',
  },
  {
    tag: 'line',
    sql: `SELECT l.id, l.claim_id, l.line_no, h.name, CASE WHEN typeof(l.content_hash) = 'blob' THEN lower(hex(l.content_hash)) ELSE l.content_hash END, l.source, l.row, l.id_number, l.name, l.visit_type, l.admission_date, l.settlement_date,
      l.total_cost, l.basic_paid, l.serious_paid, l.assistance_paid, l.other_paid, l.personal_burden, l.patient_remaining, l.status, l.trace_chunk, l.trace_index
     FROM lines l JOIN hospitals h ON h.id = l.hospital_id WHERE l.run_id = ? ORDER BY l.id`,
    map: (row, text) => {
      row[5] = text(row[5] as number);
      row[9] = text(row[9] as number);
      row[10] = dateText(row[10] as number | string);
      row[11] = dateText(row[11] as number | string);
      row[19] = text(row[19] as number);
    },
  },
  {
    tag: 'result',
    sql: 'SELECT r.id, r.line_id, r.policy, r.status, r.reasons, r.base, r.payee, r.payments, r.changes, r.details FROM results r JOIN lines l ON l.id = r.line_id WHERE l.run_id = ? ORDER BY r.id',
    map: (row, text) => {
      row[2] = text(row[2] as number);
      row[3] = text(row[3] as number);
      row[4] = text(row[4] as number);
      row[6] = row[6] === null ? '' : text(row[6] as number); // schema 2 stored '' for the line's hospital
      row[7] = decodePayments(row[7] as string | null, text);
      row[8] = decodeChanges(row[8] as string | null, text);
      row[9] = decodeDetails(row[9] as string | null, text);
    },
  },
  {
    tag: 'reversal',
    sql: 'SELECT id, result_id, reason, payments, changes FROM reversals WHERE run_id = ? ORDER BY id',
  },
  {
    tag: 'opening',
    sql: 'SELECT id, id_number, policy, year, key, base, paid, entitled, first_date, source, row FROM openings WHERE run_id = ? ORDER BY id',
  },
];

/**
 * sha256 over a run's immutable content, read back from the tables (the same function commits and checks).
 * Stored ids are spelled out (schema 3): the text hashed is the text schemas 1 and 2 stored, so a run keeps
 * its hash through the migration and a changed `texts` row shows. The trace chunks count by their own hashes.
 */
export function runContentHash(ledger: SqliteLedger, runId: number): string {
  const h = createHash('sha256');
  // the text is encoded into a buffer and handed to the hash ~1 MB at a time (one update per row cost a call
  // into C++ per row; a 1 MB string made of the rows was flattened into a fresh copy each time); the digest
  // is the same: sha256 over the same UTF-8 bytes in the same order
  const pending = new Utf8Builder(2 << 20);
  const put = (...pieces: string[]): void => {
    for (const p of pieces) pending.add(p);
    if (pending.length >= 1 << 20) {
      h.update(pending.peek());
      pending.clear();
    }
  };
  const text = ledger.texts.text;
  for (const { tag, sql, map } of RUN_CONTENT)
    for (const row of ledger.q(sql).raw(true).iterate(runId)) {
      map?.(row as unknown[], text);
      put(tag, JSON.stringify(row), '\n');
    }
  for (const row of ledger
    .q('SELECT chunk, data FROM trace_chunks WHERE run_id = ? ORDER BY chunk')
    .raw(true)
    .iterate(runId)) {
    const [chunk, data] = row as [number, Buffer];
    put(`chunk${chunk}:${sha256(data)}\n`);
  }
  h.update(pending.peek());
  return h.digest('hex');
}

export function checkLedger(ledger: SqliteLedger, opts: { head?: string } = {}): CheckReport {
  const problems: string[] = [];
  const notes: string[] = [];
  const runs = ledger.q('SELECT id, content_hash, prev_hash, hash FROM runs ORDER BY id').all() as RunHashes[];
  checkWitnesses(ledger, runs, opts.head, problems, notes);
  checkChain(ledger, runs, problems);
  const actual = storedAccumulators(ledger);
  compareAccumulators(expectedAccumulators(ledger, problems), actual, problems);
  checkActiveLines(ledger, problems);
  const lines = (ledger.q('SELECT COUNT(*) AS n FROM lines').get() as { n: number }).n;
  return { runs: runs.length, lines, accumulators: actual.size, problems, notes, head: ledger.headCode() };
}

function checkChain(ledger: SqliteLedger, runs: RunHashes[], problems: string[]): void {
  let prev = GENESIS;
  for (const r of runs) {
    if (!r.hash || !r.content_hash) {
      problems.push(`第 ${r.id} 次运行没有哈希（未正常提交或被改动）`);
      continue;
    }
    if (runContentHash(ledger, r.id) !== r.content_hash)
      problems.push(`第 ${r.id} 次运行的内容与记录的哈希不符：其明细、结果、冲正或期初余额被改动过`);
    if (r.prev_hash !== prev)
      problems.push(`第 ${r.id} 次运行记录的上一哈希与前一次运行不符：哈希链断开（运行被删除、插入或改动）`);
    if (chainHash(r.prev_hash ?? '', r.content_hash) !== r.hash) problems.push(`第 ${r.id} 次运行的链哈希不符`);
    prev = r.hash;
  }
}

/** What one run adds to the accumulators: its openings + its results' changes − its reversals. */
export function runDeltas(ledger: SqliteLedger, runId: number): Delta[] {
  const problems: string[] = [];
  const deltas = expectedAccumulators(ledger, problems, runId);
  if (problems.length) throw new Error(problems.join('；'));
  return [...deltas.values()];
}

/**
 * Accumulators as openings + result changes − reversals (first date: the earliest recorded); checks each reversal.
 * With `runId`, only what that run wrote.
 */
function expectedAccumulators(ledger: SqliteLedger, problems: string[], runId?: number): Map<string, Delta> {
  const expected = new Map<string, Delta>();
  const add = (d: Delta): void => mergeDelta(expected, d);
  const of = (column: string) => (runId === undefined ? '' : ` AND ${column} = ${Number(runId)}`);
  for (const d of accumulatorRows(ledger, 'openings', of('run_id'))) add(d);
  const text = ledger.texts.text;
  for (const r of ledger
    .q(
      `SELECT l.id_number, r.policy, r.changes FROM results r JOIN lines l ON l.id = r.line_id WHERE r.changes IS NOT NULL${of('l.run_id')}`,
    )
    .raw(true)
    .iterate()) {
    const [idNumber, policyId, changes] = r as [string, number, string];
    const policy = text(policyId);
    for (const [year, key, base, paid, entitled, firstDate] of changeTuples(changes, text))
      add({ idNumber, policy, year, key, base, paid, entitled, firstDate });
  }
  for (const r of ledger
    .q(
      `SELECT v.id, l.id_number, r.policy, v.changes, r.changes, v.payments, r.payments, v.run_id, l.superseded_by FROM reversals v JOIN results r ON r.id = v.result_id JOIN lines l ON l.id = r.line_id WHERE 1${of('v.run_id')}`,
    )
    .raw(true)
    .iterate()) {
    const [id, idNumber, policyId, changes, storedOriginal, payments, storedPayments, runId, supersededBy] = r as [
      number,
      string,
      number,
      string,
      string | null,
      string,
      string | null,
      number,
      number | null,
    ];
    const policy = text(policyId);
    const originalPayments = decodePayments(storedPayments, text);
    const negated = changeTuples(storedOriginal, text).map(([y, k, b, p, e]) => [y, k, -b, -p, -e, null]);
    if (JSON.stringify(negated) !== JSON.stringify(JSON.parse(changes)))
      problems.push(`冲正记录 ${id} 的累计额变动不是原结果的相反数`);
    const nonZero = (json: string, sign: number) =>
      JSON.stringify(
        Object.entries(JSON.parse(json) as Record<string, number>)
          .filter(([, v]) => v !== 0)
          .map(([k, v]) => [k, sign * v]),
      );
    if (nonZero(originalPayments, -1) !== nonZero(payments, 1))
      problems.push(`冲正记录 ${id} 的金额不是原结果金额的相反数`);
    if (supersededBy !== runId) problems.push(`冲正记录 ${id} 对应的明细没有标记为被第 ${runId} 次运行冲正`);
    for (const [year, key, base, paid, entitled] of JSON.parse(changes) as ChangeTuple[])
      add({ idNumber, policy, year, key, base, paid, entitled, firstDate: null });
  }
  return expected;
}

/** Rows of openings or accumulators_text (policy and key as text, amounts in fen) as accumulator deltas. */
function* accumulatorRows(ledger: SqliteLedger, table: 'openings' | 'accumulators_text', where = ''): Generator<Delta> {
  for (const row of ledger
    .q(`SELECT id_number, policy, year, key, base, paid, entitled, first_date FROM ${table} WHERE 1${where}`)
    .raw(true)
    .iterate()) {
    const [idNumber, policy, year, key, base, paid, entitled, firstDate] = row as [
      string,
      string,
      number,
      string,
      number,
      number,
      number,
      string | null,
    ];
    yield { idNumber, policy, year, key, base, paid, entitled, firstDate };
  }
}

function storedAccumulators(ledger: SqliteLedger): Map<string, Delta> {
  const actual = new Map<string, Delta>();
  for (const d of accumulatorRows(ledger, 'accumulators_text'))
    actual.set(`${d.idNumber}|${d.policy}|${d.year}|${d.key}`, d);
  return actual;
}

function compareAccumulators(expected: Map<string, Delta>, actual: Map<string, Delta>, problems: string[]): void {
  const zero = (d: Delta | undefined): boolean =>
    !d || (d.base === 0 && d.paid === 0 && d.entitled === 0 && !d.firstDate);
  const describe = (d: Delta | undefined): string => (d ? fenAmountsText(d) : '无记录');
  for (const k of new Set([...expected.keys(), ...actual.keys()])) {
    const e = expected.get(k);
    const a = actual.get(k);
    if (zero(e) && zero(a)) continue;
    if (
      !e ||
      !a ||
      e.base !== a.base ||
      e.paid !== a.paid ||
      e.entitled !== a.entitled ||
      (e.firstDate ?? null) !== (a.firstDate ?? null)
    ) {
      const [idNumber, policy, year, key] = k.split('|');
      problems.push(
        `累计额不符：${mask(idNumber!)} ${policy} ${yearLabel(Number(year))} ${key}：台账记为 ${describe(a)}，按结果与冲正合计应为 ${describe(e)}`,
      );
    }
  }
}

function checkActiveLines(ledger: SqliteLedger, problems: string[]): void {
  const dup = ledger
    .q(
      'SELECT claim_id, line_no, COUNT(*) AS n FROM lines WHERE superseded_by IS NULL GROUP BY claim_id, line_no, hospital_id HAVING n > 1',
    )
    .all() as Row[];
  for (const d of dup) problems.push(`结算单 ${d.claim_id} 第 ${d.line_no} 行同时有 ${d.n} 条有效记录（重复支付风险）`);
  const orphan = ledger
    .q(
      'SELECT l.claim_id, l.line_no, l.superseded_by FROM lines l JOIN results r ON r.line_id = l.id LEFT JOIN reversals v ON v.result_id = r.id WHERE l.superseded_by IS NOT NULL AND v.id IS NULL',
    )
    .all() as Row[];
  for (const o of orphan)
    problems.push(`结算单 ${o.claim_id} 第 ${o.line_no} 行标记为被第 ${o.superseded_by} 次运行冲正，但缺少冲正记录`);
}

/** The journal and a printed code against the runs in the database: deleted or rebuilt runs. */
function checkWitnesses(
  ledger: SqliteLedger,
  runs: { id: number; hash: string | null }[],
  head: string | undefined,
  problems: string[],
  notes: string[],
): void {
  const byId = new Map(runs.map((r) => [r.id, r.hash]));
  const maxId = runs.length ? runs[runs.length - 1]!.id : 0;
  if (head) {
    const { runId, prefix } = parseLedgerCode(head);
    const hash = byId.get(runId);
    if (hash === undefined)
      problems.push(
        `校验码 ${head.trim()} 对应的第 ${runId} 次运行不在台账中：${runId > maxId ? '台账最后的运行已被删除' : '该运行已被删除'}`,
      );
    else if (!hash || !hash.startsWith(prefix))
      problems.push(
        `校验码 ${head.trim()} 与台账第 ${runId} 次运行（${hash ? ledgerCode(runId, hash) : '无哈希'}）不符：该运行或其之前的运行被改动、删除或重建`,
      );
  }
  if (ledger.path === ':memory:' || ledger.replica) return;
  const entries = readJournal(ledger.path);
  if (!entries) {
    if (ledger.meta('journal') !== null)
      problems.push(`台账校验码日志 ${journalPath(ledger.path)} 不存在（被删除或移走）；台账记录曾写过该日志`);
    else if (runs.length)
      notes.push(`尚无台账校验码日志（本版本之前的台账）；下次运行提交时建立 ${journalPath(ledger.path)}`);
    return;
  }
  const journaled = new Set<number>();
  for (const e of entries) {
    journaled.add(e.runId);
    const hash = byId.get(e.runId);
    if (hash === undefined)
      problems.push(`校验码日志记有第 ${e.runId} 次运行（校验码 ${e.code}），台账中已没有该运行：运行被删除`);
    else if (hash !== e.hash)
      problems.push(
        `台账第 ${e.runId} 次运行的链哈希（${hash ? ledgerCode(e.runId, hash) : '无'}）与校验码日志（${e.code}）不符：运行被删除后重建或改动`,
      );
  }
  const lastJournaled = Math.max(0, ...journaled);
  for (const r of runs) {
    if (journaled.has(r.id) || !r.hash) continue;
    if (r.id < lastJournaled) problems.push(`台账第 ${r.id} 次运行不在校验码日志中：运行被插入，或日志被改动`);
    else notes.push(`第 ${r.id} 次运行尚未记入校验码日志（提交后中断？）；下次运行提交时补记`);
  }
}
