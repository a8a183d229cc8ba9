// `assist report settlement --month M [--run N]`: the settlement workbook rebuilt from the ledger (SPEC §7) —
// every result of the month's runs with its stored trace, the reversals booked to the month, the checks.
// Invalid and skipped rows never enter the ledger: the workbook says so and counts them from the runs.
import { renameSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, sum, ZERO } from '../domain/money.js';
import type { SqliteLedger } from '../ledger/sqlite.js';
import type { RunInfo } from '../ledger/store.js';
import type { Fund } from '../engine/types.js';
import { ledgerCode } from '../ledger/journal.js';
import { fundTotalsByMonth, reversalsOfRuns } from '../ledger/queries.js';
import { SettlementWriter, traceText, type Checks } from './settlement.js';
import { policyOf, runIdsFor } from './ledger-reports.js';
import { POLICY_FACTORIES } from '../policies/registry.js';
import { UsageError } from '../io/errors.js';

export async function reportSettlement(
  ledger: SqliteLedger,
  o: { month: string; runId?: number; outDir: string; html?: boolean },
): Promise<{ file: string; lines: number; results: number; html?: string }> {
  const runs = runIdsFor(ledger, o.month, o.runId).map((id) => ledger.run(id)!);
  if (runs.length === 0) throw new UsageError(`台账中没有 ${o.month} 的审核或撤销运行。`);
  const policyIds = [...new Set(runs.flatMap((r) => r.policies.map((p) => p.id)))].filter((id) => POLICY_FACTORIES[id]);
  const policies = policyIds.map(policyOf);
  const funds = policies.flatMap((p) => p.funds);
  const file = join(o.outDir, `settlement-${o.month}${o.runId !== undefined ? `-run${o.runId}` : ''}.xlsx`);
  mkdirSync(o.outDir, { recursive: true });
  const tmp = join(o.outDir, `.${process.pid}-settlement.tmp`);
  const html = o.html ? file.replace(/\.xlsx$/, '.html') : undefined;
  const adjudicateRuns = runs.filter((r) => r.kind === 'adjudicate');
  const rowsRead = adjudicateRuns.reduce((n, r) => n + (r.counts.rowsRead ?? 0), 0);
  const invalid = adjudicateRuns.reduce((n, r) => n + (r.counts.invalid ?? 0), 0);
  const writer = new SettlementWriter(tmp, {
    month: o.month,
    funds,
    policyNames: Object.fromEntries(policies.map((p) => [p.id, p.name])),
    note: `由台账重建（第 ${runs.map((r) => r.id).join('、')} 次运行）：无效行 ${invalid} 行及已跳过的行不记入台账，其明细见原运行的 results jsonl。`,
  });
  try {
    await writer.begin();
    const { lines, results, totals } = await writeStoredLines(writer, ledger, adjudicateRuns, funds);
    const last = runs[runs.length - 1]!;
    const checks: Checks = {
      rowsRead,
      linesAdjudicated:
        lines + adjudicateRuns.reduce((n, r) => n + (r.counts.alreadyAdjudicated ?? 0) + (r.counts.conflicts ?? 0), 0),
      invalid,
      ...totals,
      ledgerCode: last.hash ? ledgerCode(last.id, last.hash) : undefined,
    };
    await writer.finish(
      checks,
      invalid,
      reversalsOfRuns(
        ledger,
        runs.map((r) => r.id),
      ),
      {
        trend: fundTotalsByMonth(ledger, o.month),
        htmlPath: html ? `${tmp}.html` : undefined,
      },
    );
    if (html) renameSync(`${tmp}.html`, html);
    renameSync(tmp, file);
    return { file, lines, results, html };
  } catch (err) {
    rmSync(tmp, { force: true });
    rmSync(`${tmp}.html`, { force: true });
    throw err;
  }
}

/** Every result of the runs' lines as a row of 明细, with its stored trace; the lines' totals for 核对. */
async function writeStoredLines(writer: SettlementWriter, ledger: SqliteLedger, runs: RunInfo[], funds: Fund[]) {
  let lines = 0;
  let results = 0;
  const totals = { totalCost: ZERO, priorPaid: ZERO, payments: ZERO, remaining: ZERO };
  for (const run of runs) {
    for (const line of ledger.linesOfRun(run.id)) {
      const entry = ledger.trace(line);
      const priorPaid = line.totalCost.minus(line.personalBurden);
      lines++;
      totals.totalCost = totals.totalCost.plus(line.totalCost);
      totals.priorPaid = totals.priorPaid.plus(priorPaid);
      totals.remaining = totals.remaining.plus(line.patientRemaining);
      for (const [i, res] of line.results.entries()) {
        results++;
        totals.payments = totals.payments.plus(sum(Object.values(res.payments)));
        await writer.row({
          source: line.source,
          row: line.row,
          claimId: line.claimId,
          lineNo: line.lineNo,
          hospital: line.hospital,
          idNumber: line.idNumber,
          name: line.name,
          settlementDate: line.settlementDate,
          policy: res.policy,
          status: res.status,
          reasons: res.reasons,
          totalCost: fmt(line.totalCost),
          priorPaid: fmt(priorPaid),
          base: fmt(res.base),
          payments: funds.map((f) => (res.payments[f.id] ? fmt(res.payments[f.id]!) : null)),
          patientRemaining: fmt(line.patientRemaining),
          trace: traceText(entry.results[i]?.trace ?? []),
          payee: res.payee,
        });
      }
    }
  }
  return { lines, results, totals };
}
