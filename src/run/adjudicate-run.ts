// The `assist adjudicate` pipeline: read → merge roster → adjudicate (pure) → write outputs.
import { join } from 'node:path';
import { readInput } from '../io/read-input.js';
import { splitDuplicates } from '../io/batch.js';
import { mergeRoster } from '../roster/merge.js';
import { adjudicate } from '../engine/adjudicate.js';
import { createPolicies } from '../policies/registry.js';
import { monthOf } from '../domain/dates.js';
import type { Money } from '../domain/money.js';
import type { ClaimLine, RosterRow, RowError, RosterWarning } from '../domain/types.js';
import type { Fund, LineResult } from '../engine/types.js';
import { writeResultsJsonl } from '../reports/results-jsonl.js';
import { computeChecks, writeSettlement, type Checks } from '../reports/settlement.js';
import { disbursementLines, writeDisbursement } from '../reports/disbursement.js';
import { UsageError } from '../io/errors.js';

export interface AdjudicateOptions {
  claims: string[];
  rosters: string[];
  policies: string[];
  parameters: Record<string, Record<string, unknown>>;
  hospitalAliases: Map<string, string>;
  out: string | null;
  month: string | null;
  encoding?: string;
  sheet?: string;
  dryRun: boolean;
  onMonth?: (month: string) => void;
}

export interface AdjudicateSummary {
  month: string;
  outDir: string;
  rowsRead: number;
  invalid: number;
  results: LineResult[];
  invalidRows: RowError[];
  rosterWarnings: RosterWarning[];
  checks: Checks;
  byStatus: Record<string, number>;
  fundTotals: { fund: Fund; total: Money; file: string }[];
  files: string[];
}

export function mostCommonMonth(lines: ClaimLine[]): string | null {
  const count = new Map<string, number>();
  for (const l of lines) count.set(monthOf(l.settlementDate), (count.get(monthOf(l.settlementDate)) ?? 0) + 1);
  let best: string | null = null;
  for (const [m, n] of [...count].sort()) if (best === null || n > count.get(best)!) best = m;
  return best;
}

export async function runAdjudication(o: AdjudicateOptions): Promise<AdjudicateSummary> {
  if (o.policies.length === 0) throw new UsageError('没有启用任何政策：请用 --policies 指定（如 --policies th-2021），或在 assist.config.json 的 "policies" 中列出。');
  if (o.claims.length === 0) throw new UsageError('请指定至少一个结算明细文件。');
  const policies = createPolicies(o.policies, o.parameters);
  const lines: ClaimLine[] = [];
  const invalidRows: RowError[] = [];
  let rowsRead = 0;
  for (const file of o.claims) {
    for await (const item of readInput(file, 'claims', { encoding: o.encoding, sheet: o.sheet, hospitalAliases: o.hospitalAliases }, (s) => (rowsRead += s.rowsRead))) {
      if (item.type === 'claim') lines.push(item.line);
      else if (item.type === 'error') invalidRows.push(item.error);
    }
  }
  const rosterRows: RosterRow[] = [];
  const rosterWarnings: RosterWarning[] = [];
  for (const file of o.rosters) {
    for await (const item of readInput(file, 'roster', { encoding: o.encoding, hospitalAliases: o.hospitalAliases })) {
      if (item.type === 'roster') {
        rosterRows.push(item.row);
        rosterWarnings.push(...item.warnings);
      } else if (item.type === 'ignored') rosterWarnings.push(...item.warnings);
    }
  }
  const { people, warnings } = mergeRoster(rosterRows);
  rosterWarnings.push(...warnings);
  const { valid, duplicates } = splitDuplicates(lines);
  invalidRows.push(...duplicates);
  const month = o.month ?? mostCommonMonth(valid) ?? mostCommonMonth(lines) ?? new Date().toISOString().slice(0, 7);
  o.onMonth?.(month);
  const { results } = adjudicate(valid, people, policies);
  const checks = computeChecks(rowsRead, results, invalidRows);
  // nothing lost: every row read is a result or an exception
  if (checks.rowsRead !== checks.linesAdjudicated + checks.invalid) throw new Error(`行数核对失败：读取 ${checks.rowsRead} 行，审核 ${checks.linesAdjudicated} 行，无效 ${checks.invalid} 行`);
  if (!checks.priorPaid.plus(checks.payments).plus(checks.remaining).equals(checks.totalCost)) throw new Error('金额守恒核对失败');
  const outDir = o.out ?? join('out', month);
  const files: string[] = [];
  const resultsFile = join(outDir, `results-${month}.jsonl`);
  await writeResultsJsonl(resultsFile, results, invalidRows);
  files.push(resultsFile);
  const funds = policies.flatMap((p) => p.funds);
  const settlementFile = join(outDir, `settlement-${month}.xlsx`);
  await writeSettlement(settlementFile, { month, funds, results, invalid: invalidRows, checks, policyNames: Object.fromEntries(policies.map((p) => [p.id, p.name])) });
  files.push(settlementFile);
  const fundTotals: AdjudicateSummary['fundTotals'] = [];
  for (const policy of policies) {
    for (const fund of policy.funds) {
      const file = join(outDir, `disbursement-${fund.id}-${month}.xlsx`);
      const total = await writeDisbursement(file, { fund, month, document: policy.document, lines: disbursementLines(fund, results) });
      fundTotals.push({ fund, total, file });
      files.push(file);
    }
  }
  const byStatus: Record<string, number> = {};
  for (const r of results) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  return { month, outDir, rowsRead, invalid: invalidRows.length, results, invalidRows, rosterWarnings, checks, byStatus, fundTotals, files };
}
