import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { fmtGrouped } from '../domain/money.js';
import { loadConfig, expandGlobs, aliasMap, skippedNote } from '../run/config.js';
import { loadPeople } from '../run/people.js';
import { reportDisbursement, reportPublicity } from '../reports/ledger-reports.js';
import { createPolicies, POLICY_FACTORIES } from '../policies/registry.js';
import type { SqliteLedger } from '../ledger/sqlite.js';
import { reportSettlement } from '../reports/settlement-report.js';
import { reconcile } from '../reports/reconcile.js';
import { InputError, UsageError } from '../io/errors.js';
import { withLedger } from './ledger.js';
import { say, warn } from './output.js';
import { monthFlag } from './flags.js';
import { setMaskOutputs } from '../io/masking.js';

interface ReportFlags {
  ledger?: string;
  config?: string;
  out?: string;
  month?: string;
  year?: string;
  fund?: string;
  policy?: string;
  run?: string;
  roster?: string[];
  quiet?: boolean;
  encoding?: string;
  sheet?: string;
  html?: boolean;
}

function month(flags: ReportFlags): string {
  const m = monthFlag(flags.month);
  if (!m) throw new UsageError('请用 --month 指定月份（如 2024-06，或 prev 表示上个月）。');
  return m;
}
function year(flags: ReportFlags): number {
  if (!flags.year || !/^\d{4}$/.test(flags.year))
    throw new UsageError(`请用 --year YYYY 指定年度${flags.year ? `（而不是“${flags.year}”）` : ''}。`);
  return Number(flags.year);
}
function outDir(flags: ReportFlags, period: string): string {
  if (flags.out) return flags.out;
  const { config } = loadConfig(flags.config);
  return join(config.out ?? 'out', period);
}
async function rosterPeople(flags: ReportFlags, required: boolean) {
  const { config, baseDir } = loadConfig(flags.config);
  const files = flags.roster ?? expandGlobs(config.rosters, baseDir, (f) => warn(skippedNote(f)));
  if (files.length === 0) {
    if (required)
      throw new UsageError('此报表需要救助对象名单：请用 --roster 指定，或在 assist.config.json 的 "rosters" 中列出。');
    return null;
  }
  for (const f of files) if (!existsSync(f)) throw new InputError(`找不到名单文件 ${f}。`);
  return (await loadPeople(files, { hospitalAliases: aliasMap(config.hospitalAliases ?? {}) })).people;
}

function common(cmd: Command): Command {
  return cmd
    .option('--ledger <path>', '台账数据库路径（默认 assist.db 或配置中的 ledger）')
    .option('--config <file>', '配置文件（默认当前目录的 assist.config.json）')
    .option('--out <dir>', '输出目录（默认 out/<月份或年度>/）')
    .option('--quiet', '不显示进度')
    .option('--mask', '写出的工作簿和 CSV 中身份证号、姓名脱敏（供外发）')
    .hook('preAction', (_cmd, action) => setMaskOutputs(Boolean((action.opts() as { mask?: boolean }).mask)));
}

export function registerReport(program: Command): void {
  const report = program
    .command('report')
    .description('从台账生成报表：拨付清单、锦州月报、公示名单、亭湖服务团队补助与年度结算');

  registerDisbursementReport(report);
  registerSettlementReport(report);
  registerPublicityReport(report);
  registerPolicyReports(report);
}

/** report disbursement: a fund's list for a month (or one run), from the ledger */
function registerDisbursementReport(report: Command): void {
  common(
    report
      .command('disbursement')
      .description('某资金某月的拨付清单（与审核时写出的相同；该月多次运行时合并，含冲正）'),
  )
    .requiredOption('--fund <id>', '资金编号，如 th-2021.district')
    .option('--month <YYYY-MM>', '月份')
    .option('--run <n>', '只取某一次运行')
    .option('--csv', '另写一份 CSV（UTF-8 带 BOM，供银行或财务系统导入）')
    .action(async (flags: ReportFlags & { csv?: boolean }) => {
      const m = month(flags);
      if (flags.run !== undefined && !/^\d+$/.test(flags.run))
        throw new UsageError(`--run 应为运行编号，而不是“${flags.run}”。`);
      await withLedger(flags, async (l) => {
        const r = await reportDisbursement(l, {
          fundId: flags.fund!,
          month: m,
          runId: flags.run === undefined ? undefined : Number(flags.run),
          outDir: outDir(flags, m),
          csv: Boolean(flags.csv),
        });
        say(`${flags.fund} ${m} 拨付清单：${r.lines} 笔，合计 ¥${fmtGrouped(r.total)}`);
        if (r.csvFile) say(`CSV：${resolve(r.csvFile)}`);
        say(resolve(r.file));
      });
    });
}

/** report settlement: the settlement workbook rebuilt from the ledger */
function registerSettlementReport(report: Command): void {
  common(
    report
      .command('settlement')
      .description('由台账重建某月（或某次运行）的结算表：明细与计算过程、冲正、核对、台账校验码'),
  )
    .option('--month <YYYY-MM>', '月份')
    .option('--run <n>', '只取某一次运行')
    .option('--html', '另写出同名 .html：概览（关键数字与图表）的单个网页，离线可开')
    .action(async (flags: ReportFlags) => {
      const m = month(flags);
      if (flags.run !== undefined && !/^\d+$/.test(flags.run))
        throw new UsageError(`--run 应为运行编号，而不是“${flags.run}”。`);
      await withLedger(flags, async (l) => {
        const r = await reportSettlement(l, {
          month: m,
          runId: flags.run === undefined ? undefined : Number(flags.run),
          outDir: outDir(flags, m),
          html: Boolean(flags.html),
        });
        say(`${m} 结算表（由台账重建）：${r.lines} 行明细，${r.results} 条结果`);
        say(resolve(r.file));
        if (r.html) say(resolve(r.html));
      });
    });
}

/** report publicity: the 公示 list, masked */
function registerPublicityReport(report: Command): void {
  common(report.command('publicity').description('公示名单：身份证号、姓名脱敏，每人救助金额'))
    .requiredOption('--policy <id>', '政策编号')
    .option('--month <YYYY-MM>', '月份')
    .action(async (flags: ReportFlags) => {
      const m = month(flags);
      await withLedger(flags, async (l) => {
        const r = await reportPublicity(l, { policyId: flags.policy!, month: m, outDir: outDir(flags, m) });
        say(`公示名单 ${flags.policy} ${m}：${r.people} 人，救助金额合计 ¥${fmtGrouped(r.total)}`);
        say(resolve(r.file));
      });
    });
}

/** each policy's own reports, as its folder declares them (th-2021: th-service-subsidy, th-annual) */
function registerPolicyReports(report: Command): void {
  for (const policy of createPolicies(Object.keys(POLICY_FACTORIES))) {
    for (const rep of policy.reports ?? []) {
      const cmd = common(report.command(rep.name).description(rep.description));
      if (rep.period === 'year') cmd.option('--year <YYYY>', '年度');
      else cmd.option('--month <YYYY-MM>', '月份');
      if (rep.uses.roster !== 'no') cmd.option('--roster <files...>', '救助对象名单（默认取配置中的 rosters）');
      if (rep.html) cmd.option('--html', '另写出同名 .html：概览（关键数字与图表）的单个网页，离线可开');
      cmd.action(async (flags: ReportFlags) => {
        const period = rep.period === 'year' ? String(year(flags)) : month(flags);
        // the report runs with the config's parameters for its policy
        const configured = createPolicies([policy.id], loadConfig(flags.config).config.parameters)[0]!;
        const mine = configured.reports!.find((r) => r.name === rep.name)!;
        const people = rep.uses.roster === 'no' ? null : await rosterPeople(flags, rep.uses.roster === 'required');
        const go = async (ledger: SqliteLedger | null) => {
          const r = await mine.run({
            year: Number(period.slice(0, 4)),
            month: rep.period === 'month' ? period : null,
            outDir: outDir(flags, period),
            ledger,
            people,
            html: Boolean(flags.html),
          });
          for (const n of r.notices ?? []) warn(n);
          say(r.summary);
          say(resolve(r.file));
          for (const f of r.also ?? []) say(resolve(f));
        };
        if (rep.uses.ledger) await withLedger(flags, go);
        else await go(null);
      });
    }
  }
}

export function registerReconcile(program: Command): void {
  common(
    program
      .command('reconcile')
      .description('用资金方的拨付对账单核对台账：一致、金额不符、应付未付、无依据支付、重复支付；有差异时退出码为 1'),
  )
    .argument('<statement>', '对账单（.xlsx 或 .csv；列：结算单号、医疗机构、[行号]、支付金额/拨付金额/金额）')
    .requiredOption('--fund <id>', '资金编号')
    .option('--month <YYYY-MM>', '月份')
    .option('--encoding <enc>', 'CSV 编码：utf-8 或 gb18030（默认自动识别）')
    .option('--sheet <name>', '指定工作表')
    .action(async (statement: string, flags: ReportFlags) => {
      const m = month(flags);
      if (!existsSync(statement)) throw new InputError(`找不到对账单 ${statement}。`);
      const { config } = loadConfig(flags.config);
      await withLedger(flags, async (l) => {
        const r = await reconcile(l, statement, {
          fundId: flags.fund!,
          month: m,
          outDir: outDir(flags, m),
          encoding: flags.encoding,
          sheet: flags.sheet,
          hospitalAliases: aliasMap(config.hospitalAliases ?? {}),
        });
        say(`对账 ${flags.fund} ${m}：台账 ¥${fmtGrouped(r.ledgerTotal)}，对账单 ¥${fmtGrouped(r.statementTotal)}`);
        say(
          `  一致 ${r.matched}，金额不符 ${r.differs}，应付未付 ${r.unpaid}，无依据支付 ${r.unowed}，重复支付 ${r.duplicates}${r.badRows ? `，无法识别 ${r.badRows}` : ''}`,
        );
        say(r.tiesOut ? '结论：一致' : '结论：有差异（见对账工作簿）');
        if (!r.tiesOut) process.exitCode = 1;
        say(resolve(r.file));
      });
    });
}
