import { yearLabel } from '../domain/dates.js';
import { ledgerCode } from '../ledger/journal.js';
import { monthFlag } from './flags.js';
import { createInterface } from 'node:readline/promises';
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { placeFiles, placements } from '../run/adjudicate-run.js';
import { removeDir, whenInterrupted } from '../run/scratch.js';
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { fmtGrouped } from '../domain/money.js';
import {
  loadConfig,
  ledgerLocation,
  ledgerName,
  locate,
  operatorName,
  commandLine,
  type LedgerLocation,
} from '../run/config.js';
import { openLedger, type LedgerAccess } from '../run/open-ledger.js';
import { maskUrl } from '../ledger/postgres/url.js';
import { SCHEMA_VERSION } from '../ledger/schema.js';
import { SqliteLedger } from '../ledger/sqlite.js';
import { importOpening, OpeningRefused } from '../ledger/opening.js';
import { revertRun, type RevertToCommit } from '../ledger/revert.js';
import { explain, runLabel, type ExplainOptions } from '../ledger/explain.js';
import type { Policy } from '../engine/types.js';
import { InputError, UsageError } from '../io/errors.js';
import { say, warn } from './output.js';
import { join } from 'node:path';
import { createPolicies, POLICY_FACTORIES } from '../policies/registry.js';
import { disbursementLines, writeDisbursement, type ReversalLine } from '../reports/disbursement.js';
import { reversalLine } from '../run/adjudicate-run.js';

interface LedgerFlags {
  ledger?: string;
  config?: string;
  operator?: string;
  month?: string;
  encoding?: string;
  sheet?: string;
  line?: string;
  policy?: string;
  hospital?: string;
}

function whereOf(flags: LedgerFlags): LedgerLocation {
  return ledgerLocation(flags.ledger, loadConfig(flags.config).config);
}

const onWait = () => warn('台账正被另一个进程使用，等待其完成后继续……');

/** Opens an existing ledger; a missing file is a usage error (exit 2), not an empty ledger. */
export async function openExisting(flags: LedgerFlags, access: LedgerAccess = { read: true }): Promise<SqliteLedger> {
  const where = whereOf(flags);
  if (where.kind === 'sqlite' && !existsSync(where.path))
    throw new UsageError(`找不到台账文件 ${where.path}。请用 --ledger 指定台账路径，或先运行 assist adjudicate。`);
  return openLedger(where, access, { mustExist: true, onWait });
}

/** Runs `fn` on the existing ledger and closes it whatever happens. */
export async function withLedger<T>(
  flags: LedgerFlags,
  fn: (l: SqliteLedger) => T | Promise<T>,
  access: LedgerAccess = { read: true },
): Promise<T> {
  const l = await openExisting(flags, access);
  try {
    return await fn(l);
  } finally {
    l.close();
  }
}

const KIND: Record<string, string> = { adjudicate: '审核', revert: '撤销', opening: '期初' };

function common(cmd: Command): Command {
  return cmd
    .option('--ledger <path>', '台账：数据库文件路径（默认 assist.db 或配置中的 ledger），或 postgres:// 地址')
    .option('--config <file>', '配置文件（默认当前目录的 assist.config.json）');
}

export function registerLedger(program: Command): void {
  const ledger = program.command('ledger').description('台账：期初余额导入、运行记录、撤销运行、完整性核对');

  registerInit(ledger);
  registerCopy(ledger);
  registerRuns(ledger);
  registerCheck(ledger);
  registerRevert(ledger);
  registerImportOpening(ledger);
}

/** ledger init: a SQLite file, or the shared PostgreSQL ledger with its two roles */
function registerInit(ledger: Command): void {
  common(
    ledger
      .command('init')
      .description(
        '建立台账：SQLite 台账文件，或 PostgreSQL 上一个市共用的台账（--ledger postgres://…，或 ASSIST_LEDGER_URL）：表、触发器及 assist_writer（审核写入）、assist_reader（只读）两个角色',
      ),
  ).action(async (flags: LedgerFlags) => {
    const where = whereOf(flags);
    if (where.kind === 'sqlite') {
      new SqliteLedger(where.path).close();
      say(`台账文件 ${where.path} 已就绪（结构版本 ${SCHEMA_VERSION}）`);
      return;
    }
    // the PostgreSQL driver is loaded only for a PostgreSQL ledger
    const { initPostgresLedger } = await import('../ledger/postgres/init.js');
    const r = await initPostgresLedger(where.url);
    say(
      `PostgreSQL 台账 ${maskUrl(where.url)} ${r.created ? '已建立' : '已存在，表、触发器和角色已核对'}（结构版本 ${r.version}）`,
    );
    say('角色：assist_writer 只能追加运行、明细、结果、冲正（不能删除或改写已有结果），assist_reader 只读；');
    say('为各办公室的登录用户授权：GRANT assist_writer TO 用户名;（报表、对账用户：GRANT assist_reader TO 用户名;）');
  });
}

/** ledger copy: between a SQLite file and the shared PostgreSQL ledger, either way, or merged into it */
function registerCopy(ledger: Command): void {
  ledger
    .command('copy')
    .description(
      '复制台账：把本科室的 SQLite 台账复制到新建的 PostgreSQL 共用台账（运行、哈希链与校验码不变），或并入已有运行的共用台账（接在其最后一次运行之后），或把共用台账复制成 SQLite 文件（备份）',
    )
    .requiredOption('--from <ledger>', '源台账：SQLite 文件路径或 postgres:// 地址')
    .requiredOption('--to <ledger>', '目标台账：postgres:// 地址（新建的或已有运行的共用台账）或新的 SQLite 文件路径')
    .action(async (flags: { from: string; to: string }) => {
      const from = locate(flags.from);
      const to = locate(flags.to);
      if (from.kind === to.kind)
        throw new UsageError(
          'ledger copy 在 SQLite 文件与 PostgreSQL 之间复制：--from 与 --to 须一个是文件、一个是 postgres:// 地址。',
        );
      const { copyToPostgres, copyToSqlite } = await import('../ledger/postgres/copy.js');
      if (from.kind === 'sqlite' && !existsSync(from.path)) throw new UsageError(`找不到台账文件 ${from.path}。`);
      const r =
        from.kind === 'sqlite' && to.kind === 'postgres'
          ? await copyToPostgres(from.path, to.url)
          : await copyToSqlite((from as { url: string }).url, (to as { path: string }).path);
      const m = r.merged;
      if (!m) {
        say(`已复制 ${r.runs} 次运行、${r.lines} 行明细：${ledgerName(from)} → ${ledgerName(to)}`);
        say(`台账校验码 ${r.head ?? '（空台账）'}（两边相同；可分别运行 assist ledger check 核对）`);
        return;
      }
      say(`已并入 ${m.runs} 次运行、${m.lines} 行明细：${ledgerName(from)} → ${ledgerName(to)}`);
      say(
        `本科室第 ${m.runs > 1 ? `1–${m.runs}` : '1'} 次运行成为共用台账第 ${m.runs > 1 ? `${m.firstRun}–${m.lastRun}` : m.firstRun} 次运行（编号顺延、哈希链接续共用台账）；共用台账校验码 ${m.head}`,
      );
      say(
        '本科室台账文件未改动，其校验码日志仍可用 assist ledger check 核对；计算过程中写的运行编号仍是本科室的编号。',
      );
      if (m.sharedPeople.length)
        say(
          `注意：${m.sharedPeople.length} 人在两边都有累计额（如 ${m.sharedPeople.slice(0, 3).join('、')}），已相加为全市累计，此后的审核按相加后的起付线和封顶线计算` +
            (m.sharedOpenings
              ? `；其中 ${m.sharedOpenings} 人两边都导入过期初余额，如是同一笔全市累计额被重复导入，请撤销其中一边的导入`
              : '') +
            '。',
        );
    });
}

/** ledger runs: every run with its inputs, counts and hashes */
function registerRuns(ledger: Command): void {
  common(ledger.command('runs').description('列出台账中的全部运行（时间、操作员、输入文件、计数、哈希）')).action(
    async (flags: LedgerFlags) => {
      await withLedger(flags, async (l) => {
        const runs = l.runs();
        if (runs.length === 0) say('台账中还没有运行记录。');
        for (const r of runs) {
          const c = r.counts;
          const what =
            r.kind === 'adjudicate'
              ? `读取 ${c.rowsRead ?? 0} 行，无效 ${c.invalid ?? 0}，审核 ${c.adjudicated ?? 0}（通过 ${c.approved ?? 0}/挂起 ${c.pended ?? 0}/拒绝 ${c.rejected ?? 0}/不在范围 ${c.notCovered ?? 0}），跳过 ${(c.alreadyAdjudicated ?? 0) + (c.conflicts ?? 0)}，冲正 ${c.reversals ?? 0}`
              : r.kind === 'revert'
                ? `撤销第 ${r.revertsRun} 次运行：冲正 ${c.reversals ?? 0} 条结果（${c.lines ?? 0} 行），期初余额 ${c.openings ?? 0} 行`
                : `期初余额 ${c.openings ?? 0} 行`;
          say(
            `#${r.id} ${KIND[r.kind]} ${r.startedAt.slice(0, 19).replace('T', ' ')} 操作员 ${r.operator}${r.month ? ` 月份 ${r.month}` : ''}：${what}`,
          );
          if (r.inputs.length)
            say(`    输入：${r.inputs.map((i) => `${i.file}（sha256 ${i.sha256.slice(0, 12)}…）`).join('，')}`);
          if (r.policies.length)
            say(`    政策：${r.policies.map((p) => `${p.id}@${p.version.slice(0, 8)}`).join('，')}`);
          say(`    命令：${r.commandLine}`);
          say(
            `    哈希：${r.hash?.slice(0, 12) ?? '（无）'}…（上一：${(r.prevHash && /^0+$/.test(r.prevHash) ? '（首次）' : r.prevHash?.slice(0, 12)) ?? '（无）'}…）`,
          );
        }
      });
    },
  );
}

/** ledger check: the hash chain, the journal (and --head), every accumulator against its results */
function registerCheck(ledger: Command): void {
  common(
    ledger
      .command('check')
      .description(
        '核对台账：重算哈希链，与台账校验码日志（及 --head 给出的校验码）比对，并核对每个累计额等于其结果与冲正之和；有不符时退出码为 1',
      ),
  )
    .option(
      '--head <code>',
      '从打印的结算表或拨付清单上抄下的台账校验码（如 7-3FA0C2D1），核对该运行仍在台账中且未被改动',
    )
    .action(async (flags: LedgerFlags & { head?: string }) => {
      await withLedger(flags, async (l) => {
        const report = l.check({ head: flags.head });
        say(`核对台账 ${l.name}：${report.runs} 次运行，${report.lines} 行明细，${report.accumulators} 个累计额`);
        for (const n of report.notes) say(`  · ${n}`);
        if (report.problems.length === 0) {
          say(
            `哈希链完整，与台账校验码日志一致${flags.head ? `，校验码 ${flags.head.trim()} 相符` : ''}；全部累计额与结果、冲正、期初余额之和一致。`,
          );
          if (report.head) say(`当前台账校验码：${report.head}`);
        } else {
          for (const p of report.problems.slice(0, 200)) say(`  ✗ ${p}`);
          if (report.problems.length > 200) say(`  ……另有 ${report.problems.length - 200} 处`);
          say(`发现 ${report.problems.length} 处不符。`);
          process.exitCode = 1;
        }
      });
    });
}

/** ledger revert: a run reversed, its reversal lists written before COMMIT and placed after it */
function registerRevert(ledger: Command): void {
  common(
    ledger
      .command('revert')
      .description('撤销一次运行：为其仍有效的每条结果写冲正记录（金额取负），更正累计额；历史记录不删除'),
  )
    .argument('<run>', '运行编号（见 assist ledger runs）')
    .option('--month <YYYY-MM>', '冲正记入哪个月的拨付清单（默认被撤销运行的月份）')
    .option('--operator <name>', '操作员（记入台账）')
    .option('--out <dir>', '冲正拨付清单的输出目录（默认 out/<月份>/）')
    .option('--yes', '不询问确认（供脚本使用；在终端上运行时默认先询问）')
    .action(revertCommand);
}

type RevertFlags = LedgerFlags & { out?: string; yes?: boolean };

async function revertCommand(runText: string, flags: RevertFlags): Promise<void> {
  if (!/^\d+$/.test(runText)) throw new UsageError(`运行编号应为数字，而不是“${runText}”。`);
  const month = monthFlag(flags.month);
  if (flags.out) assertOutDir(flags.out);
  const targetId = Number(runText);
  await withLedger(
    flags,
    async (l) => {
      const target = l.run(targetId);
      if (target && !flags.yes && process.stdin.isTTY && process.stderr.isTTY) {
        const answer = await ask(
          `确认撤销第 ${target.id} 次运行？${runLabel(target).replace(/^第 \d+ 次运行/, '')}冲正将记入 ${month ?? target.month ?? '—'} 月。输入 y 确认：`,
        );
        if (!/^(y|yes|是|确认)$/i.test(answer.trim())) {
          say('已取消：台账未改动。');
          return;
        }
      }
      const r = await revertRun(l, targetId, {
        operator: operatorName(flags.operator),
        commandLine: commandLine(),
        month,
        // each reversal kept as its list line only (not its whole stored line)
        keep: reversalLine,
        // the lists are written into a staging folder before COMMIT and placed after it (as adjudicate does)
        beforeCommit: (run) => writeRevertLists(run, flags.out),
      });
      const files = placeFiles(r.moves);
      if (r.moves.length) removeDir(dirname(r.moves[0]![0]));
      say(
        `已撤销 ${runLabel(r.target)}：冲正 ${r.reversals.length} 条结果（${r.lines} 行明细）${r.alreadyReversed ? `，另有 ${r.alreadyReversed} 行此前已冲正` : ''}${r.openings ? `，期初余额 ${r.openings} 行` : ''}`,
      );
      for (const [fund, total] of r.fundTotals) say(`  ${fund}：冲正 ¥${fmtGrouped(total)}`);
      say(
        `冲正记入 ${r.run.month ?? '—'} 月${r.monthDefaulted ? '（被撤销运行的月份；如需记入其他月份请用 --month）' : ''}`,
      );
      say(`台账：第 ${r.run.id} 次运行已提交；台账校验码 ${ledgerCode(r.run.id, r.run.hash!)}`);
      for (const f of files) say(`冲正拨付清单：${f}`);
    },
    { people: 'all' },
  );
}

/** The revert's reversal list of each fund that has one, staged in the month's folder; where each is to be placed. */
async function writeRevertLists(
  { runId, hash, month, reversals, target }: RevertToCommit<ReversalLine>,
  out: string | undefined,
): Promise<[string, string][]> {
  const m = month ?? new Date().toISOString().slice(0, 7);
  const outDir = out ?? join('out', m);
  assertOutDir(outDir);
  const staging = join(outDir, `.assist-staging-${process.pid}`);
  mkdirSync(staging, { recursive: true });
  const forget = whenInterrupted(() => removeDir(staging));
  try {
    const names: string[] = [];
    for (const policy of createPolicies(target.policies.map((p) => p.id).filter((id) => POLICY_FACTORIES[id]))) {
      for (const fund of policy.funds) {
        const lines = disbursementLines(fund, [], reversals);
        if (lines.length === 0) continue;
        const name = `disbursement-${fund.id}-${m}-revert-${runId}.xlsx`;
        await writeDisbursement(join(staging, name), {
          fund,
          month: m,
          document: policy.document,
          lines,
          ledgerCode: ledgerCode(runId, hash),
        });
        names.push(name);
      }
    }
    return names.length ? placements(staging, outDir, names, `run${runId}`) : [];
  } catch (err) {
    removeDir(staging);
    throw err;
  } finally {
    forget();
  }
}

/** ledger import-opening: year-to-date balances from before the tool, all or nothing */
function registerImportOpening(ledger: Command): void {
  common(
    ledger.command('import-opening').description('导入使用本工具之前的年度累计额（期初余额），列见 README「期初余额」'),
  )
    .argument('<file>', '期初余额表（.xlsx 或 .csv）')
    .option('--operator <name>', '操作员（记入台账）')
    .option('--encoding <enc>', 'CSV 编码：utf-8 或 gb18030（默认自动识别）')
    .option('--sheet <name>', '指定工作表')
    .action(async (file: string, flags: LedgerFlags) => {
      if (!existsSync(file)) throw new InputError(`找不到文件 ${file}。`);
      const where = whereOf(flags);
      const l = await openLedger(where, { people: 'all' }, { onWait });
      try {
        const r = await importOpening(l, file, {
          operator: operatorName(flags.operator),
          commandLine: commandLine(),
          policies: allPolicies(flags),
          encoding: flags.encoding,
          sheet: flags.sheet,
        });
        say(
          `已导入期初余额 ${r.rows} 行；台账：第 ${r.run.id} 次运行已提交（${ledgerName(where)}）；台账校验码 ${ledgerCode(r.run.id, r.run.hash!)}`,
        );
      } catch (err) {
        if (err instanceof OpeningRefused) {
          for (const e of err.errors.slice(0, 100))
            warn(
              `  ${e.source} 第 ${e.row} 行${e.idNumber ? `（${e.idNumber}）` : ''}：${e.issues.map((i) => `${i.column ? `[${i.column}] ` : ''}${i.detail ?? i.code}`).join('；')}`,
            );
          if (err.errors.length > 100) warn(`  ……另有 ${err.errors.length - 100} 行`);
          throw new InputError(err.message);
        }
        throw err;
      } finally {
        l.close();
      }
    });
}

/** A fund's name from the policies that know it; the id where none does (a policy since removed). */
/** Every registered policy, with the config's parameters (the ledger knows policies only through these). */
function allPolicies(flags: LedgerFlags): Policy[] {
  return createPolicies(Object.keys(POLICY_FACTORIES), loadConfig(flags.config).config.parameters);
}

/** What explain needs to know of the policies: fund names and accumulator words (ids where a policy was since removed). */
function policyWords(policies: Policy[]): Pick<ExplainOptions, 'fundName' | 'accumulatorLabel'> {
  const funds = new Map(policies.flatMap((p) => p.funds.map((f) => [f.id, f.name] as [string, string])));
  const byId = new Map(policies.map((p) => [p.id, p]));
  return {
    fundName: (id) => funds.get(id) ?? id,
    accumulatorLabel: (policy, key, year) =>
      byId.get(policy)?.accumulators?.label(key, year) ?? `${yearLabel(year)} ${key}`,
  };
}

export function registerExplain(program: Command): void {
  common(
    program
      .command('explain')
      .description('逐步说明一条明细的审核结果：输入、适用参数及其日期和条款、计算过程、累计额变动、金额、冲正'),
  )
    .argument('<claimId>', '结算单号，或 文件名:行号（如 claims.xlsx:27，查无效行）')
    .option('--line <n>', '明细行号')
    .option('--policy <id>', '只看某个政策')
    .option('--hospital <name>', '医疗机构（同一结算单号出现在多家医院时）')
    .action(async (claimId: string, flags: LedgerFlags) => {
      if (flags.line !== undefined && !/^\d+$/.test(flags.line))
        throw new UsageError(`--line 应为数字，而不是“${flags.line}”。`);
      await withLedger(flags, async (l) => {
        const text = explain(l, claimId, {
          lineNo: flags.line === undefined ? undefined : Number(flags.line),
          policy: flags.policy,
          hospital: flags.hospital,
          ...policyWords(allPolicies(flags)),
        });
        if (text.length === 0)
          throw new UsageError(
            `台账中没有${/:\d+$/.test(claimId) ? ` ${claimId} 这一行` : `结算单 ${claimId}${flags.line ? ` 第 ${flags.line} 行` : ''} `}的审核记录，也没有它的无效或跳过记录（试算 --dry-run 和没有新内容的运行不写台账）。`,
          );
        for (const t of text) say(t);
      });
    });
}

/** One question on the terminal (stderr, so stdout stays the command's output). */
async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

/** --out names a folder: an existing file there is a usage error (exit 2), before the ledger is touched. */
export function assertOutDir(dir: string): void {
  let isFile = false;
  try {
    isFile = !statSync(dir).isDirectory();
  } catch {
    return;
  }
  if (isFile) throw new UsageError(`--out 应为文件夹，而“${dir}”是一个文件。请指定输出文件夹（不存在时会自动创建）。`);
}
