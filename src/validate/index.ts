// `assist validate`: reads inputs only and reports every bad row and roster warning.
import { basename, dirname, extname, join, resolve } from 'node:path';
import { readInput, detectKind, type InputKind, type ReadStats } from '../io/read-input.js';
import { splitDuplicates } from '../io/batch.js';
import { mergeRoster } from '../roster/merge.js';
import { REASONS, ROSTER_WARNINGS, type ReasonCode } from '../domain/reasons.js';
import type { ClaimLine, RosterRow, RowError, RosterWarning } from '../domain/types.js';
import { addSheet, writeWorkbook, type ColumnDef, type OutCell } from '../io/workbook.js';

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

// control characters cannot be in a file name either
// eslint-disable-next-line no-control-regex
const safe = (s: string) => s.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_');

export function reportFileName(file: string): string {
  return `validation-${safe(basename(file, extname(file)))}.xlsx`;
}

/**
 * One report per input file: files with the same name in different folders (d1/claims.xlsx, d2/claims.xlsx) get
 * their folder in the report's name (validation-d1-claims.xlsx), and a number when even that repeats.
 */
export function reportFileNames(files: string[]): string[] {
  const plain = files.map(reportFileName);
  const taken = new Set<string>();
  return files.map((file, i) => {
    const clash = plain.filter((p) => p === plain[i]).length > 1;
    let name = clash
      ? `validation-${safe(basename(dirname(resolve(file))))}-${safe(basename(file, extname(file)))}.xlsx`
      : plain[i]!;
    for (let n = 2; taken.has(name); n++) name = name.replace(/(-\d+)?\.xlsx$/, `-${n}.xlsx`);
    taken.add(name);
    return name;
  });
}

export async function validateFiles(files: string[], opts: ValidateOptions): Promise<FileReport[]> {
  const reports: FileReport[] = [];
  const claimLines: { report: FileReport; lines: ClaimLine[] }[] = [];
  const rosterRows: RosterRow[] = [];
  const names = reportFileNames(files);
  for (const [fileNo, file] of files.entries()) {
    const kind = opts.kind ?? (await detectKind(file, { sheet: opts.sheet, encoding: opts.encoding }));
    let stats: ReadStats | undefined;
    const errors: RowError[] = [];
    const warnings: RosterWarning[] = [];
    const lines: ClaimLine[] = [];
    for await (const item of readInput(
      file,
      kind,
      { sheet: opts.sheet, encoding: opts.encoding, hospitalAliases: opts.hospitalAliases },
      (s) => (stats = s),
    )) {
      if (item.type === 'error') errors.push(item.error);
      else if (item.type === 'claim') lines.push(item.line);
      else if (item.type === 'roster') {
        rosterRows.push(item.row);
        warnings.push(...item.warnings);
      } else if (item.type === 'ignored') warnings.push(...item.warnings);
    }
    const report: FileReport = {
      file,
      kind,
      stats: stats!,
      valid: 0,
      errors,
      warnings,
      byReason: new Map(),
      reportPath: join(opts.out, names[fileNo]!),
    };
    if (kind === 'claims') claimLines.push({ report, lines });
    else report.valid = stats!.records;
    reports.push(report);
  }
  // duplicates are a batch check across all claim files given together
  const all = claimLines.flatMap((c) => c.lines);
  const { duplicates, duplicateLines } = splitDuplicates(all);
  const duplicated = new Set(duplicateLines);
  for (const c of claimLines) {
    const mine = new Set(c.lines.filter((l) => duplicated.has(l)));
    const dups = duplicates.filter((_, i) => mine.has(duplicateLines[i]!));
    c.report.errors.push(...dups);
    c.report.valid = c.lines.length - dups.length;
  }
  const { warnings: rosterWarnings } = mergeRoster(rosterRows);
  for (const w of rosterWarnings) reports.find((r) => basename(r.file) === w.source)?.warnings.push(w);
  for (const r of reports) {
    r.errors.sort((a, b) => a.row - b.row);
    for (const e of r.errors)
      for (const code of new Set(e.issues.map((i) => i.code))) r.byReason.set(code, (r.byReason.get(code) ?? 0) + 1);
    await writeValidationWorkbook(r);
  }
  return reports;
}

async function writeValidationWorkbook(r: FileReport): Promise<void> {
  await writeWorkbook(r.reportPath, (wb) => {
    addSheet(wb, {
      name: '概况',
      title: `输入校验报告：${basename(r.file)}`,
      columns: [
        { header: '项目', width: 28 },
        { header: '内容', width: 60 },
      ],
      rows: overviewRows(r),
    });
    addSheet(wb, { name: '问题行', columns: PROBLEM_COLUMNS, rows: problemRows(r) });
    if (r.kind === 'roster' || r.warnings.length)
      addSheet(wb, {
        name: '名单警告',
        columns: WARNING_COLUMNS,
        rows: r.warnings.map((w) => [w.source, w.row, w.code, ROSTER_WARNINGS[w.code], w.detail, w.idNumber]),
      });
  });
}

/** 概况: the file, what was read from it, and how many rows each reason made invalid. */
function overviewRows(r: FileReport): OutCell[][] {
  return [
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
  ];
}

/** 问题行: one row per problem of an invalid row (a row can have several). */
function problemRows(r: FileReport): OutCell[][] {
  return r.errors.flatMap((e) =>
    e.issues.map((i) => [
      e.source,
      e.sheet,
      e.row,
      i.column ?? '',
      i.code,
      REASONS[i.code].text,
      i.detail ?? '',
      e.claimId,
      e.idNumber,
      e.name,
    ]),
  );
}

const PROBLEM_COLUMNS: ColumnDef[] = [
  { header: '文件', width: 11 },
  { header: '工作表', width: 8 },
  { header: '行号', kind: 'int', width: 6 },
  { header: '列', width: 10 },
  { header: '原因代码', width: 16 },
  { header: '原因', width: 20 },
  { header: '说明', width: 26 },
  { header: '结算单号', width: 17 },
  { header: '身份证号', width: 19 },
  { header: '姓名', width: 7 },
];

const WARNING_COLUMNS: ColumnDef[] = [
  { header: '文件', width: 12 },
  { header: '行号', kind: 'int', width: 6 },
  { header: '警告代码', width: 20 },
  { header: '警告', width: 22 },
  { header: '说明', width: 54 },
  { header: '身份证号', width: 19 },
];
