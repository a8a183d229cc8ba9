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
import { POLICY_FACTORIES } from '../policies/registry.js';
import { FUNDS as LN_FUNDS } from '../policies/ln-as-2022/index.js';
import { catalogueItemNames } from '../policies/qd-rigid-2018/index.js';
import { normalizeItem } from '../policies/common.js';
import type { Ledger, OpeningRow, RunInfo } from './store.js';
import { fileSha256, policyVersions } from './provenance.js';
import { createPolicies } from '../policies/registry.js';

type KeyResolution = { ok: true; key: string; yearless: boolean } | { ok: false; detail: string };

const YEARLESS = /^(0|跨年度|不分年度|—|-)?$/;

/** The accumulator items each policy keeps (README「期初余额」lists them). */
export function resolveOpeningKey(policy: string, label: string): KeyResolution {
  const n = normalizeLabel(label).toUpperCase();
  if (policy === 'th-2021') {
    if (/^(A|A类)$/.test(n)) return { ok: true, key: 'A', yearless: false };
    if (/^(B|B类)$/.test(n)) return { ok: true, key: 'B', yearless: false };
    if (/^(C|C类)$/.test(n)) return { ok: true, key: 'C', yearless: false };
    if (/^(B-DEDUCTIBLE|B类起付线|B类起付线累计|首次起付线)$/.test(n)) return { ok: true, key: 'B-deductible', yearless: true };
    return { ok: false, detail: `亭湖区健康救助的累计项目应为 A类、B类、C类 或 B类起付线，而不是“${label}”` };
  }
  if (policy === 'ln-as-2022') {
    if (n === LN_FUNDS.special.id.toUpperCase() || /^(专项医疗救治资金|专项资金)$/.test(n)) return { ok: true, key: LN_FUNDS.special.id, yearless: false };
    if (n === LN_FUNDS.thirdParty.id.toUpperCase() || /^(指定第三方机构|第三方机构|第三方)$/.test(n)) return { ok: true, key: LN_FUNDS.thirdParty.id, yearless: false };
    if (/^(FIRST-CLAIM|首次救治|首次救治日期)$/.test(n)) return { ok: true, key: 'first-claim', yearless: true };
    return { ok: false, detail: `强直性脊柱炎救助的累计项目应为 专项医疗救治资金、指定第三方机构 或 首次救治，而不是“${label}”` };
  }
  if (policy === 'qd-rigid-2018') {
    const item = catalogueItemNames().find((name) => normalizeItem(name) === normalizeItem(label));
    if (item) return { ok: true, key: item, yearless: false };
    return { ok: false, detail: `“${label}”不是青岛刚性支出目录中的项目（须与目录印刷名称一致，如“克唑替尼”）` };
  }
  return { ok: false, detail: `政策 ${policy} 没有年度累计额，无需导入期初余额` };
}

/** Policy column: an id (th-2021) or the policy's name. */
export function resolvePolicyId(text: string): string | null {
  const n = normalizeLabel(text);
  if (POLICY_FACTORIES[n]) return n;
  for (const id of Object.keys(POLICY_FACTORIES)) if (normalizeLabel(POLICY_FACTORIES[id]!().name) === n) return id;
  return null;
}

export interface OpeningImport {
  rows: OpeningRow[];
  errors: RowError[];
  rowsRead: number;
}

/** Reads and checks the whole file; nothing touches the ledger here. */
export async function readOpening(file: string, opts: { encoding?: string; sheet?: string } = {}): Promise<OpeningImport> {
  const rows: OpeningRow[] = [];
  const errors: RowError[] = [];
  let rowsRead = 0;
  const seen = new Map<string, number>();
  const bad = (r: OpeningInput, column: string, detail: string): void => {
    errors.push({ source: r.source, sheet: r.sheet, row: r.row, issues: [{ code: 'MISSING_FIELD', column, detail }], idNumber: r.idNumber, name: r.name, claimId: '', lineNo: null, hospital: '' });
  };
  for await (const item of readInput(file, 'opening', opts, (s) => (rowsRead = s.rowsRead))) {
    if (item.type === 'error') {
      errors.push(item.error);
      continue;
    }
    if (item.type !== 'opening') continue;
    const r = item.row;
    const policy = resolvePolicyId(r.policy);
    if (!policy) {
      bad(r, r.columns.policy, `无法识别的政策“${r.policy}”（可用：${Object.keys(POLICY_FACTORIES).join('、')}）`);
      continue;
    }
    const k = resolveOpeningKey(policy, r.key);
    if (!k.ok) {
      bad(r, r.columns.key, k.detail);
      continue;
    }
    const yearText = normalizeLabel(r.year).replace(/年$/, '');
    let year: number;
    if (k.yearless) {
      if (!YEARLESS.test(yearText)) {
        bad(r, r.columns.year, `累计项目“${r.key}”不分年度，年度请留空或填“跨年度”`);
        continue;
      }
      year = 0;
    } else {
      if (!/^(19|20)\d\d$/.test(yearText)) {
        bad(r, r.columns.year, `年度应为四位年份（如 2024），而不是“${r.year}”`);
        continue;
      }
      year = Number(yearText);
    }
    if (k.key === 'first-claim' && !r.firstDate) {
      bad(r, '首次救治日期', '累计项目“首次救治”须填写首次救治日期');
      continue;
    }
    const dupKey = `${r.idNumber}|${policy}|${year}|${k.key}`;
    if (seen.has(dupKey)) {
      bad(r, r.columns.key, `与第 ${seen.get(dupKey)} 行重复（同一人、政策、年度、累计项目只能有一行）`);
      continue;
    }
    seen.set(dupKey, r.row);
    rows.push({ idNumber: r.idNumber, policy, year, key: k.key, base: r.base, paid: r.paid, entitled: r.entitled ?? (policy === 'th-2021' ? r.paid : ZERO), firstDate: r.firstDate, source: r.source, row: r.row });
  }
  if (rowsRead !== rows.length + errors.length) throw new Error(`行数核对失败：${file} 读取 ${rowsRead} 行，有效 ${rows.length}，错误 ${errors.length}`);
  return { rows, errors, rowsRead };
}

export class OpeningRefused extends Error {
  constructor(
    message: string,
    readonly errors: RowError[],
  ) {
    super(message);
  }
}

export async function importOpening(ledger: Ledger, file: string, opts: { operator: string; commandLine: string; encoding?: string; sheet?: string }): Promise<{ run: RunInfo; rows: number }> {
  const data = await readOpening(file, opts);
  if (data.errors.length > 0) throw new OpeningRefused(`${basename(file)} 有 ${data.errors.length} 行错误，未导入任何期初余额；请改正后重新导入。`, data.errors);
  if (data.rows.length === 0) throw new OpeningRefused(`${basename(file)} 没有期初余额数据行。`, []);
  const { sha256, bytes } = await fileSha256(file);
  const runs = ledger.runs();
  const earlier = runs.find((r) => r.kind === 'opening' && r.inputs.some((i) => i.sha256 === sha256) && !runs.some((x) => x.kind === 'revert' && x.revertsRun === r.id));
  if (earlier) throw new OpeningRefused(`${basename(file)} 已于第 ${earlier.id} 次运行（${earlier.startedAt.slice(0, 10)}）导入过，不能重复导入。如需重新导入，请先 assist ledger revert ${earlier.id}。`, []);
  const policies = [...new Set(data.rows.map((r) => r.policy))];
  const session = ledger.begin({
    kind: 'opening', operator: opts.operator, commandLine: opts.commandLine, month: null, policies: policyVersions(createPolicies(policies)),
    inputs: [{ file: basename(file), role: 'opening', sha256, bytes }],
  });
  try {
    const exists: RowError[] = [];
    for (const r of data.rows) {
      if (session.openingExists(r))
        exists.push({ source: r.source, sheet: '', row: r.row, issues: [{ code: 'MISSING_FIELD', detail: `${r.policy} ${r.year || '跨年度'} ${r.key} 的期初余额已导入过` }], idNumber: r.idNumber, name: '', claimId: '', lineNo: null, hospital: '' });
      session.recordOpening(r);
    }
    if (exists.length > 0) throw new OpeningRefused(`${basename(file)} 中有 ${exists.length} 行的期初余额已导入过，未导入任何行。`, exists);
    const run = session.commit({ rowsRead: data.rowsRead, openings: data.rows.length });
    return { run, rows: data.rows.length };
  } catch (err) {
    session.rollback();
    throw err;
  }
}
