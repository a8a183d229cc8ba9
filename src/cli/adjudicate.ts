import { journalPath, ledgerCode } from '../ledger/journal.js';
import type { Command } from 'commander';
import { fmtGrouped } from '../domain/money.js';
import {
  loadConfig,
  expandGlobs,
  aliasMap,
  ledgerLocation,
  ledgerName,
  locate,
  operatorName,
  commandLine,
  skippedNote,
} from '../run/config.js';
import { runAdjudication, type AdjudicateSummary } from '../run/adjudicate-run.js';
import { say, warn } from './output.js';
import { resolve } from 'node:path';
import { maskIdsInText } from '../domain/id-number.js';
import { assertOutDir } from './ledger.js';
import { MONTH_HELP, monthFlag } from './flags.js';
import { setMaskOutputs } from '../io/masking.js';
import { createProgress } from './progress.js';

interface Flags {
  roster?: string[];
  config?: string;
  policies?: string;
  ledger?: string;
  out?: string;
  month?: string;
  dryRun?: boolean;
  encoding?: string;
  sheet?: string;
  operator?: string;
  quiet?: boolean;
  supersede?: boolean;
  mask?: boolean;
  html?: boolean;
}

export function registerAdjudicate(program: Command): void {
  program
    .command('adjudicate')
    .description('审核结算明细：按政策计算救助金额，写出结果、结算表和各资金拨付清单')
    .argument('<claims...>', '结算明细文件（.xlsx 或 .csv）')
    .option('--roster <files...>', '救助对象名单文件（可多个；覆盖配置中的 rosters）')
    .option('--config <file>', '配置文件（默认当前目录的 assist.config.json）')
    .option('--policies <ids>', '启用的政策，按顺序，逗号分隔（如 ln-as-2022,th-2021）')
    .option('--ledger <path>', '台账数据库路径（默认 assist.db）')
    .option('--out <dir>', '输出目录（默认 out/<月份>/）')
    .option('--month <YYYY-MM>', `结算月份（默认取结算日期最多的月份）。${MONTH_HELP}`)
    .option('--dry-run', '只计算并写出结果，不写入台账')
    .option('--supersede', '已审核过但内容不同的明细：冲正原结果并按新内容重新审核')
    .option('--encoding <enc>', 'CSV 编码：utf-8 或 gb18030（默认自动识别）')
    .option('--sheet <name>', '指定结算明细的工作表')
    .option('--operator <name>', '操作员（记入台账）')
    .option('--quiet', '不显示进度')
    .option('--mask', '写出的工作簿中身份证号、姓名脱敏（供外发；台账和 results.jsonl 不脱敏）')
    .option('--html', '另写出 settlement-<月份>.html：本月概览（关键数字与图表）的单个网页，离线可开')
    .action(adjudicateCommand);
}

async function adjudicateCommand(claims: string[], flags: Flags): Promise<void> {
  const month = monthFlag(flags.month);
  if (flags.out) assertOutDir(flags.out);
  const { config, baseDir } = loadConfig(flags.config);
  const policies = flags.policies ? flags.policies.split(/[,，\s]+/).filter(Boolean) : config.policies;
  const rosters = flags.roster ?? expandGlobs(config.rosters, baseDir, (f) => warn(skippedNote(f)));
  setMaskOutputs(Boolean(flags.mask));
  const progress = createProgress('审核', { quiet: flags.quiet });
  const summary = await runAdjudication({
    claims,
    rosters,
    policies,
    parameters: config.parameters ?? {},
    hospitalAliases: aliasMap(config.hospitalAliases ?? {}),
    out: flags.out ?? null,
    outBase: config.out,
    month,
    encoding: flags.encoding,
    sheet: flags.sheet,
    dryRun: Boolean(flags.dryRun),
    supersede: Boolean(flags.supersede),
    html: Boolean(flags.html),
    ledgerPath: ((w) => (w.kind === 'sqlite' ? w.path : w.url))(ledgerLocation(flags.ledger, config)),
    operator: operatorName(flags.operator),
    commandLine: commandLine(),
    onMonth: (m) => flags.quiet || progress.note(`结算月份：${m}`),
    onWarning: (text) => progress.note(maskIdsInText(text)),
    onLedgerWait: () => progress.note('台账正被另一个审核进程使用，等待其完成后继续……'),
    onProgress: (rows, phase, total) => progress.update(rows, phase, total),
  }).finally(() => progress.stop());
  for (const n of summary.notices) warn(`提示：${n}`);
  say(`读取结算明细 ${summary.rowsRead} 行：无效 ${summary.invalid} 行，审核 ${summary.checks.linesAdjudicated} 行`);
  if (summary.nothingNew) sayNothingNew(summary, summary.nothingNew);
  else sayRun(summary);
}

/** Every line was in the ledger already (or invalid): what was skipped, and where each line's result is. */
function sayNothingNew(summary: AdjudicateSummary, n: NonNullable<AdjudicateSummary['nothingNew']>): void {
  if (n.skipped === 0)
    // every row invalid: nothing was adjudicated before either
    say(`没有可审核的明细：${summary.invalid} 行均为无效行（原因见下面的结果文件，或 assist validate）`);
  else {
    say(
      `跳过 ${n.skipped} 行：已审核过 ${n.alreadyAdjudicated}，内容不同未处理 ${n.conflicts}${n.conflicts ? '（如需更正请加 --supersede）' : ''}`,
    );
    say(
      `没有新的明细：${n.skipped} 行已于${n.runs.map((r) => `第 ${r.id} 次`).join('、')}运行审核${n.runs.length > 1 ? `（${n.runs.map((r) => `第 ${r.id} 次 ${r.lines} 行`).join('，')}）` : ''}`,
    );
  }
  say(`未写入台账，未生成结算表和拨付清单；逐行结果（${n.skipped === 0 ? '均为无效' : '均为跳过'}）见：`);
  say(`  ${summary.files[0]}`);
}

/** A run that added something: the results by status, each fund's total, the checks, the ledger and the files. */
function sayRun(summary: AdjudicateSummary): void {
  const c = summary.byStatus;
  const n = summary.counts;
  if (c.skipped)
    say(
      `跳过 ${c.skipped} 行：已审核过 ${n.alreadyAdjudicated}，内容不同未处理 ${n.conflicts}${n.conflicts ? '（如需更正请加 --supersede）' : ''}`,
    );
  if (n.superseded) say(`更正重报 ${n.superseded} 行：冲正原结果 ${n.reversals} 条，并按新内容重新审核`);
  say(
    `审核结果（明细×政策）：通过 ${c.approved ?? 0}，挂起 ${c.pended ?? 0}，拒绝 ${c.rejected ?? 0}，不在范围 ${c['not-covered'] ?? 0}`,
  );
  for (const f of summary.fundTotals) say(`  ${f.fund.name}（${f.fund.id}）：¥${fmtGrouped(f.total)}`);
  if (summary.checkFailed.length) {
    warn(
      `警告：${summary.checkFailed.length} 行未通过守恒核对，已挂起（CHECK_FAILED），本次不支付；其余各行照常审核。请核查：`,
    );
    for (const f of summary.checkFailed.slice(0, 10))
      warn(`  ${f.source} 第 ${f.row} 行：${f.hospital} 结算单 ${f.claimId} 行号 ${f.lineNo}`);
    if (summary.checkFailed.length > 10) warn(`  ……共 ${summary.checkFailed.length} 行，见结算表“异常”`);
  }
  if (summary.rosterWarnings.length) say(`名单警告 ${summary.rosterWarnings.length} 条（可用 assist validate 查看）`);
  say(
    `核对：读取 ${summary.checks.rowsRead} = 审核 ${summary.checks.linesAdjudicated} + 无效 ${summary.checks.invalid}；金额守恒一致`,
  );
  if (summary.run)
    say(
      `台账：第 ${summary.run.id} 次运行已提交（${ledgerName(locate(summary.ledgerPath))}）；台账校验码 ${ledgerCode(summary.run.id, summary.run.hash!)}${locate(summary.ledgerPath).kind === 'sqlite' ? `（已记入 ${journalPath(summary.ledgerPath)}）` : ''}`,
    );
  else say('试运行（--dry-run）：未写入台账');
  say('写出的文件：');
  for (const f of summary.files) say(`  ${resolve(f)}`);
}
