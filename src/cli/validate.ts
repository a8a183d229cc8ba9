import type { Command } from 'commander';
import { basename } from 'node:path';
import chalk from 'chalk';
import { validateFiles } from '../validate/index.js';
import { REASONS } from '../domain/reasons.js';
import { mask } from '../domain/id-number.js';
import { say } from './output.js';
import { UsageError } from '../io/errors.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('只校验输入文件（结算明细或救助对象名单），列出每个问题行')
    .argument('<files...>', '要校验的 .xlsx 或 .csv 文件')
    .option('--kind <kind>', '文件类型：claims（结算明细）或 roster（名单）；默认按表头自动识别')
    .option('--sheet <name>', '指定工作表名称（默认：第一个表头匹配的工作表）')
    .option('--encoding <enc>', 'CSV 编码：utf-8 或 gb18030（默认自动识别）')
    .option('--out <dir>', '校验报告输出目录', 'out')
    .action(async (files: string[], opts: { kind?: string; sheet?: string; encoding?: string; out: string }) => {
      if (opts.kind && opts.kind !== 'claims' && opts.kind !== 'roster')
        throw new UsageError(`--kind 只能是 claims 或 roster，而不是“${opts.kind}”。`);
      const reports = await validateFiles(files, {
        kind: opts.kind as 'claims' | 'roster' | undefined,
        sheet: opts.sheet,
        encoding: opts.encoding,
        out: opts.out,
      });
      for (const r of reports) {
        say(
          chalk.bold(
            `文件：${basename(r.file)}（${r.kind === 'claims' ? '结算明细' : '救助对象名单'}${r.stats.sheet ? `，工作表“${r.stats.sheet}”` : ''}，表头在第 ${r.stats.headerRow} 行）`,
          ),
        );
        say(
          `  读取 ${r.stats.rowsRead} 行：有效 ${r.valid}，无效 ${r.errors.length}${r.stats.ignored ? `，忽略 ${r.stats.ignored}` : ''}${r.stats.blankRows ? `（另有空行 ${r.stats.blankRows} 行已跳过）` : ''}`,
        );
        for (const [code, n] of r.byReason) say(`  ${chalk.red(code)} ${REASONS[code].text}：${n} 行`);
        if (r.warnings.length) {
          const counts = new Map<string, number>();
          for (const w of r.warnings) counts.set(w.code, (counts.get(w.code) ?? 0) + 1);
          for (const [code, n] of counts) say(`  ${chalk.yellow(code)} 名单警告：${n} 条`);
        }
        for (const e of r.errors.slice(0, 5)) {
          const i = e.issues[0]!;
          say(
            `    第 ${e.row} 行 ${i.column ?? ''}：${i.detail ?? REASONS[i.code].text}${e.idNumber && i.code !== 'INVALID_ID' ? `（${mask(e.idNumber)}）` : ''}`,
          );
        }
        if (r.errors.length > 5) say(`    ……其余 ${r.errors.length - 5} 行见报告`);
        say(`  报告：${r.reportPath}`);
      }
    });
}
