// Raw cells → typed records, or a row error that lists every problem of the row.
import { parseMoney, ZERO, type Money } from '../domain/money.js';
import { parseDate, type IsoDate } from '../domain/dates.js';
import { parseIdNumber } from '../domain/id-number.js';
import { parseCategory, parseVisitType, parseYesNo, type Category, type VisitType } from '../domain/categories.js';
import { cellText, normalizeKey, normalizeLabel } from '../domain/text.js';
import type {
  ClaimLine,
  RosterRow,
  RowError,
  RowIssue,
  RosterWarning,
  InsuranceType,
  Severity,
} from '../domain/types.js';
import type { CellValue } from './cell.js';
import { isCellError } from './cell.js';
import type { ColumnMap } from './headers.js';

export interface RowContext {
  source: string;
  sheet: string;
  row: number;
  columns: ColumnMap['columns'];
  date1904?: boolean;
  hospitalAliases?: Map<string, string>;
}

class Cells {
  readonly issues: RowIssue[] = [];
  constructor(
    private readonly cells: CellValue[],
    private readonly ctx: RowContext,
  ) {}

  header(field: string): string {
    return this.ctx.columns.get(field)?.header ?? field;
  }
  has(field: string): boolean {
    return this.ctx.columns.has(field);
  }
  raw(field: string): CellValue {
    const col = this.ctx.columns.get(field);
    return col ? (this.cells[col.index] ?? null) : null;
  }
  text(field: string): string {
    const v = this.raw(field);
    return isCellError(v) ? '' : cellText(v);
  }
  isEmpty(field: string): boolean {
    const v = this.raw(field);
    return v === null || (typeof v === 'string' && v.trim() === '');
  }
  cellErrorDetail(field: string): string | null {
    const v = this.raw(field);
    return isCellError(v) ? `单元格为错误值 ${v.error}` : null;
  }
  requiredText(field: string): string {
    const err = this.cellErrorDetail(field);
    const t = this.text(field);
    if (err || !t)
      this.issues.push({
        code: 'MISSING_FIELD',
        column: this.header(field),
        detail: err ?? `“${this.header(field)}”为空`,
      });
    return t;
  }
  money(field: string, required: boolean): Money | null {
    if (!this.has(field)) return required ? this.missing(field) : null;
    const err = this.cellErrorDetail(field);
    if (err) {
      this.issues.push({ code: 'BAD_AMOUNT', column: this.header(field), detail: err });
      return null;
    }
    if (this.isEmpty(field)) return required ? this.missing(field) : null;
    const p = parseMoney(this.raw(field));
    if (!p.ok) {
      const why =
        p.code === 'NEGATIVE_AMOUNT'
          ? '为负数'
          : p.code === 'AMOUNT_OUT_OF_RANGE'
            ? '达到或超过 100 亿元，请核对金额（单位应为元）'
            : '不是有效金额（最多两位小数；千位分隔符须每三位一组，如 1,234.50）';
      this.issues.push({
        code: p.code,
        column: this.header(field),
        detail: `“${this.header(field)}”的值“${p.detail}”${why}`,
      });
      return null;
    }
    return p.value;
  }
  date(field: string, required: boolean): IsoDate | null {
    if (!this.has(field) || this.isEmpty(field)) return required ? this.missing(field) : null;
    const err = this.cellErrorDetail(field);
    const d = err ? null : parseDate(this.raw(field), this.ctx.date1904);
    if (!d)
      this.issues.push({
        code: 'BAD_DATE',
        column: this.header(field),
        detail: err ?? `“${this.header(field)}”的值“${cellText(this.raw(field))}”不是有效日期`,
      });
    return d;
  }
  /** The ID cell: empty → MISSING_FIELD, unparseable → INVALID_ID; `shown` is what an error row displays. */
  idNumber(): { id: string; birthDate: IsoDate | null; shown: string } {
    const raw = this.raw('idNumber');
    const text = isCellError(raw) ? '' : cellText(raw);
    if (raw === null || (typeof raw === 'string' && raw.trim() === '')) {
      this.issues.push({
        code: 'MISSING_FIELD',
        column: this.header('idNumber'),
        detail: `“${this.header('idNumber')}”为空`,
      });
      return { id: '', birthDate: null, shown: text };
    }
    const p = parseIdNumber(isCellError(raw) ? '' : raw);
    if (p.ok) return { id: p.info.id, birthDate: p.info.birthDate, shown: p.info.id };
    this.issues.push({ code: 'INVALID_ID', column: this.header('idNumber'), detail: p.detail });
    return { id: '', birthDate: null, shown: text };
  }
  yesNo(field: string): boolean | null {
    return this.isEmpty(field) ? null : parseYesNo(this.text(field));
  }
  private missing(field: string): null {
    this.issues.push({ code: 'MISSING_FIELD', column: this.header(field), detail: `“${this.header(field)}”为空` });
    return null;
  }
}

/** Where a row was read: its file, sheet and row number (every row error starts with these). */
const place = (ctx: RowContext) => ({ source: ctx.source, sheet: ctx.sheet, row: ctx.row });

export function normalizeHospital(name: string, aliases?: Map<string, string>): string {
  const n = normalizeKey(name);
  return aliases?.get(n) ?? n;
}

export type ClaimMapResult = { ok: true; line: ClaimLine } | { ok: false; error: RowError };

export function mapClaimRow(cells: CellValue[], ctx: RowContext): ClaimMapResult {
  const c = new Cells(cells, ctx);
  const claimId = normalizeKey(c.requiredText('claimId'));
  const lineNo = claimLineNo(c);
  const { id: idNumber, birthDate, shown: shownId } = c.idNumber();
  const name = c.requiredText('name').replace(/[\s\u3000]/g, '');
  const hospitalRaw = c.requiredText('hospital');
  const hospital = hospitalRaw ? normalizeHospital(hospitalRaw, ctx.hospitalAliases) : '';
  const visitType = claimVisitType(c);
  const admissionDate = c.date('admissionDate', true);
  const dischargeDate = c.date('dischargeDate', false);
  const settlementDate = c.date('settlementDate', true);
  const totalCost = c.money('totalCost', true);
  const inScopeCost = c.money('inScopeCost', false);
  const basicPaid = c.money('basicPaid', false) ?? ZERO;
  const seriousIllnessPaid = c.money('seriousIllnessPaid', false) ?? ZERO;
  const assistancePaid = c.money('assistancePaid', false) ?? ZERO;
  const supplementaryPaid = c.money('supplementaryPaid', false) ?? ZERO;
  const hospitalWaiver = c.money('hospitalWaiver', false) ?? ZERO;
  const others = [seriousIllnessPaid, assistancePaid, supplementaryPaid, hospitalWaiver];
  const priorPaid = others.reduce((a, b) => a.plus(b), basicPaid);
  const personalBurden = checkAmounts(c, totalCost, inScopeCost, priorPaid);
  checkDates(c, { birthDate, admissionDate, dischargeDate, settlementDate, visitType });
  if (c.issues.length > 0)
    return {
      ok: false,
      error: { ...place(ctx), issues: c.issues, idNumber: shownId, name, claimId, lineNo, hospital },
    };
  return {
    ok: true,
    line: {
      source: ctx.source,
      sheet: ctx.sheet,
      row: ctx.row,
      claimId,
      lineNo,
      idNumber,
      name,
      hospital,
      visitType: visitType!,
      admissionDate: admissionDate!,
      dischargeDate,
      settlementDate: settlementDate!,
      diagnosisCode: c.text('diagnosisCode').toUpperCase().replace(/\s/g, ''),
      diagnosisName: c.text('diagnosisName'),
      itemName: c.text('itemName'),
      totalCost: totalCost!,
      inScopeCost,
      basicPaid,
      seriousIllnessPaid,
      assistancePaid,
      supplementaryPaid,
      hospitalWaiver,
      priorPaid,
      personalBurden,
      referral: c.yesNo('referral'),
      expertApproval: c.yesNo('expertApproval'),
    },
  };
}

/** 行号: 1 when the file has no such column or leaves it empty; a whole number (Excel's 2.0 too), or an issue */
function claimLineNo(c: Cells): number {
  if (!c.has('lineNo') || c.isEmpty('lineNo')) return 1;
  const t = normalizeKey(c.text('lineNo'));
  if (/^\d+(\.0+)?$/.test(t)) return Number(t.split('.')[0]);
  c.issues.push({
    code: 'MISSING_FIELD',
    column: c.header('lineNo'),
    detail: `“${c.header('lineNo')}”的值“${t}”不是正整数`,
  });
  return 1;
}

function claimVisitType(c: Cells): VisitType | null {
  const visitText = c.requiredText('visitType');
  const visitType = visitText ? parseVisitType(visitText) : null;
  if (visitText && !visitType)
    c.issues.push({
      code: 'MISSING_FIELD',
      column: c.header('visitType'),
      detail: `无法识别的就诊类型“${visitText}”（应为 住院、门诊 或 门诊慢特病）`,
    });
  return visitType;
}

/**
 * The amounts against each other: the payments within the total, the stated 个人负担 equal to total − payments,
 * 政策范围内费用 within the total. Returns 个人负担 as computed (zero without a total).
 */
function checkAmounts(c: Cells, totalCost: Money | null, inScopeCost: Money | null, priorPaid: Money): Money {
  const statedBurden = c.money('personalBurden', false);
  let personalBurden = ZERO;
  if (totalCost) {
    personalBurden = totalCost.minus(priorPaid);
    if (personalBurden.isNegative())
      c.issues.push({
        code: 'PAYMENTS_EXCEED_COST',
        column: c.header('totalCost'),
        detail: `各项支付合计 ${priorPaid.toFixed(2)} 超过医疗总费用 ${totalCost.toFixed(2)}`,
      });
    else if (statedBurden && !statedBurden.equals(personalBurden))
      c.issues.push({
        code: 'BURDEN_MISMATCH',
        column: c.header('personalBurden'),
        detail: `个人负担 ${statedBurden.toFixed(2)} ≠ 总费用－各项支付 ${personalBurden.toFixed(2)}`,
      });
  }
  if (totalCost && inScopeCost && inScopeCost.greaterThan(totalCost))
    c.issues.push({
      code: 'IN_SCOPE_EXCEEDS_COST',
      column: c.header('inScopeCost'),
      detail: `政策范围内费用 ${inScopeCost.toFixed(2)} 超过医疗总费用 ${totalCost.toFixed(2)}`,
    });
  return personalBurden;
}

/** The dates in order: discharge and settlement not before admission, birth (from the ID) not after the service. */
function checkDates(
  c: Cells,
  d: {
    birthDate: IsoDate | null;
    admissionDate: IsoDate | null;
    dischargeDate: IsoDate | null;
    settlementDate: IsoDate | null;
    visitType: VisitType | null;
  },
): void {
  const { birthDate, admissionDate, dischargeDate, settlementDate, visitType } = d;
  if (admissionDate && dischargeDate && dischargeDate < admissionDate)
    c.issues.push({
      code: 'DATE_ORDER',
      column: c.header('dischargeDate'),
      detail: `出院日期 ${dischargeDate} 早于入院日期 ${admissionDate}`,
    });
  if (admissionDate && settlementDate && settlementDate < admissionDate)
    c.issues.push({
      code: 'DATE_ORDER',
      column: c.header('settlementDate'),
      detail: `结算日期 ${settlementDate} 早于入院日期 ${admissionDate}`,
    });
  if (birthDate && admissionDate && settlementDate && visitType) {
    const serviceDate = visitType === 'inpatient' ? admissionDate : settlementDate;
    if (birthDate > serviceDate)
      c.issues.push({
        code: 'INVALID_ID',
        column: c.header('idNumber'),
        detail: `身份证号中的出生日期 ${birthDate} 晚于就诊日期 ${serviceDate}`,
      });
  }
}

function parseInsurance(t: string): InsuranceType | null {
  const s = normalizeLabel(t);
  if (!s) return null;
  if (s.includes('未参保') || s === '无' || s === '否') return 'uninsured';
  if (s.includes('职工')) return 'employee';
  if (s.includes('居民') || s.includes('新农合') || s.includes('城乡')) return 'resident';
  return null;
}

function parseSeverity(t: string): Severity | null {
  const s = normalizeLabel(t);
  if (s.startsWith('重')) return 'severe';
  if (s.startsWith('中')) return 'moderate';
  if (s.startsWith('轻')) return 'mild';
  return null;
}

function parseHouseholdType(t: string): 'rural' | 'urban' | null {
  const s = normalizeLabel(t);
  if (!s) return null;
  if (s.includes('农')) return 'rural';
  if (s.includes('城') || s.includes('非农')) return 'urban';
  return null;
}

export type RosterMapResult =
  | { ok: true; row: RosterRow; warnings: RosterWarning[] }
  | { ok: false; error: RowError }
  | { ok: 'ignored'; warnings: RosterWarning[] };

export function mapRosterRow(cells: CellValue[], ctx: RowContext): RosterMapResult {
  const c = new Cells(cells, ctx);
  const { id: idNumber, shown: shownId } = c.idNumber();
  const name = c.requiredText('name').replace(/[\s\u3000]/g, '');
  const categoryText = c.requiredText('category');
  const validFrom = c.date('validFrom', true);
  const validTo = c.date('validTo', false);
  if (validFrom && validTo && validTo < validFrom)
    c.issues.push({
      code: 'DATE_ORDER',
      column: c.header('validTo'),
      detail: `退出日期 ${validTo} 早于认定日期 ${validFrom}`,
    });
  const lastReview = c.date('lastReview', false);
  const base = place(ctx);
  if (c.issues.length > 0) {
    return {
      ok: false,
      error: { ...base, issues: c.issues, idNumber: shownId, name, claimId: '', lineNo: null, hospital: '' },
    };
  }
  const categories: Category[] = [];
  const warnings: RosterWarning[] = [];
  for (const label of categoryText.split(/[、，,;；/|]+/)) {
    if (!label.trim()) continue;
    const cat = parseCategory(label);
    if (cat) {
      if (!categories.includes(cat)) categories.push(cat);
    } else
      warnings.push({ ...base, code: 'UNKNOWN_CATEGORY', idNumber, detail: `无法识别的人员类别“${label.trim()}”` });
  }
  if (categories.length === 0) return { ok: 'ignored', warnings };
  return {
    ok: true,
    warnings,
    // the fields spelled out: a literal that starts with a spread and adds twenty properties was built in
    // V8's dictionary mode (~10 µs a row, and as much again in GC, on a million-person roster)
    row: {
      source: ctx.source,
      sheet: ctx.sheet,
      row: ctx.row,
      idNumber,
      name,
      categories,
      validFrom: validFrom!,
      validTo,
      region: c.text('region'),
      householdPlace: c.text('householdPlace'),
      householdType: parseHouseholdType(c.text('householdType')),
      insuranceType: parseInsurance(c.text('insuranceType')),
      compliance: c.yesNo('compliance'),
      serviceUnit: c.text('serviceUnit'),
      registeredDisease: c.text('registeredDisease'),
      asSeverity: parseSeverity(c.text('asSeverity')),
      asBiologicQualified: c.yesNo('asBiologicQualified'),
      chosenHospital: c.text('chosenHospital') ? normalizeHospital(c.text('chosenHospital'), ctx.hospitalAliases) : '',
      lastReview,
      firstDeductibleApplied: c.yesNo('firstDeductibleApplied'),
    },
  };
}

/** An opening-balance row as read; the policy, year and item are resolved against the policies by the ledger. */
export interface OpeningInput {
  source: string;
  sheet: string;
  row: number;
  idNumber: string;
  name: string;
  policy: string;
  year: string;
  key: string;
  base: Money;
  paid: Money;
  entitled: Money | null;
  firstDate: IsoDate | null;
  /** header names, for error messages */
  columns: { policy: string; year: string; key: string };
}

export type OpeningMapResult = { ok: true; row: OpeningInput } | { ok: false; error: RowError };

export function mapOpeningRow(cells: CellValue[], ctx: RowContext): OpeningMapResult {
  const c = new Cells(cells, ctx);
  const { id: idNumber, shown } = c.idNumber();
  const name = c.text('name').replace(/[\s\u3000]/g, '');
  const policy = c.requiredText('policy');
  const year = c.text('year');
  const key = c.requiredText('key');
  const base = c.money('base', false) ?? ZERO;
  const paid = c.money('paid', false) ?? ZERO;
  const entitled = c.money('entitled', false);
  const firstDate = c.date('firstDate', false);
  const where = place(ctx);
  if (c.issues.length > 0)
    return {
      ok: false,
      error: { ...where, issues: c.issues, idNumber: shown, name, claimId: '', lineNo: null, hospital: '' },
    };
  return {
    ok: true,
    row: {
      ...where,
      idNumber,
      name,
      policy,
      year,
      key,
      base,
      paid,
      entitled,
      firstDate,
      columns: { policy: c.header('policy'), year: c.header('year'), key: c.header('key') },
    },
  };
}

/** A payment statement row (assist reconcile): amounts may be negative (the payer's own 冲正). */
export interface StatementRow {
  source: string;
  sheet: string;
  row: number;
  claimId: string;
  hospital: string;
  lineNo: number | null;
  amount: Money;
  name: string;
  idNumber: string;
  /** keyed by 收款单位 (the statement is the tool's own disbursement list) rather than 医疗机构 */
  byPayee: boolean;
}

export type StatementMapResult = { ok: true; row: StatementRow } | { ok: false; error: RowError } | { ok: 'ignored' };

export function mapStatementRow(cells: CellValue[], ctx: RowContext): StatementMapResult {
  const c = new Cells(cells, ctx);
  // the disbursement list's own 小计/合计 rows ("3 笔") and its footer lines (大写, 政策依据, signatures) are not payments
  const idText = c.text('claimId');
  if (/^\d+\s*笔$/.test(idText) || (!idText && c.isEmpty('amount'))) return { ok: 'ignored' };
  const claimId = normalizeKey(c.requiredText('claimId'));
  const byPayee = !c.has('hospital') && c.has('payee');
  const hospitalText = c.requiredText(byPayee ? 'payee' : 'hospital');
  const lineNo = statementLineNo(c);
  const amount = statementAmount(c);
  const where = place(ctx);
  const name = c.text('name');
  const idNumber = c.text('idNumber');
  if (c.issues.length > 0 || amount === null)
    return {
      ok: false,
      error: { ...where, issues: c.issues, idNumber, name, claimId, lineNo, hospital: hospitalText },
    };
  return {
    ok: true,
    row: {
      ...where,
      claimId,
      hospital: byPayee ? normalizeKey(hospitalText) : normalizeHospital(hospitalText, ctx.hospitalAliases),
      lineNo,
      amount,
      name,
      idNumber,
      byPayee,
    },
  };
}

/** 行号, when the statement has that column: a whole number, or an issue */
function statementLineNo(c: Cells): number | null {
  if (!c.has('lineNo') || c.isEmpty('lineNo')) return null;
  const t = normalizeKey(c.text('lineNo'));
  if (/^\d+$/.test(t)) return Number(t);
  c.issues.push({
    code: 'MISSING_FIELD',
    column: c.header('lineNo'),
    detail: `“${c.header('lineNo')}”的值“${t}”不是行号`,
  });
  return null;
}

/** The amount paid; a statement may carry a negative one (a reversal), read as its magnitude and negated. */
function statementAmount(c: Cells): Money | null {
  const raw = c.raw('amount');
  const text = typeof raw === 'string' ? raw.trim() : null;
  const negative = text !== null ? /^[-－−]/.test(text) : typeof raw === 'number' && raw < 0;
  if (!negative) return c.money('amount', true);
  const p = parseMoney(text !== null ? text.slice(1) : -(raw as number));
  if (p.ok) return p.value.negated();
  const detail = `“${c.header('amount')}”的值“${text ?? String(raw)}”不是有效金额`;
  c.issues.push({ code: 'BAD_AMOUNT', column: c.header('amount'), detail });
  return null;
}
