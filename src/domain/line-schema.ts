// The claim line, described once (SPEC §2.1): each field's name, its label for people, the column headers a
// hospital's file may use, its kind, and whether it is part of what the line "is" for idempotency (the
// content hash, SPEC §5). Header detection, the line as the external sort and the ledger's trace chunks
// store it, its plain record and its content hash are all made from this list.
//
// Two rules keep old ledgers readable:
// - the order is the order of a stored line's values (trace chunks hold them by position): append, never
//   reorder or remove;
// - a field added to the content hash gets the next `hashedSince` version. A stored line keeps the version it
//   was hashed with, and a new line is compared at that version, so the new field never makes old lines look
//   changed (CONFLICTING_RESUBMISSION).
import type { ClaimLine } from './types.js';

export type LineFieldKind =
  | 'text' // a string as read (normalised by the reader)
  | 'int'
  | 'date' // IsoDate
  | 'dateOrNull'
  | 'money' // Money; a stored null reads back as 0
  | 'moneyOrNull'
  | 'yesNo' // boolean | null
  | 'visitType';

export interface LineHeader {
  synonyms: readonly string[];
  required: boolean;
}

export interface LineField {
  field: keyof ClaimLine;
  /** the column header the tool writes and reads first; also the field's name in messages */
  label: string;
  kind: LineFieldKind;
  /** read from a column of the hospital's file (absent: made by the tool — where the line sat, or derived) */
  header?: LineHeader;
  /** the content-hash version that first includes the field; null: not part of the line's content */
  hashedSince: number | null;
}

const CLAIM_ID_SYNONYMS = ['结算流水号', '就诊流水号', '单据号', '结算编号'];
const ID_NUMBER_SYNONYMS = ['身份证号码', '公民身份号码', '证件号码', '身份证'];
const HOSPITAL_SYNONYMS = ['定点医院', '医疗机构名称', '医院名称', '就诊医院', '医院'];

const required = (synonyms: readonly string[]): LineHeader => ({ synonyms, required: true });
const optional = (synonyms: readonly string[]): LineHeader => ({ synonyms, required: false });

export const LINE_SCHEMA: readonly LineField[] = [
  { field: 'source', label: '文件', kind: 'text', hashedSince: null },
  { field: 'sheet', label: '工作表', kind: 'text', hashedSince: null },
  { field: 'row', label: '行', kind: 'int', hashedSince: null },
  { field: 'claimId', label: '结算单号', kind: 'text', header: required(CLAIM_ID_SYNONYMS), hashedSince: 1 },
  { field: 'lineNo', label: '行号', kind: 'int', header: optional(['明细序号', '序号']), hashedSince: 1 },
  { field: 'hospital', label: '医疗机构', kind: 'text', header: required(HOSPITAL_SYNONYMS), hashedSince: 1 },
  { field: 'idNumber', label: '身份证号', kind: 'text', header: required(ID_NUMBER_SYNONYMS), hashedSince: 1 },
  { field: 'name', label: '姓名', kind: 'text', header: required(['患者姓名', '病人姓名']), hashedSince: 1 },
  {
    field: 'visitType',
    label: '就诊类型',
    kind: 'visitType',
    header: required(['医疗类别', '就医类型']),
    hashedSince: 1,
  },
  {
    field: 'admissionDate',
    label: '入院日期',
    kind: 'date',
    header: required(['就诊日期', '入院时间']),
    hashedSince: 1,
  },
  { field: 'dischargeDate', label: '出院日期', kind: 'dateOrNull', header: optional(['出院时间']), hashedSince: 1 },
  {
    field: 'settlementDate',
    label: '结算日期',
    kind: 'date',
    header: required(['费用结算日期', '结算时间']),
    hashedSince: 1,
  },
  {
    field: 'diagnosisCode',
    label: '诊断编码',
    kind: 'text',
    header: optional(['主要诊断编码', '疾病编码', 'ICD编码', 'ICD-10']),
    hashedSince: 1,
  },
  {
    field: 'diagnosisName',
    label: '诊断名称',
    kind: 'text',
    header: optional(['主要诊断', '疾病名称', '出院诊断']),
    hashedSince: 1,
  },
  {
    field: 'itemName',
    label: '项目名称',
    kind: 'text',
    header: optional(['药品名称', '药品/耗材名称', '品名']),
    hashedSince: 1,
  },
  {
    field: 'totalCost',
    label: '医疗总费用',
    kind: 'money',
    header: required(['总费用', '费用总额', '医疗费用总额', '金额']),
    hashedSince: 1,
  },
  {
    field: 'inScopeCost',
    label: '政策范围内费用',
    kind: 'moneyOrNull',
    header: optional(['目录内费用', '医保范围内费用', '符合政策范围费用']),
    hashedSince: 1,
  },
  {
    field: 'basicPaid',
    label: '基本医保支付',
    kind: 'money',
    header: optional(['统筹支付', '统筹基金支付', '基本医疗保险支付', '基本医保统筹支付']),
    hashedSince: 1,
  },
  {
    field: 'seriousIllnessPaid',
    label: '大病保险支付',
    kind: 'money',
    header: optional(['大病保险', '大病保险赔付']),
    hashedSince: 1,
  },
  {
    field: 'assistancePaid',
    label: '医疗救助支付',
    kind: 'money',
    header: optional(['医疗救助', '民政救助']),
    hashedSince: 1,
  },
  {
    field: 'supplementaryPaid',
    label: '其他保障支付',
    kind: 'money',
    header: optional(['补充保险支付', '商业补充保险', '全民补充保险', '疾病应急救助', '慈善救助', '其他支付']),
    hashedSince: 1,
  },
  { field: 'hospitalWaiver', label: '医院减免', kind: 'money', header: optional(['减免金额']), hashedSince: 1 },
  // the sum of the five payments above (SPEC §2.1), made by the reader
  { field: 'priorPaid', label: '已支付合计', kind: 'money', hashedSince: 1 },
  {
    field: 'personalBurden',
    label: '个人负担',
    kind: 'money',
    header: optional(['个人自付', '个人支付', '个人现金支付']),
    hashedSince: 1,
  },
  { field: 'referral', label: '转诊证明', kind: 'yesNo', header: optional(['是否转诊']), hashedSince: 1 },
  { field: 'expertApproval', label: '专家评审', kind: 'yesNo', header: optional(['专家评审意见']), hashedSince: 1 },
];

/** The version new lines are hashed with: the highest `hashedSince`. */
export const CONTENT_HASH_VERSION = Math.max(...LINE_SCHEMA.map((f) => f.hashedSince ?? 0));

const BY_FIELD = new Map<string, LineField>(LINE_SCHEMA.map((f) => [f.field, f]));

/** The field's label for people ("结算单号"); unknown names are returned as they are. */
export function lineFieldLabel(field: string): string {
  return BY_FIELD.get(field)?.label ?? field;
}

/** The fields a content hash of `version` covers, in schema order. */
export function contentFields(version: number, schema: readonly LineField[] = LINE_SCHEMA): LineField[] {
  return schema.filter((f) => f.hashedSince !== null && f.hashedSince <= version);
}
