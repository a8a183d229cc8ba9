import type { Money } from './money.js';
import type { IsoDate } from './dates.js';
import type { Category, VisitType } from './categories.js';
import type { ReasonCode, RosterWarningCode } from './reasons.js';

/** One claim line (SPEC §2.2): a settlement, or one item of it. Money fields are decimals. */
export interface ClaimLine {
  source: string;
  sheet: string;
  row: number;
  claimId: string;
  lineNo: number;
  idNumber: string;
  name: string;
  hospital: string;
  visitType: VisitType;
  admissionDate: IsoDate;
  dischargeDate: IsoDate | null;
  settlementDate: IsoDate;
  diagnosisCode: string;
  diagnosisName: string;
  itemName: string;
  totalCost: Money;
  inScopeCost: Money | null;
  basicPaid: Money;
  seriousIllnessPaid: Money;
  assistancePaid: Money;
  supplementaryPaid: Money;
  hospitalWaiver: Money;
  priorPaid: Money;
  personalBurden: Money;
  referral: boolean | null;
  expertApproval: boolean | null;
}

export type InsuranceType = 'employee' | 'resident' | 'uninsured';
export type Severity = 'mild' | 'moderate' | 'severe';

/** One status period of one person (SPEC §2.3). A row with several category labels gives several. */
export interface RosterRow {
  source: string;
  sheet: string;
  row: number;
  idNumber: string;
  name: string;
  categories: Category[];
  validFrom: IsoDate;
  validTo: IsoDate | null;
  region: string;
  householdPlace: string;
  householdType: 'rural' | 'urban' | null;
  insuranceType: InsuranceType | null;
  compliance: boolean | null;
  serviceUnit: string;
  registeredDisease: string;
  asSeverity: Severity | null;
  asBiologicQualified: boolean | null;
  chosenHospital: string;
  lastReview: IsoDate | null;
  firstDeductibleApplied: boolean | null;
}

export interface RowIssue {
  code: ReasonCode;
  /** the column header as it appears in the file */
  column?: string;
  detail?: string;
}

/** A row that never becomes a record: file, sheet, row number, and every reason. */
export interface RowError {
  source: string;
  sheet: string;
  row: number;
  issues: RowIssue[];
  idNumber: string;
  name: string;
  claimId: string;
  lineNo: number | null;
  hospital: string;
}

export interface RosterWarning {
  code: RosterWarningCode;
  source: string;
  sheet: string;
  row: number;
  idNumber: string;
  detail: string;
}
