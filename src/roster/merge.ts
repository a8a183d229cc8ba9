// Merges roster rows of all files by normalised ID into people with dated category periods.
import type { Category } from '../domain/categories.js';
import type { IsoDate } from '../domain/dates.js';
import { birthDateOf } from '../domain/id-number.js';
import type { RosterRow, RosterWarning } from '../domain/types.js';

export interface CategoryPeriod {
  category: Category;
  validFrom: IsoDate;
  validTo: IsoDate | null;
  source: string;
  row: number;
}

type PersonFields = Omit<RosterRow, 'source' | 'sheet' | 'row' | 'idNumber' | 'categories' | 'validFrom' | 'validTo'>;

export interface Person extends PersonFields {
  idNumber: string;
  birthDate: IsoDate;
  periods: CategoryPeriod[];
}

const PERSON_FIELDS = [
  'name',
  'region',
  'householdPlace',
  'householdType',
  'insuranceType',
  'compliance',
  'serviceUnit',
  'registeredDisease',
  'asSeverity',
  'asBiologicQualified',
  'chosenHospital',
  'lastReview',
  'firstDeductibleApplied',
] as const satisfies readonly (keyof PersonFields)[];

function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || v === '';
}

/** Person-level fields take the non-empty value of the row with the latest validFrom. */
export function mergeRoster(rows: RosterRow[]): { people: Map<string, Person>; warnings: RosterWarning[] } {
  const byId = new Map<string, RosterRow[]>();
  for (const r of rows) {
    const list = byId.get(r.idNumber);
    if (list) list.push(r);
    else byId.set(r.idNumber, [r]);
  }
  const people = new Map<string, Person>();
  const warnings: RosterWarning[] = [];
  for (const [id, list] of byId) {
    const latestFirst = [...list].sort((a, b) =>
      a.validFrom < b.validFrom ? 1 : a.validFrom > b.validFrom ? -1 : b.row - a.row,
    );
    const person = { idNumber: id, birthDate: birthDateOf(id), periods: [] } as unknown as Person;
    for (const f of PERSON_FIELDS) {
      const hit = latestFirst.find((r) => !isEmpty(r[f]));
      (person as unknown as Record<string, unknown>)[f] = hit
        ? hit[f]
        : f === 'name' ||
            f === 'region' ||
            f === 'householdPlace' ||
            f === 'serviceUnit' ||
            f === 'registeredDisease' ||
            f === 'chosenHospital'
          ? ''
          : null;
    }
    const names = [...new Set(list.map((r) => r.name).filter(Boolean))];
    if (names.length > 1) {
      const r = latestFirst[0]!;
      warnings.push({
        code: 'ROSTER_NAME_CONFLICT',
        source: r.source,
        sheet: r.sheet,
        row: r.row,
        idNumber: id,
        detail: `姓名不一致：${names.join('、')}（采用最新认定记录的“${person.name}”）`,
      });
    }
    for (const r of list)
      for (const c of r.categories)
        person.periods.push({ category: c, validFrom: r.validFrom, validTo: r.validTo, source: r.source, row: r.row });
    person.periods.sort((a, b) => (a.validFrom < b.validFrom ? -1 : a.validFrom > b.validFrom ? 1 : 0));
    people.set(id, person);
  }
  return { people, warnings };
}

/** Categories whose period contains the date (validTo inclusive; open when empty). */
export function categoriesAt(person: Person, date: IsoDate): Set<Category> {
  const out = new Set<Category>();
  for (const p of person.periods)
    if (p.validFrom <= date && (p.validTo === null || date <= p.validTo)) out.add(p.category);
  return out;
}
