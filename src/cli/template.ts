// assist template opening|statement: blank workbooks a clerk fills in — the header row the reader expects and a
// 说明 sheet (each column: required or not, what goes in it, the other headers accepted).
import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { OPENING_FIELDS, STATEMENT_FIELDS, type FieldSpec } from '../io/headers.js';
import { addSheet, writeWorkbook } from '../io/workbook.js';
import { UsageError } from '../io/errors.js';
import { say } from './output.js';
import { assertOutDir } from './ledger.js';
import { createPolicies, POLICY_FACTORIES } from '../policies/registry.js';

/** Each column's note; what 累计项目 and 累计基数 mean comes from the policies that keep accumulators. */
function openingNotes(): Record<string, string> {
  const policies = createPolicies(Object.keys(POLICY_FACTORIES)).filter((p) => p.accumulators?.openingHelp);
  const help = (pick: (h: { keys: string; base?: string }) => string | undefined) =>
    policies.flatMap((p) => {
      const text = pick(p.accumulators!.openingHelp!);
      return text ? [`${p.id}（${p.name}）：${text}`] : [];
    });
  return {
    idNumber: '18 位身份证号（按文字填写，勿转成数字）',
    name: '仅供核对',
    policy: '政策编号（如 th-2021）或名称（如 亭湖区健康救助）',
    year: '四位年份；不分年度的项目（B类起付线、首次救治）留空或填“跨年度”',
    key: help((h) => h.keys).join('；'),
    base: [...help((h) => h.base), '缺省 0'].join('；'),
    paid: '已支付的救助金额；缺省 0',
    entitled: '亭湖未减半的应救助额（计入封顶）；缺省等于累计支付',
    firstDate: '辽宁“首次救治”项目必填（YYYY-MM-DD）',
  };
}
const STATEMENT_NOTES: Record<string, string> = {
  claimId: '医院结算单号，与结算明细一致',
  hospital: '医疗机构名称；或改用“收款单位”列（本工具拨付清单的格式），两者填其一',
  payee: '收款单位（本工具拨付清单的格式）；有“医疗机构”列时不用',
  lineNo: '明细行号；没有此列时按结算单合计对账',
  amount: '实际支付金额（元，最多两位小数；冲正为负数）',
  name: '可选，仅供核对',
  idNumber: '可选，仅供核对',
};

const TEMPLATES: Record<
  string,
  { file: string; title: string; fields: readonly FieldSpec[]; notes: () => Record<string, string>; use: string }
> = {
  opening: {
    file: 'opening-template.xlsx',
    title: '期初余额（使用本工具之前的年度累计额）',
    fields: OPENING_FIELDS,
    notes: openingNotes,
    use: 'assist ledger import-opening 本文件',
  },
  statement: {
    file: 'statement-template.xlsx',
    title: '资金支付对账单',
    fields: STATEMENT_FIELDS,
    notes: () => STATEMENT_NOTES,
    use: 'assist reconcile 本文件 --fund 资金编号 --month 月份',
  },
};

export function registerTemplate(program: Command): void {
  program
    .command('template')
    .description('写出空白模板：opening（期初余额）或 statement（对账单），含各列说明')
    .argument('<kind>', 'opening 或 statement')
    .option('--out <dir>', '输出目录（默认当前目录）')
    .action(async (kind: string, flags: { out?: string }) => {
      const t = TEMPLATES[kind];
      if (!t) throw new UsageError(`未知模板“${kind}”：可用 opening（期初余额）、statement（对账单）。`);
      const dir = flags.out ?? '.';
      assertOutDir(dir);
      mkdirSync(dir, { recursive: true });
      const file = join(dir, t.file);
      const notes = t.notes();
      await writeWorkbook(file, (wb) => {
        addSheet(wb, {
          name: '填写',
          title: t.title,
          columns: t.fields.map((f) => ({ header: f.header, width: Math.max(12, [...f.header].length * 2 + 4) })),
          rows: [],
        });
        addSheet(wb, {
          name: '说明',
          title: `${t.title}：各列说明（表头可用“其他可接受的表头”中的任一名称；第一张表的标题行可删改）`,
          columns: [
            { header: '列', width: 14 },
            { header: '必填', width: 8 },
            { header: '填写说明', width: 70 },
            { header: '其他可接受的表头', width: 40 },
          ],
          rows: t.fields.map((f) => [f.header, f.required ? '是' : '否', notes[f.field] ?? '', f.synonyms.join('、')]),
          footer: [`填好后：${t.use}`],
        });
      });
      say(resolve(file));
    });
}
