import { Command, CommanderError, Help } from 'commander';
import { InputError, UsageError } from '../io/errors.js';
import { registerValidate } from './validate.js';
import { registerAdjudicate } from './adjudicate.js';
import { registerExplain, registerLedger } from './ledger.js';
import { registerReconcile, registerReport } from './report.js';
import { warn } from './output.js';
import { installSignalHandlers } from '../run/scratch.js';
import { registerTemplate } from './template.js';

export const EXIT = { OK: 0, DIFFERENCES: 1, BAD_INPUT: 2, INTERNAL: 3 } as const;

/** commander prints English headings and errors; clerks read Chinese. */
const HEADINGS: [RegExp, string][] = [
  [/^Usage:/gm, '用法：'],
  [/^Options:/gm, '选项：'],
  [/^Commands:/gm, '命令：'],
  [/^Arguments:/gm, '参数：'],
  [/\(default: /g, '（默认：'],
];
const ERRORS: [RegExp, string][] = [
  [/^error: unknown command '(.*)'/m, '错误：未知命令“$1”'],
  [/^error: unknown option '(.*)'/m, '错误：未知选项“$1”'],
  [/^error: missing required argument '(.*)'/m, '错误：缺少必需参数“$1”'],
  [/^error: option '(.*)' argument missing/m, '错误：选项“$1”缺少取值'],
  [/^error: too many arguments.*/m, '错误：参数过多'],
  [/^error: required option '(.*)' not specified/m, '错误：缺少必需的选项“$1”'],
  [/^error: option '(.*)' argument '(.*)' is invalid\./m, '错误：选项“$1”的取值“$2”无效'],
  [/^error: command-argument value '(.*)' is invalid for argument '(.*)'\./m, '错误：参数“$2”的取值“$1”无效'],
  [/^error: (.*) cannot be used with (.*)/m, '错误：$1 不能与 $2 同时使用'],
  [/\(Did you mean (.*)\?\)/, '（是否想用 $1？）'],
];
function translate(text: string, table: [RegExp, string][]): string {
  return table.reduce((t, [re, zh]) => t.replace(re, zh), text);
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .configureHelp({
      formatHelp: (cmd, helper) =>
        translate(Help.prototype.formatHelp.call(helper, cmd, helper), HEADINGS).replace(
          /（默认：([^)]*)\)/g,
          '（默认：$1）',
        ),
    })
    .configureOutput({
      writeErr: (s) => process.stderr.write(translate(s, ERRORS)),
      outputError: (s, write) => write(translate(s, ERRORS)),
    });
  program
    .name('assist')
    .description(
      '医疗救助/健康救助 月末结算审核工具：读取医院结算明细与救助对象名单，按政策计算救助金额，生成结算表、拨付清单和统计报表',
    )
    .version('0.1.0', '-V, --version', '显示版本号')
    .helpOption('-h, --help', '显示帮助')
    .helpCommand('help [command]', '显示某个命令的帮助')
    .showHelpAfterError('（使用 --help 查看用法）')
    .exitOverride();
  registerValidate(program);
  registerAdjudicate(program);
  registerLedger(program);
  registerExplain(program);
  registerReport(program);
  registerReconcile(program);
  registerTemplate(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  installSignalHandlers(warn);
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    process.exitCode = process.exitCode ?? EXIT.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? EXIT.OK : EXIT.BAD_INPUT;
    } else if (err instanceof InputError || err instanceof UsageError) {
      warn(`错误：${err.message}`);
      process.exitCode = EXIT.BAD_INPUT;
    } else {
      warn(`内部错误：${(err as Error)?.message ?? String(err)}`);
      if (process.env.ASSIST_DEBUG) warn(String((err as Error)?.stack));
      process.exitCode = EXIT.INTERNAL;
    }
  }
}
