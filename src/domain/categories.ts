// Canonical roster categories of SPEC §2.3.
import { normalizeLabel } from './text.js';

export const CATEGORIES = {
  tekun: { label: '特困人员', synonyms: ['特困供养人员', '特困', '农村五保', '五保户'] },
  dibao: { label: '低保对象', synonyms: ['城乡低保对象', '低保家庭成员', '城市低保', '农村低保', '低保'] },
  'dibao-edge': { label: '低保边缘家庭成员', synonyms: ['低保边缘', '低收入家庭成员', '低收入人口'] },
  'spending-hardship': { label: '支出型困难家庭成员', synonyms: ['支出型困难'] },
  tuopin: { label: '脱贫人口', synonyms: ['建档立卡脱贫人口', '建档立卡贫困人口', '原建档立卡低收入人口', '建档立卡'] },
  monitored: {
    label: '防止返贫监测对象',
    synonyms: ['监测对象', '易返贫致贫人口', '脱贫不稳定户', '边缘易致贫户', '突发严重困难户'],
  },
  'family-planning': { label: '计划生育特殊困难家庭成员', synonyms: ['计生特殊困难家庭'] },
  'orphan-scattered': { label: '散居孤儿', synonyms: [] },
  orphan: { label: '孤儿', synonyms: ['集中供养孤儿'] },
  'child-hardship-1': {
    label: '困境儿童（一类）',
    synonyms: ['父母监护缺失儿童', '父母无力履行监护职责儿童', '重残重病及流浪儿童', '事实无人抚养儿童'],
  },
  'child-hardship-2': { label: '困境儿童（二类）', synonyms: ['贫困家庭儿童', '其他需要帮助的儿童'] },
  'priority-veteran': { label: '重点优抚对象', synonyms: ['优抚对象'] },
  'severe-disability': { label: '重度残疾人', synonyms: ['享受生活补贴的重度残疾人'] },
  'downsized-worker': { label: '精减退职职工', synonyms: ['60年代精减退职职工'] },
  'hardship-worker': { label: '特困职工', synonyms: [] },
} as const;

export type Category = keyof typeof CATEGORIES;

const LOOKUP = new Map<string, Category>();
for (const [code, def] of Object.entries(CATEGORIES) as [Category, (typeof CATEGORIES)[Category]][]) {
  LOOKUP.set(normalizeLabel(def.label), code);
  LOOKUP.set(normalizeLabel(code), code);
  for (const s of def.synonyms) LOOKUP.set(normalizeLabel(s), code);
}

/** Label or synonym → category code; null when unknown. */
export function parseCategory(label: string): Category | null {
  return LOOKUP.get(normalizeLabel(label)) ?? null;
}

export function categoryLabel(c: Category): string {
  return CATEGORIES[c].label;
}

export type VisitType = 'inpatient' | 'outpatient' | 'outpatient-special';

const VISIT: Record<string, VisitType> = {
  住院: 'inpatient',
  普通住院: 'inpatient',
  门诊: 'outpatient',
  普通门诊: 'outpatient',
  门诊慢特病: 'outpatient-special',
  门诊大病: 'outpatient-special',
  门诊特殊病: 'outpatient-special',
  门诊慢性病: 'outpatient-special',
  门特: 'outpatient-special',
  门诊特殊疾病: 'outpatient-special',
  门诊慢特病种: 'outpatient-special',
};

export function parseVisitType(label: string): VisitType | null {
  return VISIT[normalizeLabel(label)] ?? null;
}

export const VISIT_LABEL: Record<VisitType, string> = {
  inpatient: '住院',
  outpatient: '门诊',
  'outpatient-special': '门诊慢特病',
};
/** roster values as the clerk's roster spells them (traces, explain) */
export const INSURANCE_LABEL: Record<string, string> = {
  employee: '职工医保',
  resident: '城乡居民医保',
  uninsured: '未参保',
};
export const SEVERITY_LABEL: Record<string, string> = { mild: '轻度', moderate: '中度', severe: '重度' };

/** 是/否 and their common spellings; null when empty or unknown. */
export function parseYesNo(label: string): boolean | null {
  const s = normalizeLabel(label).toLowerCase();
  if (['是', '有', '同意', 'y', 'yes', 'true', '1', '√', '✓', '已转诊', '已扣'].includes(s)) return true;
  if (['否', '无', '不同意', 'n', 'no', 'false', '0', '×', '未转诊', '未扣'].includes(s)) return false;
  return null;
}
