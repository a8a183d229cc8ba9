// `assist validate`: reads inputs only and reports every bad row and roster warning.
import { basename, extname, join } from 'node:path';
import { readInput, detectKind, type InputKind, type ReadStats } from '../io/read-input.js';
import { splitDuplicates } from '../io/batch.js';
import { mergeRoster } from '../roster/merge.js';
import { REASONS, ROSTER_WARNINGS, type ReasonCode } from '../domain/reasons.js';
import type { ClaimLine, RosterRow, RowError, RosterWarning } from '../domain/types.js';
import { addSheet, writeWorkbook } from '../io/workbook.js';

export interface FileReport {
  file: string;
  kind: InputKind;
  stats: ReadStats;
  valid: number;
  errors: RowError[];
  warnings: RosterWarning[];
  byReason: Map<ReasonCode, number>;
  reportPath: string;
}

export interface ValidateOptions {
  kind?: InputKind;
  sheet?: string;
  encoding?: string;
  out: string;
  hospitalAliases?: Map<string, string>;
}

export function reportFileName(file: string): string {
  const base = basename(file, extname(file)).replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_');
  return `validation-${base}.xlsx`;
}

export async function validateFiles(files: string[], opts: ValidateOptions): Promise<FileReport[]> {
  const reports: FileReport[] = [];
  const claimLines: { report: FileReport; lines: ClaimLine[] }[] = [];
  const rosterRows: RosterRow[] = [];
  for (const file of files) {
    const kind = opts.kind ?? (await detectKind(file, { sheet: opts.sheet, encoding: opts.encoding }));
    let stats: ReadStats | undefined;
    const errors: RowError[] = [];
    const warnings: RosterWarning[] = [];
    const lines: ClaimLine[] = [];
    for await (const item of readInput(file, kind, { sheet: opts.sheet, encoding: opts.encoding, hospitalAliases: opts.hospitalAliases }, (s) => (stats = s))) {
      if (item.type === 'error') errors.push(item.error);
      else if (item.type === 'claim') lines.push(item.line);
      else if (item.type === 'roster') {
        rosterRows.push(item.row);
        warnings.push(...item.warnings);
      } else if (item.type === 'ignored') warnings.push(...item.warnings);
    }
    const report: FileReport = { file, kind, stats: stats!, valid: 0, errors, warnings, byReason: new Map(), reportPath: join(opts.out, reportFileName(file)) };
    if (kind === 'claims') claimLines.push({ report, lines });
    else report.valid = stats!.records;
    reports.push(report);
  }
  // duplicates are a batch check across all claim files given together
  const all = claimLines.flatMap((c) => c.lines);
  const { duplicates } = splitDuplicates(all);
  for (const c of claimLines) {
    const dups = duplicates.filter((d) => d.source === basename(c.report.file));
    c.report.errors.push(...dups);
    c.report.valid = c.lines.length - dups.length;
  }
  const { warnings: rosterWarnings } = mergeRoster(rosterRows);
  for (const w of rosterWarnings) reports.find((r) => basename(r.file) === w.source)?.warnings.push(w);
  for (const r of reports) {
    r.errors.sort((a, b) => a.row - b.row);
    for (const e of r.errors) for (const code of new Set(e.issues.map((i) => i.code))) r.byReason.set(code, (r.byReason.get(code) ?? 0) + 1);
    await writeValidationWorkbook(r);
  }
  return reports;
}

async function writeValidationWorkbook(r: FileReport): Promise<void> {
  await writeWorkbook(r.reportPath, (wb) => {
    addSheet(wb, {
      name: '概况',
      title: `输入校验报告：${basename(r.file)}`,
      columns: [{ header: '项目', width: 28 }, { header: '内容', width: 60 }],
      rows: [
        ['文件', basename(r.file)],
        ['类型', r.kind === 'claims' ? '结算明细' : '救助对象名单'],
        ['工作表', r.stats.sheet || '（CSV）'],
        ['表头所在行', String(r.stats.headerRow)],
        ['读取数据行数', String(r.stats.rowsRead)],
        ['有效行数', String(r.valid)],
        ['无效行数', String(r.errors.length)],
        ['忽略行数（无法识别的人员类别）', String(r.stats.ignored)],
        ['空行（已跳过）', String(r.stats.blankRows)],
        ['名单警告', String(r.warnings.length)],
        ...[...r.byReason].map(([code, n]) => [`无效原因 ${code}`, `${REASONS[code].text}：${n} 行`]),
      ],
    });
    addSheet(wb, {
      name: '问题行',
      columns: [
        { header: '文件', width: 24 }, { header: '工作表', width: 12 }, { header: '行号', kind: 'int', width: 8 }, { header: '列', width: 14 },
        { header: '原因代码', width: 22 }, { header: '原因', width: 34 }, { header: '说明', width: 60 }, { header: '结算单号', width: 18 },
        { header: '身份证号', width: 22 }, { header: '姓名', width: 10 },
      ],
      rows: r.errors.flatMap((e) =>
        e.issues.map((i) => [e.source, e.sheet, e.row, i.column ?? '', i.code, REASONS[i.code].text, i.detail ?? '', e.claimId, e.idNumber, e.name]),
      ),
    });
    if (r.kind === 'roster' || r.warnings.length) {
      addSheet(wb, {
        name: '名单警告',
        columns: [{ header: '文件', width: 24 }, { header: '行号', kind: 'int', width: 8 }, { header: '警告代码', width: 24 }, { header: '警告', width: 36 }, { header: '说明', width: 60 }, { header: '身份证号', width: 22 }],
        rows: r.warnings.map((w) => [w.source, w.row, w.code, ROSTER_WARNINGS[w.code], w.detail, w.idNumber]),
      });
    }
  });
}
