// assist ledger import-opening: year-to-date balances from before the tool. Read with the same header
// rules as any input; every row is checked (ID, policy, year, item of that policy); one bad row refuses
// the whole file (a half-loaded opening balance would pay twice or short), as does a file or a
// (person, policy, year, item) already loaded.
import { basename } from 'node:path';
import { readInput } from '../io/read-input.js';
import { normalizeLabel } from '../domain/text.js';
import { ZERO } from '../domain/money.js';
import type { RowError } from '../domain/types.js';
import type { OpeningInput } from '../io/records.js';
import type { Policy } from '../engine/types.js';
import type { Ledger, OpeningRow, RunInfo } from './store.js';
import { fileSha256, policyVersions } from './provenance.js';

const YEARLESS = /^(0|跨年度|不分年度|—|-)?$/;

/** Policy column: an id (th-2021) or the policy's name. */
export function resolvePolicy(text: string, policies: readonly Policy[]): Policy | null {
  const n = normalizeLabel(text);
  return policies.find((p) => p.id === n) ?? policies.find((p) => normalizeLabel(p.name) === n) ?? null;
}

export interface OpeningImport {
  rows: OpeningRow[];
  errors: RowError[];
  rowsRead: number;
}

/** Reads and checks the whole file against the policies' own accumulator words; nothing touches the ledger here. */
export async function readOpening(
  file: string,
  policies: readonly Policy[],
  opts: { encoding?: string; sheet?: string } = {},
): Promise<OpeningImport> {
  const rows: OpeningRow[] = [];
  const errors: RowError[] = [];
  let rowsRead = 0;
  const seen = new Map<string, number>();
  for await (const item of readInput(file, 'opening', opts, (s) => (rowsRead = s.rowsRead))) {
    if (item.type === 'error') errors.push(item.error);
    if (item.type !== 'opening') continue;
    const checked = checkOpening(item.row, policies, seen);
    if (checked.ok) rows.push(checked.row);
    else errors.push(openingError(item.row, checked.column, checked.detail));
  }
  if (rowsRead !== rows.length + errors.length)
    throw new Error(`行数核对失败：${file} 读取 ${rowsRead} 行，有效 ${rows.length}，错误 ${errors.length}`);
  return { rows, errors, rowsRead };
}

type Checked = { ok: true; row: OpeningRow } | Refusal;
type Refusal = { ok: false; column: string; detail: string };
const refuse = (column: string, detail: string): Refusal => ({ ok: false, column, detail });

/**
 * One row as the ledger will hold it, or why not: its policy, that policy's accumulator item, the year the item is
 * counted by (none for a cross-year item), a first date where the item is one, and once per (person, policy, year,
 * item) in the file.
 */
function checkOpening(r: OpeningInput, policies: readonly Policy[], seen: Map<string, number>): Checked {
  const found = resolvePolicy(r.policy, policies);
  if (!found)
    return refuse(r.columns.policy, `无法识别的政策“${r.policy}”（可用：${policies.map((p) => p.id).join('、')}）`);
  const policy = found.id;
  const vocabulary = found.accumulators;
  if (!vocabulary) return refuse(r.columns.key, `政策 ${policy} 没有年度累计额，无需导入期初余额`);
  const k = vocabulary.openingKey(r.key);
  if (!k.ok) return refuse(r.columns.key, k.detail);
  const year = openingYear(r, k.yearless);
  if (typeof year !== 'number') return year;
  if (vocabulary.dateKeys?.includes(k.key) && !r.firstDate)
    return refuse('首次救治日期', `累计项目“${r.key}”须填写首次救治日期`);
  const dupKey = `${r.idNumber}|${policy}|${year}|${k.key}`;
  if (seen.has(dupKey))
    return refuse(r.columns.key, `与第 ${seen.get(dupKey)} 行重复（同一人、政策、年度、累计项目只能有一行）`);
  seen.set(dupKey, r.row);
  const entitled = r.entitled ?? (vocabulary.openingEntitledIsPaid ? r.paid : ZERO);
  return {
    ok: true,
    row: {
      idNumber: r.idNumber,
      policy,
      year,
      key: k.key,
      base: r.base,
      paid: r.paid,
      entitled,
      firstDate: r.firstDate,
      source: r.source,
      row: r.row,
    },
  };
}

/** The row's year: four digits, or 0 for a cross-year item (left empty or 跨年度). */
function openingYear(r: OpeningInput, yearless: boolean): number | Refusal {
  const yearText = normalizeLabel(r.year).replace(/年$/, '');
  if (yearless)
    return YEARLESS.test(yearText) ? 0 : refuse(r.columns.year, `累计项目“${r.key}”不分年度，年度请留空或填“跨年度”`);
  if (!/^(19|20)\d\d$/.test(yearText)) return refuse(r.columns.year, `年度应为四位年份（如 2024），而不是“${r.year}”`);
  return Number(yearText);
}

function openingError(r: OpeningInput, column: string, detail: string): RowError {
  return {
    source: r.source,
    sheet: r.sheet,
    row: r.row,
    issues: [{ code: 'MISSING_FIELD', column, detail }],
    idNumber: r.idNumber,
    name: r.name,
    claimId: '',
    lineNo: null,
    hospital: '',
  };
}

export class OpeningRefused extends Error {
  constructor(
    message: string,
    readonly errors: RowError[],
  ) {
    super(message);
  }
}

export async function importOpening(
  ledger: Ledger,
  file: string,
  opts: { operator: string; commandLine: string; policies: readonly Policy[]; encoding?: string; sheet?: string },
): Promise<{ run: RunInfo; rows: number }> {
  const data = await readOpening(file, opts.policies, opts);
  if (data.errors.length > 0)
    throw new OpeningRefused(
      `${basename(file)} 有 ${data.errors.length} 行错误，未导入任何期初余额；请改正后重新导入。`,
      data.errors,
    );
  if (data.rows.length === 0) throw new OpeningRefused(`${basename(file)} 没有期初余额数据行。`, []);
  const { sha256, bytes } = await fileSha256(file);
  const runs = ledger.runs();
  const earlier = runs.find(
    (r) =>
      r.kind === 'opening' &&
      r.inputs.some((i) => i.sha256 === sha256) &&
      !runs.some((x) => x.kind === 'revert' && x.revertsRun === r.id),
  );
  if (earlier)
    throw new OpeningRefused(
      `${basename(file)} 已于第 ${earlier.id} 次运行（${earlier.startedAt.slice(0, 10)}）导入过，不能重复导入。如需重新导入，请先 assist ledger revert ${earlier.id}。`,
      [],
    );
  const used = new Set(data.rows.map((r) => r.policy));
  const session = ledger.begin({
    kind: 'opening',
    operator: opts.operator,
    commandLine: opts.commandLine,
    month: null,
    policies: policyVersions(opts.policies.filter((p) => used.has(p.id))),
    inputs: [{ file: basename(file), role: 'opening', sha256, bytes }],
  });
  try {
    const exists: RowError[] = [];
    for (const r of data.rows) {
      if (session.openingExists(r))
        exists.push({
          source: r.source,
          sheet: '',
          row: r.row,
          issues: [{ code: 'MISSING_FIELD', detail: `${r.policy} ${r.year || '跨年度'} ${r.key} 的期初余额已导入过` }],
          idNumber: r.idNumber,
          name: '',
          claimId: '',
          lineNo: null,
          hospital: '',
        });
      session.recordOpening(r);
    }
    if (exists.length > 0)
      throw new OpeningRefused(`${basename(file)} 中有 ${exists.length} 行的期初余额已导入过，未导入任何行。`, exists);
    const run = await session.commit({ rowsRead: data.rowsRead, openings: data.rows.length });
    return { run, rows: data.rows.length };
  } catch (err) {
    session.rollback();
    throw err;
  }
}
