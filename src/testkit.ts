// Small fixture builders for tests (changesets style): a claim line and a person with sensible defaults.
import { money, ZERO } from './domain/money.js';
import { checkCharacter, birthDateOf } from './domain/id-number.js';
import type { ClaimLine } from './domain/types.js';
import type { Category } from './domain/categories.js';
import type { Person, CategoryPeriod } from './roster/merge.js';

export function genId(region: string, birth: string, seq = '001'): string {
  const first17 = `${region}${birth.replace(/-/g, '')}${seq}`;
  return first17 + checkCharacter(first17);
}

type LineInput = Partial<
  Omit<
    ClaimLine,
    | 'totalCost'
    | 'inScopeCost'
    | 'basicPaid'
    | 'seriousIllnessPaid'
    | 'assistancePaid'
    | 'supplementaryPaid'
    | 'hospitalWaiver'
  >
> & {
  totalCost?: string;
  inScopeCost?: string | null;
  basicPaid?: string;
  seriousIllnessPaid?: string;
  assistancePaid?: string;
  supplementaryPaid?: string;
  hospitalWaiver?: string;
};

let rowNo = 0;
export function line(i: LineInput = {}): ClaimLine {
  const totalCost = money(i.totalCost ?? '1000.00');
  const parts = ['basicPaid', 'seriousIllnessPaid', 'assistancePaid', 'supplementaryPaid', 'hospitalWaiver'] as const;
  const m = Object.fromEntries(parts.map((p) => [p, i[p] !== undefined ? money(i[p]!) : ZERO])) as Record<
    (typeof parts)[number],
    ReturnType<typeof money>
  >;
  const priorPaid = parts.reduce((s, p) => s.plus(m[p]), ZERO);
  const settlementDate = i.settlementDate ?? '2024-06-10';
  return {
    source: 'test.xlsx',
    sheet: 'S',
    row: ++rowNo,
    claimId: `C${rowNo}`,
    lineNo: 1,
    idNumber: genId('320902', '1970-01-01'),
    name: '张三',
    hospital: '亭湖区人民医院',
    visitType: 'outpatient',
    admissionDate: settlementDate,
    dischargeDate: null,
    diagnosisCode: '',
    diagnosisName: '',
    itemName: '',
    referral: null,
    expertApproval: null,
    ...i,
    settlementDate,
    totalCost,
    inScopeCost: i.inScopeCost === null ? null : money(i.inScopeCost ?? totalCost.toString()),
    ...m,
    priorPaid,
    personalBurden: totalCost.minus(priorPaid),
  } as ClaimLine;
}

export function person(
  idNumber: string,
  periods: [Category, string, string | null][],
  fields: Partial<Person> = {},
): Person {
  return {
    idNumber,
    birthDate: birthDateOf(idNumber),
    name: '张三',
    region: '',
    householdPlace: '江苏省盐城市亭湖区',
    householdType: 'rural',
    insuranceType: 'resident',
    compliance: true,
    serviceUnit: '',
    registeredDisease: '',
    asSeverity: null,
    asBiologicQualified: null,
    chosenHospital: '',
    lastReview: null,
    firstDeductibleApplied: null,
    periods: periods.map(([category, validFrom, validTo]): CategoryPeriod => ({
      category,
      validFrom,
      validTo,
      source: 'roster.xlsx',
      row: 1,
    })),
    ...fields,
  };
}

export function people(...ps: Person[]): Map<string, Person> {
  return new Map(ps.map((p) => [p.idNumber, p]));
}
