// Header matching (SPEC §2): trim, remove all white space (full-width too) and line breaks, map synonyms.
import { normalizeLabel } from '../domain/text.js';
import type { CellValue } from './cell.js';
import { cellText } from '../domain/text.js';

export interface FieldSpec {
  field: string;
  header: string;
  synonyms: readonly string[];
  required: boolean;
}

export const CLAIM_FIELDS: readonly FieldSpec[] = [
  {
    field: 'claimId',
    header: '结算单号',
    synonyms: ['结算流水号', '就诊流水号', '单据号', '结算编号'],
    required: true,
  },
  { field: 'lineNo', header: '行号', synonyms: ['明细序号', '序号'], required: false },
  {
    field: 'idNumber',
    header: '身份证号',
    synonyms: ['身份证号码', '公民身份号码', '证件号码', '身份证'],
    required: true,
  },
  { field: 'name', header: '姓名', synonyms: ['患者姓名', '病人姓名'], required: true },
  {
    field: 'hospital',
    header: '医疗机构',
    synonyms: ['定点医院', '医疗机构名称', '医院名称', '就诊医院', '医院'],
    required: true,
  },
  { field: 'visitType', header: '就诊类型', synonyms: ['医疗类别', '就医类型'], required: true },
  { field: 'admissionDate', header: '入院日期', synonyms: ['就诊日期', '入院时间'], required: true },
  { field: 'dischargeDate', header: '出院日期', synonyms: ['出院时间'], required: false },
  { field: 'settlementDate', header: '结算日期', synonyms: ['费用结算日期', '结算时间'], required: true },
  {
    field: 'diagnosisCode',
    header: '诊断编码',
    synonyms: ['主要诊断编码', '疾病编码', 'ICD编码', 'ICD-10'],
    required: false,
  },
  { field: 'diagnosisName', header: '诊断名称', synonyms: ['主要诊断', '疾病名称', '出院诊断'], required: false },
  { field: 'itemName', header: '项目名称', synonyms: ['药品名称', '药品/耗材名称', '品名'], required: false },
  {
    field: 'totalCost',
    header: '医疗总费用',
    synonyms: ['总费用', '费用总额', '医疗费用总额', '金额'],
    required: true,
  },
  {
    field: 'inScopeCost',
    header: '政策范围内费用',
    synonyms: ['目录内费用', '医保范围内费用', '符合政策范围费用'],
    required: false,
  },
  {
    field: 'basicPaid',
    header: '基本医保支付',
    synonyms: ['统筹支付', '统筹基金支付', '基本医疗保险支付', '基本医保统筹支付'],
    required: false,
  },
  { field: 'seriousIllnessPaid', header: '大病保险支付', synonyms: ['大病保险', '大病保险赔付'], required: false },
  { field: 'assistancePaid', header: '医疗救助支付', synonyms: ['医疗救助', '民政救助'], required: false },
  {
    field: 'supplementaryPaid',
    header: '其他保障支付',
    synonyms: ['补充保险支付', '商业补充保险', '全民补充保险', '疾病应急救助', '慈善救助', '其他支付'],
    required: false,
  },
  { field: 'hospitalWaiver', header: '医院减免', synonyms: ['减免金额'], required: false },
  { field: 'personalBurden', header: '个人负担', synonyms: ['个人自付', '个人支付', '个人现金支付'], required: false },
  { field: 'referral', header: '转诊证明', synonyms: ['是否转诊'], required: false },
  { field: 'expertApproval', header: '专家评审', synonyms: ['专家评审意见'], required: false },
];

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
