// 盐城市亭湖区健康救助工作实施方案（试行）
import { D, fmt, maxMoney, minMoney, roundFen, ZERO, type Money } from '../../domain/money.js';
import { addMonths, ageAt, endOfMonth, yearLabel, type IsoDate } from '../../domain/dates.js';
import { categoryLabel } from '../../domain/categories.js';
import type { ReasonCode } from '../../domain/reasons.js';
import { Params, applyOverrides, loadJson, type ParameterFile } from '../params.js';
import * as k from '../param-kinds.js';
import { capToBorne, diagnosisMatches, type DiseaseMatcher } from '../common.js';
import type { Person } from '../../roster/merge.js';
import { birthDateOf } from '../../domain/id-number.js';
import type {
  AccumulatorChange,
  AccumulatorVocabulary,
  Policy,
  PolicyDecision,
  TraceStep,
} from '../../engine/types.js';
import { normalizeLabel } from '../../domain/text.js';
import { thReports } from './reports.js';
import { Steps, renderStep, x } from '../../engine/steps.js';

const DOC = '亭湖区健康救助实施方案';
export const ID = 'th-2021';
export const FUND = { id: 'th-2021.district', name: '区健康救助资金' };
export type DiseaseCategory = 'A' | 'B' | 'C';
/** a person and the class (一类/二类) they are adjudicated in */
type Who = { person: Person; cls: 1 | 2 };
const CATEGORY_LABEL: Record<DiseaseCategory, string> = {
  A: '一般疾病、慢性病',
  B: '30类重大疾病和省市暂无规范救助政策的罕见病特殊病',
  C: '经省市规范救助政策的罕见病',
};

interface NamedDisease extends DiseaseMatcher {
  name: string;
  /** 儿童白血病 etc.: B only up to this age (周岁) on the service date */
  maxAge?: number;
}

function loadDiseaseList(value: unknown): NamedDisease[] {
  if (typeof value === 'string')
    return loadJson<{ diseases: NamedDisease[] }>(new URL(`./${value}`, import.meta.url)).diseases;
  if (Array.isArray(value)) return value as NamedDisease[];
  return [];
}

/** Identity coverage of one roster period: from validFrom − 12 months to the end of the month of the end. */
export function coverageOf(
  p: { validFrom: IsoDate; validTo: IsoDate | null },
  retroMonths: number,
  identityMonths: number,
): { from: IsoDate; to: IsoDate } {
  const end = p.validTo ?? addMonths(p.validFrom, identityMonths);
  return { from: addMonths(p.validFrom, -retroMonths), to: endOfMonth(end) };
}

/** 困境儿童（二类） already names its class; other labels get it appended */
function classed(label: string, pc: 1 | 2): string {
  return /类）$/.test(label) ? label : `${label}（${pc === 1 ? '一' : '二'}类）`;
}

const CATS = ['A', 'B', 'C'] as const;
const CLASSES = ['1', '2'] as const;
/** params.json, typed (issue 19 §2): checked when the policy loads */
export const SCHEMA = {
  inForceFrom: k.date,
  trialEnd: k.dateOrNone,
  class1Categories: k.categories,
  class2Categories: k.categories,
  householdKeyword: k.text,
  retroactiveMonths: k.count,
  identityMonths: k.count,
  deductible: k.table(k.table(k.money, CLASSES), CATS),
  ratio: k.table(k.ratio, CATS),
  annualCap: k.table(k.money, CATS),
  nonComplianceFactor: k.ratio,
  majorDiseases: k.raw,
  rareWithoutProvincialPolicy: k.matcher,
  rareWithProvincialPolicy: k.matcher,
  serviceSubsidyPerPerson: k.money,
};

/** The accumulator the deductible is counted in: B's first deductible across years, A and C by year. */
export function deductibleCounter(cat: DiseaseCategory, year: number): { year: number; key: string } {
  return cat === 'B' ? { year: 0, key: 'B-deductible' } : { year, key: cat };
}

/**
 * The accumulators: one per disease category and year (A, B, C), and B's first deductible (首次起付线) counted per
 * person across years (key B-deductible, year 0). README「期初余额」lists the spellings an opening balance may use.
 */
const VOCABULARY: AccumulatorVocabulary = {
  openingKey(label) {
    const n = normalizeLabel(label).toUpperCase();
    for (const cat of CATS) if (n === cat || n === `${cat}类`) return { ok: true, key: cat, yearless: false };
    if (/^(B-DEDUCTIBLE|B类起付线|B类起付线累计|首次起付线)$/.test(n))
      return { ok: true, key: 'B-deductible', yearless: true };
    return { ok: false, detail: `亭湖区健康救助的累计项目应为 A类、B类、C类 或 B类起付线，而不是“${label}”` };
  },
  label: (key, year) => `${yearLabel(year)} ${key === 'B-deductible' ? 'B类首次起付线累计' : `${key} 类`}`,
  openingEntitledIsPaid: true,
  openingHelp: { keys: 'A类、B类、C类、B类起付线', base: '累计救助基数 E' },
};

type PolicyDecisionInput = Parameters<Policy['decide']>[0];
type P = ReturnType<Params<typeof SCHEMA>['at']>;

/** What one policy instance keeps between lines: its parsed disease lists, and the run-level notices it raised. */
interface PolicyState {
  diseases: (v: unknown) => NamedDisease[];
  notices: Set<string>;
}

function classify(
  th: PolicyState,
  line: PolicyDecisionInput['line'],
  P: P,
  date: IsoDate,
): { cat: DiseaseCategory; disease: string } {
  if (diagnosisMatches(line, P.rareWithProvincialPolicy)) return { cat: 'C', disease: '经省市规范救助政策的罕见病' };
  // the national 30 diseases include three for children (0–14 周岁): an adult's leukaemia is category A
  const age = ageAt(birthDateOf(line.idNumber), date);
  const major = th
    .diseases(P.majorDiseases)
    .find((d) => diagnosisMatches(line, d) && (d.maxAge === undefined || age <= d.maxAge));
  if (major) return { cat: 'B', disease: major.name };
  if (diagnosisMatches(line, P.rareWithoutProvincialPolicy))
    return { cat: 'B', disease: '省市暂无规范救助政策的罕见病特殊病' };
  return { cat: 'A', disease: '一般疾病、慢性病' };
}

/** 救助对象身份's clause: who is covered, from when, until when */
const IDENTITY_CLAUSE = `${DOC} 二、覆盖范围；三、（一）2.“从申请认定的前12个月起……次月起不再享受……当次住院仍按原救助对象类别享受”`;
const identityStep = (inputs: Record<string, string>, result: string) =>
  renderStep({ step: '救助对象身份', clause: IDENTITY_CLAUSE, inputs, result });

/** Each Tinghu period as the trace shows it, and the highest class whose coverage holds the date (就高). */
function classOn(periods: Person['periods'], P: P, date: IsoDate): { cls: 1 | 2 | null; described: string[] } {
  const { class1Categories: c1, retroactiveMonths: retro, identityMonths: months } = P;
  const described: string[] = [];
  let cls: 1 | 2 | null = null;
  for (const p of periods) {
    const cov = coverageOf(p, retro, months);
    const pc = c1.includes(p.category) ? 1 : 2;
    described.push(
      `${classed(categoryLabel(p.category), pc)}认定 ${p.validFrom}${p.validTo ? ` 退出 ${p.validTo}` : ''} → 享受 ${cov.from}～${cov.to}`,
    );
    if (cov.from <= date && date <= cov.to) cls = cls === 1 || pc === 1 ? 1 : 2;
  }
  return { cls, described };
}

/** The highest class among Tinghu periods covering the date (就高), or why none does. */
function identity(
  person: Person,
  P: P,
  date: IsoDate,
): { cls: 1 | 2 | null; reason: ReasonCode | null; step: TraceStep } {
  const periods = person.periods.filter(
    (p) => P.class1Categories.includes(p.category) || P.class2Categories.includes(p.category),
  );
  if (periods.length === 0) {
    const listed = [...new Set(person.periods.map((p) => categoryLabel(p.category)))].join('、');
    const step = identityStep({ 名单类别: listed }, '不属于亭湖区一类或二类人群');
    return { cls: null, reason: 'CATEGORY_NOT_COVERED', step };
  }
  const { cls, described } = classOn(periods, P, date);
  const inputs = { 就诊日期: date, 身份期间: described.join('；') };
  if (cls === null)
    return { cls, reason: 'NOT_ELIGIBLE_ON_DATE', step: identityStep(inputs, '就诊日期不在救助身份享受期内') };
  const found = `${cls === 1 ? '一类' : '二类'}人群（同时符合多个条件的就高享受）`;
  return { cls, reason: null, step: identityStep(inputs, found) };
}

/** 政策执行期: from the start date; a configured trial end that has passed is a notice, not a refusal */
function inForceStep(th: PolicyState, s: Steps, P: P, date: IsoDate): ReasonCode[] {
  const { inForceFrom: from, trialEnd } = P;
  const ok = date >= from;
  const late = trialEnd !== null && date > trialEnd;
  s.note({
    step: '政策执行期',
    clause: `${DOC}“自发布之日起试行，试行期两年”`,
    inputs: { 就诊日期: date, 开始日期: from, 试行期截止: trialEnd },
    result: ok ? (late ? '已过配置的试行期截止日期（仅提示，照常计算）' : '在执行期内') : '早于执行开始日期',
  });
  if (late)
    th.notices.add(
      `亭湖区健康救助：配置的试行期截止日期 ${trialEnd} 已过，本次仍照常计算；如方案已延期或正式实施，请更新参数 th-2021.trialEnd。`,
    );
  return ok ? [] : ['POLICY_NOT_IN_FORCE'];
}

function notInRoster(s: Steps): ReasonCode[] {
  s.note({ step: '救助对象身份', clause: `${DOC} 二、覆盖范围`, result: '身份证号不在任何救助对象名单中' });
  return [];
}

/** 救助对象身份, 户籍, and the 政策范围内费用 the base needs */
function eligibility(
  s: Steps,
  P: P,
  { line, serviceDate }: PolicyDecisionInput,
  person: Person,
): { reasons: ReasonCode[]; cls: 1 | 2 | null } {
  const id = identity(person, P, serviceDate);
  s.trace.push(id.step);
  const reasons: ReasonCode[] = id.reason ? [id.reason] : [];
  reasons.push(...householdStep(s, P, person), ...inScopeStep(s, line));
  return { reasons, cls: id.cls };
}

/** 户籍: the roster's household place must name the district */
function householdStep(s: Steps, P: P, person: Person): ReasonCode[] {
  const clause = `${DOC} 三、（一）2.“具有我区户籍”`;
  if (!person.householdPlace) {
    s.note({ step: '户籍', clause, result: '名单缺少户籍地，无法判断，挂起' });
    return ['MISSING_FIELD'];
  }
  if (person.householdPlace.includes(P.householdKeyword)) return [];
  s.note({
    step: '户籍',
    clause,
    inputs: { 户籍地: person.householdPlace },
    result: `户籍地不含“${P.householdKeyword}”，非本区户籍`,
  });
  return ['NOT_LOCAL_HOUSEHOLD'];
}

/** 医保目录范围内费用: the base cannot be computed without it */
function inScopeStep(s: Steps, line: PolicyDecisionInput['line']): ReasonCode[] {
  if (line.inScopeCost) return [];
  s.note({
    step: '医保目录范围内费用',
    clause: `${DOC} 三、（一）2.“医保目录范围内仍须个人负担的医疗费用”`,
    result: '结算明细缺少“政策范围内费用”，无法计算，挂起',
  });
  return ['MISSING_FIELD'];
}

/** 救助基数 E: what the patient still bears within the insurance catalogue */
function baseStep(s: Steps, inScope: Money, priorPaid: Money): Money {
  return s.compute({
    step: '救助基数 E',
    clause: `${DOC} 三、（一）2.“经市统一医疗救助政策和各类补偿、救助、保险后，医保目录范围内仍须个人负担的医疗费用”`,
    inputs: { 政策范围内费用: inScope, 已支付: priorPaid },
    name: 'E',
    expr: x.max(x.num(0), x.minus(x.money(inScope), x.money(priorPaid))),
  });
}

/** 年度结算: below the deductible the line waits for January's one-off settlement; its base still counts */
function yearEndStep(s: Steps, after: Money, deductible: Money): ReasonCode[] {
  if (!after.lessThan(deductible)) return [];
  s.note({
    step: '年度结算',
    clause: `${DOC} 三、（一）2.“达不到年度个人负担起付线的，次年1月一次性办理”`,
    result: `累计 ${fmt(after)} 未达起付线 ${fmt(deductible)}，挂起；基数照常累计`,
  });
  return ['BELOW_DEDUCTIBLE'];
}

function categoryStep(
  th: PolicyState,
  s: Steps,
  P: P,
  line: PolicyDecisionInput['line'],
  date: IsoDate,
): { cat: DiseaseCategory; disease: string } {
  const c = classify(th, line, P, date);
  s.note({
    step: '疾病大类',
    clause: `${DOC} 救助标准表 疾病大类`,
    inputs: { 诊断编码: line.diagnosisCode || '无', 诊断名称: line.diagnosisName || '无' },
    result: `${c.cat} 类：${CATEGORY_LABEL[c.cat]}（${c.disease}）`,
  });
  return c;
}

const DEDUCTIBLE_CLAUSE: Record<DiseaseCategory, string> = {
  A: `${DOC} 救助标准表“年度个人负担起付线”`,
  B: `${DOC} 救助标准表“首次个人负担起付线”（一次性，按人累计）`,
  C: `${DOC} 救助标准表（经省市规范救助政策的罕见病无起付线）`,
};

/** the category's deductible for the class; none where the roster says B's first deductible was already taken */
function deductibleOf(P: P, person: Person, cls: 1 | 2, cat: DiseaseCategory) {
  const firstApplied = cat === 'B' && person.firstDeductibleApplied === true;
  return { deductible: firstApplied ? ZERO : P.deductible[cat][cls === 1 ? '1' : '2'], firstApplied };
}

/** 起付线: A and C by year, B's first deductible once per person across years (B-deductible, year 0) */
function deductibleStep(s: Steps, P: P, input: PolicyDecisionInput, who: Who, cat: DiseaseCategory, E: Money) {
  const { line, year, acc } = input;
  const { deductible, firstApplied } = deductibleOf(P, who.person, who.cls, cat);
  const before = acc.get({ policy: ID, idNumber: line.idNumber, ...deductibleCounter(cat, year) }).base;
  const after = before.plus(E);
  const above = (v: Money) => x.max(x.num(0), x.minus(x.money(v), x.money(deductible)));
  const over = s.compute({
    step: '起付线',
    clause: DEDUCTIBLE_CLAUSE[cat],
    inputs: {
      人群: who.cls === 1 ? '一类' : '二类',
      起付线: fmt(deductible) + (firstApplied ? '（名单注明已扣首次起付线）' : ''),
      [cat === 'B' ? '累计基数（跨年）' : `${year}年累计基数`]: `${fmt(before)} → ${fmt(after)}`,
    },
    name: '超过起付线部分',
    expr: x.minus(above(after), above(before)),
  });
  return { deductible, after, over };
}

/** 应救助金额: the category's share of what is over the deductible, within the year's cap (未减半) */
function entitlementStep(s: Steps, P: P, { line, year, acc }: PolicyDecisionInput, cat: DiseaseCategory, over: Money) {
  const ratio = P.ratio[cat];
  const cap = P.annualCap[cat];
  const soFar = acc.get({ policy: ID, idNumber: line.idNumber, year, key: cat }).entitled;
  const capLeft = maxMoney(ZERO, cap.minus(soFar));
  const entitled = s.compute({
    step: '应救助金额',
    clause: `${DOC} 救助标准表 救助比例 ${ratio.times(100).toString()}%、年度封顶 ${cap.div(10000).toString()} 万元`,
    inputs: { 比例: ratio.toString(), [`${year}年已核定（未减半）`]: soFar, 封顶余额: capLeft },
    expr: x.min(x.round(x.times(x.money(over), x.share(ratio))), x.money(capLeft)),
  });
  return { entitled, capLeft };
}

/** 依从基础健康服务: halved for those who gave up the basic health service */
function complianceStep(s: Steps, P: P, person: Person, entitled: Money) {
  const halved = person.compliance === false;
  const factor = halved ? P.nonComplianceFactor : new D(1);
  const computed = s.compute({
    step: '依从基础健康服务',
    clause: `${DOC} 三、（一）2.“对放弃依从基础健康服务的人群，减半实施医疗专项救助”`,
    inputs: { 依从: !halved },
    name: '支付',
    expr: x.round(x.times(x.money(entitled), x.share(factor))),
  });
  return { computed, factor, halved };
}

/** E → category → deductible → entitlement → compliance → payment, for an eligible line */
function amounts(
  th: PolicyState,
  s: Steps,
  P: P,
  input: PolicyDecisionInput,
  person: Person,
  cls: 1 | 2,
  inScope: Money,
) {
  const { line, priorPaid, serviceDate } = input;
  const E = baseStep(s, inScope, priorPaid);
  const { cat, disease } = categoryStep(th, s, P, line, serviceDate);
  const d = deductibleStep(s, P, input, { person, cls }, cat, E);
  const e = entitlementStep(s, P, input, cat, d.over);
  const c = complianceStep(s, P, person, e.entitled);
  const pay = capToBorne(c.computed, line, priorPaid, s);
  // a capped payment counts toward the annual cap (未减半) only as far as it was paid
  const counted = pay.equals(c.computed)
    ? e.entitled
    : minMoney(e.entitled, c.factor.isZero() ? ZERO : roundFen(pay.div(c.factor)));
  const reasons: ReasonCode[] = yearEndStep(s, d.after, d.deductible);
  if (d.over.greaterThan(0) && e.capLeft.isZero()) reasons.push('CAP_REACHED');
  if (c.halved && e.entitled.greaterThan(0)) reasons.push('NON_COMPLIANCE_HALVED');
  const details = { diseaseCategory: cat, disease, populationClass: String(cls) };
  return {
    reasons,
    base: E,
    payments: { [FUND.id]: pay },
    changes: changesOf(input, cat, E, counted, pay),
    keepChangesWhenPended: reasons.every((r) => r === 'BELOW_DEDUCTIBLE'),
    details: { ...details, deductible: fmt(d.deductible), entitled: fmt(e.entitled) },
  };
}

/** the year's category accumulator, and B's first deductible across years */
function changesOf(input: PolicyDecisionInput, cat: DiseaseCategory, E: Money, counted: Money, pay: Money) {
  const { idNumber } = input.line;
  const changes: AccumulatorChange[] = [
    { policy: ID, idNumber, year: input.year, key: cat, base: E, entitled: counted, paid: pay },
  ];
  if (cat === 'B') changes.push({ policy: ID, idNumber, ...deductibleCounter(cat, input.year), base: E });
  return changes;
}

export function createPolicy(overrides?: Record<string, unknown>): Policy {
  const params = new Params(
    applyOverrides(loadJson<ParameterFile>(new URL('./params.json', import.meta.url)), overrides, ID),
    ID,
    SCHEMA,
  );
  const diseaseCache = new Map<unknown, NamedDisease[]>();
  const th: PolicyState = {
    diseases: (v) => {
      if (!diseaseCache.has(v)) diseaseCache.set(v, loadDiseaseList(v));
      return diseaseCache.get(v)!;
    },
    notices: new Set<string>(),
  };
  return {
    id: ID,
    name: '亭湖区健康救助',
    document: `${DOC}（试行）`,
    funds: [FUND],
    params,
    inScope: () => true,
    notices: th.notices,
    accumulators: VOCABULARY,
    reports: thReports(params),
    decide(input: PolicyDecisionInput): PolicyDecision {
      const { line, person, serviceDate } = input;
      const s = new Steps();
      const P = params.at(serviceDate);
      const payee = person?.serviceUnit || line.hospital;
      const nothing = (reasons: ReasonCode[]): PolicyDecision => ({
        reasons,
        base: ZERO,
        payments: { [FUND.id]: ZERO },
        changes: [],
        trace: s.trace,
        payee,
      });
      const reasons = inForceStep(th, s, P, serviceDate);
      if (!person) return nothing([...reasons, 'NOT_IN_ROSTER', ...notInRoster(s)]);
      const who = eligibility(s, P, input, person);
      reasons.push(...who.reasons);
      if (reasons.length > 0 || who.cls === null || !line.inScopeCost) return nothing(reasons);
      return { ...amounts(th, s, P, input, person, who.cls, line.inScopeCost), trace: s.trace, payee };
    },
  };
}
