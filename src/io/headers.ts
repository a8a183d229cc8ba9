// Header matching (SPEC §2): trim, remove all white space (full-width too) and line breaks, map synonyms.
import { normalizeLabel } from '../domain/text.js';
import { LINE_SCHEMA } from '../domain/line-schema.js';
import type { CellValue } from './cell.js';
import { cellText } from '../domain/text.js';

export interface FieldSpec {
  field: string;
  header: string;
  synonyms: readonly string[];
  required: boolean;
}

/** The claim file's columns: the line schema's fields read from the hospital's file. */
export const CLAIM_FIELDS: readonly FieldSpec[] = LINE_SCHEMA.flatMap((f) =>
  f.header ? [{ field: f.field, header: f.label, synonyms: f.header.synonyms, required: f.header.required }] : [],
);

export const ROSTER_FIELDS: readonly FieldSpec[] = [
  {
    field: 'idNumber',
    header: '身份证号',
    synonyms: ['身份证号码', '公民身份号码', '证件号码', '身份证'],
    required: true,
  },
  { field: 'name', header: '姓名', synonyms: [], required: true },
  { field: 'category', header: '人员类别', synonyms: ['救助类别', '困难类别', '对象类别', '身份类别'], required: true },
  {
    field: 'validFrom',
    header: '认定日期',
    synonyms: ['纳入日期', '申请日期', '起始日期', '生效日期'],
    required: true,
  },
  { field: 'validTo', header: '退出日期', synonyms: ['终止日期', '截止日期', '失效日期'], required: false },
  { field: 'region', header: '所属地区', synonyms: ['县区', '县（市）区', '地区'], required: false },
  { field: 'householdPlace', header: '户籍地', synonyms: ['户籍所在地'], required: false },
  { field: 'householdType', header: '户籍性质', synonyms: ['城乡类别', '户口性质'], required: false },
  { field: 'insuranceType', header: '参保类型', synonyms: ['参保险种'], required: false },
  { field: 'compliance', header: '依从基础健康服务', synonyms: ['是否依从'], required: false },
  { field: 'serviceUnit', header: '基层医疗单位', synonyms: ['签约医疗机构', '服务团队所属单位'], required: false },
  { field: 'registeredDisease', header: '登记病种', synonyms: ['大病病种', '罹患病种'], required: false },
  { field: 'asSeverity', header: '病情程度', synonyms: ['强直性脊柱炎病情'], required: false },
  { field: 'asBiologicQualified', header: '符合生物制剂治疗标准', synonyms: ['生物制剂标准'], required: false },
  { field: 'chosenHospital', header: '选定定点医院', synonyms: ['定点救治医院'], required: false },
  { field: 'lastReview', header: '最近复查日期', synonyms: ['复查评估日期'], required: false },
  { field: 'firstDeductibleApplied', header: '已扣首次起付线', synonyms: [], required: false },
];

/** Year-to-date balances from before the tool (assist ledger import-opening; README「期初余额」). */
export const OPENING_FIELDS: readonly FieldSpec[] = [
  {
    field: 'idNumber',
    header: '身份证号',
    synonyms: ['身份证号码', '公民身份号码', '证件号码', '身份证'],
    required: true,
  },
  { field: 'name', header: '姓名', synonyms: [], required: false },
  { field: 'policy', header: '政策', synonyms: ['政策编号', '救助政策', '政策名称'], required: true },
  { field: 'year', header: '年度', synonyms: ['年份', '累计年度'], required: true },
  { field: 'key', header: '累计项目', synonyms: ['累计类别', '疾病大类', '目录项目', '资金'], required: true },
  { field: 'base', header: '累计基数', synonyms: ['累计救助基数', '累计费用'], required: false },
  { field: 'paid', header: '累计支付', synonyms: ['累计已支付', '累计救助金额', '已救助金额'], required: false },
  { field: 'entitled', header: '累计应救助', synonyms: ['累计应救助金额'], required: false },
  { field: 'firstDate', header: '首次救治日期', synonyms: ['首次救治时间'], required: false },
];

/** A fund's payment statement (assist reconcile). */
export const STATEMENT_FIELDS: readonly FieldSpec[] = [
  {
    field: 'claimId',
    header: '结算单号',
    synonyms: ['结算流水号', '就诊流水号', '单据号', '结算编号'],
    required: true,
  },
  // 医疗机构, or 收款单位 as on the tool's own disbursement list (a third party returns that list, annotated):
  // one of the two is required (checked by reconcile)
  {
    field: 'hospital',
    header: '医疗机构',
    synonyms: ['定点医院', '医疗机构名称', '医院名称', '就诊医院', '医院'],
    required: false,
  },
  { field: 'payee', header: '收款单位', synonyms: ['收款方', '收款单位名称'], required: false },
  { field: 'lineNo', header: '行号', synonyms: ['明细序号', '明细行号'], required: false },
  { field: 'amount', header: '支付金额', synonyms: ['拨付金额', '金额', '实付金额', '付款金额'], required: true },
  { field: 'name', header: '姓名', synonyms: ['患者姓名'], required: false },
  { field: 'idNumber', header: '身份证号', synonyms: ['身份证号码', '公民身份号码', '证件号码'], required: false },
];

/** Header text → comparable key: no white space, unified brackets, a trailing unit （元） dropped. */
export function normalizeHeader(text: string): string {
  return normalizeLabel(text)
    .replace(/（(元|人民币元|￥|¥)）$/, '')
    .toUpperCase();
}

export interface ColumnMap {
  /** field → 0-based column index and the header text as it appears in the file */
  columns: Map<string, { index: number; header: string }>;
  missing: FieldSpec[];
  found: number;
}

function buildLookup(specs: readonly FieldSpec[]): Map<string, { spec: FieldSpec; priority: number }> {
  const m = new Map<string, { spec: FieldSpec; priority: number }>();
  for (const spec of specs) {
    m.set(normalizeHeader(spec.header), { spec, priority: 0 });
    spec.synonyms.forEach((s, i) => {
      const key = normalizeHeader(s);
      if (!m.has(key)) m.set(key, { spec, priority: i + 1 });
    });
  }
  return m;
}

const LOOKUPS = new WeakMap<readonly FieldSpec[], Map<string, { spec: FieldSpec; priority: number }>>();

export function matchHeader(labels: string[], specs: readonly FieldSpec[]): ColumnMap {
  let lookup = LOOKUPS.get(specs);
  if (!lookup) LOOKUPS.set(specs, (lookup = buildLookup(specs)));
  const best = new Map<string, { index: number; header: string; priority: number }>();
  labels.forEach((label, index) => {
    if (!label) return;
    const hit = lookup!.get(normalizeHeader(label));
    if (!hit) return;
    const prev = best.get(hit.spec.field);
    if (!prev || hit.priority < prev.priority)
      best.set(hit.spec.field, { index, header: label.trim(), priority: hit.priority });
  });
  const columns = new Map<string, { index: number; header: string }>();
  for (const [f, v] of best) columns.set(f, { index: v.index, header: v.header });
  const missing = specs.filter((s) => s.required && !columns.has(s.field));
  return { columns, missing, found: specs.filter((s) => s.required && columns.has(s.field)).length };
}

/**
 * Labels of a candidate header row. Where the row is empty under a vertically merged cell of a
 * two-level header, the label of the row above is used.
 */
export function headerLabels(cells: CellValue[], above: CellValue[] | null): string[] {
  const n = Math.max(cells.length, above?.length ?? 0);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const own = cellText(cells[i]);
    out.push(own || (above ? cellText(above[i]) : ''));
  }
  return out;
}

export function describeAccepted(spec: FieldSpec): string {
  return [spec.header, ...spec.synonyms].map((s) => `“${s}”`).join('、');
}
