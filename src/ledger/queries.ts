// Read-only queries the reports run on the ledger. Rows are streamed (iterate), never all held at once
// unless the report itself needs them grouped.
import type { Money } from '../domain/money.js';
import type { Status } from '../domain/reasons.js';
import type { ReversalLine } from './store.js';
import { storedDetails, storedPayee, storedPayments, type SqliteLedger } from './sqlite.js';
import { dateInt, dateText, type TextOf } from './texts.js';
import { lineAmountsFromRow, paymentsFromFen, resultBaseFromRow } from './rows.js';
import type { RunInfo } from './store.js';

export interface ResultRow {
  resultId: number;
  lineId: number;
  runId: number;
  claimId: string;
  lineNo: number;
  hospital: string;
  idNumber: string;
  name: string;
  visitType: string;
  admissionDate: string;
  settlementDate: string;
  totalCost: Money;
  basicPaid: Money;
  seriousIllnessPaid: Money;
  assistancePaid: Money;
  otherPaid: Money;
  personalBurden: Money;
  patientRemaining: Money;
  supersededBy: number | null;
  policy: string;
  status: Status;
  reasons: string[];
  base: Money;
  payee: string;
  payments: Record<string, Money>;
  details: Record<string, string> | null;
}

/** The adjudicate and revert runs booked to a month (their payments and reversals make that month's lists). */
export function monthRuns(ledger: SqliteLedger, month: string): RunInfo[] {
  return ledger.runs().filter((r) => r.month === month && (r.kind === 'adjudicate' || r.kind === 'revert'));
}

const RESULT_SQL = `SELECT r.id AS result_id, l.id AS line_id, l.run_id, l.claim_id, l.line_no, h.name AS hospital, l.id_number, l.name, l.visit_type, l.admission_date, l.settlement_date,
  l.total_cost, l.basic_paid, l.serious_paid, l.assistance_paid, l.other_paid, l.personal_burden, l.patient_remaining, l.superseded_by,
  r.policy, r.status, r.reasons, r.base, r.payee, r.payments, r.details
  FROM results r JOIN lines l ON l.id = r.line_id JOIN hospitals h ON h.id = l.hospital_id`;

function toResultRow(x: Record<string, unknown>, text: TextOf): ResultRow {
  const reasons = text(x.reasons as number);
  return {
    resultId: x.result_id as number,
    lineId: x.line_id as number,
    runId: x.run_id as number,
    claimId: x.claim_id as string,
    lineNo: x.line_no as number,
    hospital: x.hospital as string,
    idNumber: x.id_number as string,
    name: x.name as string,
    visitType: text(x.visit_type as number),
    admissionDate: dateText(x.admission_date as number | string),
    settlementDate: dateText(x.settlement_date as number | string),
    ...lineAmountsFromRow(x),
    supersededBy: (x.superseded_by as number) ?? null,
    policy: text(x.policy as number),
    status: text(x.status as number) as Status,
    reasons: reasons ? reasons.split(',') : [],
    base: resultBaseFromRow(x),
    payee: storedPayee(x.payee as number | null, x.hospital as string, text),
    payments: storedPayments(x.payments as string | null, text),
    details: storedDetails(x.details as string | null, text),
  };
}

/** Results recorded by these runs (history included: a later reversal does not remove a line from the list it was paid in). */
export function* resultsOfRuns(ledger: SqliteLedger, runIds: number[], policy?: string): Generator<ResultRow> {
  const stmt = ledger.db.prepare(`${RESULT_SQL} WHERE l.run_id = ?${policy ? ' AND r.policy = ?' : ''} ORDER BY r.id`);
  const policyId = policy ? ledger.texts.known(policy) : null;
  if (policy && policyId === null) return;
  for (const runId of runIds)
    for (const x of stmt.iterate(...(policy ? [runId, policyId] : [runId])))
      yield toResultRow(x as Record<string, unknown>, ledger.texts.text);
}

/** Results of one policy still in force (not superseded or reverted), for statistics over dates. */
export function* activeResults(
  ledger: SqliteLedger,
  policy: string,
  fromDate: string,
  toDate: string,
): Generator<ResultRow> {
  const stmt = ledger.db.prepare(
    `${RESULT_SQL} WHERE r.policy = ? AND l.superseded_by IS NULL AND l.settlement_date >= ? AND l.settlement_date <= ? ORDER BY l.settlement_date, l.admission_date, h.name, l.claim_id, l.line_no`,
  );
  const policyId = ledger.texts.known(policy);
  if (policyId === null) return;
  for (const x of stmt.iterate(policyId, dateInt(fromDate), dateInt(toDate)))
    yield toResultRow(x as Record<string, unknown>, ledger.texts.text);
}

/** Reversals written by these runs, as the disbursement list shows them (冲正, negated amounts). */
export function reversalsOfRuns(ledger: SqliteLedger, runIds: number[]): ReversalLine[] {
  const stmt = ledger.db.prepare(
    `SELECT v.reason, v.payments AS neg, x.* FROM reversals v JOIN (${RESULT_SQL}) x ON x.result_id = v.result_id WHERE v.run_id = ? ORDER BY v.id`,
  );
  const out: ReversalLine[] = [];
  for (const runId of runIds) {
    for (const raw of stmt.iterate(runId)) {
      const x = raw as Record<string, unknown>;
      const r = toResultRow(x, ledger.texts.text);
      out.push({
        payee: r.payee,
        hospital: r.hospital,
        claimId: r.claimId,
        lineNo: r.lineNo,
        name: r.name,
        idNumber: r.idNumber,
        settlementDate: r.settlementDate,
        totalCost: r.totalCost,
        payments: paymentsFromFen(JSON.parse(x.neg as string) as Record<string, number>),
        originalRun: r.runId,
        reason: x.reason as ReversalLine['reason'],
      });
    }
  }
  return out;
}

/**
 * Each fund's net payments per month of `month`'s year up to `month` (results of the month's runs plus their
 * reversals, as the disbursement lists count them), in fen — summed in SQL, not read line by line.
 */
export function fundTotalsByMonth(
  ledger: SqliteLedger,
  month: string,
): { month: string; fen: Record<string, number> }[] {
  const from = `${month.slice(0, 4)}-01`;
  const out = new Map<string, Map<string, number>>();
  const add = (m: string, fund: string, fen: number): void => {
    let f = out.get(m);
    if (!f) out.set(m, (f = new Map()));
    f.set(fund, (f.get(fund) ?? 0) + fen);
  };
  const paid = ledger.db.prepare(
    `SELECT u.month, p.value AS fund, SUM(q.value) AS fen
       FROM runs u JOIN lines l ON l.run_id = u.id JOIN results r ON r.line_id = l.id,
            json_each(r.payments) p, json_each(r.payments) q
      WHERE u.month >= ? AND u.month <= ? AND r.payments IS NOT NULL AND p.key % 2 = 0 AND q.key = p.key + 1
      GROUP BY u.month, p.value`,
  );
  for (const r of paid.iterate(from, month) as Iterable<{ month: string; fund: number; fen: number }>)
    add(r.month, ledger.texts.text(r.fund), r.fen);
  const reversed = ledger.db.prepare(
    `SELECT u.month, p.key AS fund, SUM(p.value) AS fen FROM reversals v JOIN runs u ON u.id = v.run_id, json_each(v.payments) p
      WHERE u.month >= ? AND u.month <= ? GROUP BY u.month, p.key`,
  );
  for (const r of reversed.iterate(from, month) as Iterable<{ month: string; fund: string; fen: number }>)
    add(r.month, r.fund, r.fen);
  return [...out].map(([m, f]) => ({ month: m, fen: Object.fromEntries(f) }));
}
