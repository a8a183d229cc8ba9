// What a claim line "is" for idempotency: every field the hospital sent except where it sat in the
// file (file name, sheet, row). The same line in another file or row is ALREADY_ADJUDICATED; any
// changed field makes it a CONFLICTING_RESUBMISSION.
import { createHash } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { fmt } from '../domain/money.js';
import type { ClaimLine } from '../domain/types.js';

/** The fields the hospital sent (everything but where the line sat in the file). */
export const CONTENT_FIELDS: readonly (keyof ClaimLine)[] = [
  'claimId',
  'lineNo',
  'hospital',
  'idNumber',
  'name',
  'visitType',
  'admissionDate',
  'dischargeDate',
  'settlementDate',
  'diagnosisCode',
  'diagnosisName',
  'itemName',
  'totalCost',
  'inScopeCost',
  'basicPaid',
  'seriousIllnessPaid',
  'assistancePaid',
  'supplementaryPaid',
  'hospitalWaiver',
  'priorPaid',
  'personalBurden',
  'referral',
  'expertApproval',
];

const LABELS: Record<string, string> = {
  source: '文件',
  sheet: '工作表',
  row: '行',
  claimId: '结算单号',
  lineNo: '行号',
  hospital: '医疗机构',
  idNumber: '身份证号',
  name: '姓名',
  visitType: '就诊类型',
  admissionDate: '入院日期',
  dischargeDate: '出院日期',
  settlementDate: '结算日期',
  diagnosisCode: '诊断编码',
  diagnosisName: '诊断名称',
  itemName: '项目名称',
  totalCost: '医疗总费用',
  inScopeCost: '政策范围内费用',
  basicPaid: '基本医保支付',
  seriousIllnessPaid: '大病保险支付',
  assistancePaid: '医疗救助支付',
  supplementaryPaid: '其他保障支付',
  hospitalWaiver: '医院减免',
  priorPaid: '已支付合计',
  personalBurden: '个人负担',
  referral: '转诊证明',
  expertApproval: '专家评审',
};
export function fieldLabel(field: string): string {
  return LABELS[field] ?? field;
}

type Plain = string | number | boolean | null;
function plain(v: unknown): Plain {
  if (v instanceof Decimal) return v.toFixed(2);
  if (v === undefined) return null;
  return v as Plain;
}

/** A line's values in RECORD_FIELDS order, as plain JSON values (what the external sort and the ledger's trace chunks store). */
export const RECORD_FIELDS: readonly (keyof ClaimLine)[] = ['source', 'sheet', 'row', ...CONTENT_FIELDS];

export interface EncodedLine {
  /** JSON.stringify(values) */
  text: string;
  values: Plain[];
}
// a line decoded from the external sort keeps the text and values it came from (they are what encodeLine gives)
const encoded = new WeakMap<ClaimLine, EncodedLine>();

/** Records that `line` was decoded from `text` (whose parsed values are `values`). */
export function rememberEncoded(line: ClaimLine, text: string, values: Plain[]): void {
  encoded.set(line, { text, values });
}

/** The line's values (RECORD_FIELDS order, money as "0.00", absent as null) and their JSON text. */
export function encodedLine(l: ClaimLine): EncodedLine {
  const known = encoded.get(l);
  if (known) return known;
  // spelled out in RECORD_FIELDS order (a loop over the names was a keyed read and an instanceof per field);
  // the tests compare it with lineRecord field by field
  const m = (v: Decimal | null | undefined): Plain => (v == null ? null : fmt(v));
  const values: Plain[] = [
    l.source ?? null,
    l.sheet ?? null,
    l.row ?? null,
    l.claimId ?? null,
    l.lineNo ?? null,
    l.hospital ?? null,
    l.idNumber ?? null,
    l.name ?? null,
    l.visitType ?? null,
    l.admissionDate ?? null,
    l.dischargeDate ?? null,
    l.settlementDate ?? null,
    l.diagnosisCode ?? null,
    l.diagnosisName ?? null,
    l.itemName ?? null,
    m(l.totalCost),
    m(l.inScopeCost),
    m(l.basicPaid),
    m(l.seriousIllnessPaid),
    m(l.assistancePaid),
    m(l.supplementaryPaid),
    m(l.hospitalWaiver),
    m(l.priorPaid),
    m(l.personalBurden),
    l.referral ?? null,
    l.expertApproval ?? null,
  ];
  return { text: JSON.stringify(values), values };
}

/** A line's values back as its record (what lineRecord gives). */
export function recordFromValues(values: Plain[]): Record<string, Plain> {
  return Object.fromEntries(RECORD_FIELDS.map((f, i) => [f, values[i] ?? null]));
}

/**
 * The line as plain JSON (money as "0.00" strings), with its place in the file: one literal in the order
 * source, sheet, row, CONTENT_FIELDS (assigning the fields in a loop made a dictionary-mode object).
 */
export function lineRecord(l: ClaimLine): Record<string, Plain> {
  return {
    source: l.source,
    sheet: l.sheet,
    row: l.row,
    claimId: plain(l.claimId),
    lineNo: plain(l.lineNo),
    hospital: plain(l.hospital),
    idNumber: plain(l.idNumber),
    name: plain(l.name),
    visitType: plain(l.visitType),
    admissionDate: plain(l.admissionDate),
    dischargeDate: plain(l.dischargeDate),
    settlementDate: plain(l.settlementDate),
    diagnosisCode: plain(l.diagnosisCode),
    diagnosisName: plain(l.diagnosisName),
    itemName: plain(l.itemName),
    totalCost: plain(l.totalCost),
    inScopeCost: plain(l.inScopeCost),
    basicPaid: plain(l.basicPaid),
    seriousIllnessPaid: plain(l.seriousIllnessPaid),
    assistancePaid: plain(l.assistancePaid),
    supplementaryPaid: plain(l.supplementaryPaid),
    hospitalWaiver: plain(l.hospitalWaiver),
    priorPaid: plain(l.priorPaid),
    personalBurden: plain(l.personalBurden),
    referral: plain(l.referral),
    expertApproval: plain(l.expertApproval),
  };
}
if (Object.keys(lineRecord({} as ClaimLine)).join() !== ['source', 'sheet', 'row', ...CONTENT_FIELDS].join())
  throw new Error('content: lineRecord does not match CONTENT_FIELDS');

export function lineContentHash(line: ClaimLine): string {
  return recordContentHash(lineRecord(line));
}

/** The same hash from a line's record (lineRecord), without formatting its amounts again. */
export function recordContentHash(rec: Record<string, Plain>): string {
  let text = '';
  for (const f of CONTENT_FIELDS) text += `${f}=${JSON.stringify(rec[f])}\n`;
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** The same hash from a line's values (encodedLine): the content fields follow source, sheet, row. */
export function valuesContentHash(values: Plain[]): string {
  let text = '';
  for (let i = 0; i < CONTENT_FIELDS.length; i++) text += `${CONTENT_FIELDS[i]}=${JSON.stringify(values[i + 3])}\n`;
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** Which fields differ between a stored record and a new line (for the CONFLICTING_RESUBMISSION trace). */
export function changedFields(before: Record<string, Plain>, line: ClaimLine): string[] {
  return CONTENT_FIELDS.filter((f) => JSON.stringify(before[f] ?? null) !== JSON.stringify(plain(line[f]))).map((f) =>
    fieldLabel(f),
  );
}
