// 青政办发〔2018〕1号 困难居民医疗刚性支出救助
import { D, fmt, maxMoney, roundFen, ZERO, type Money } from '../../domain/money.js';
import { ageAt } from '../../domain/dates.js';
import { birthDateOf } from '../../domain/id-number.js';
import { VISIT_LABEL, type VisitType } from '../../domain/categories.js';
import type { ReasonCode } from '../../domain/reasons.js';
import type { ClaimLine } from '../../domain/types.js';
import * as k from '../param-kinds.js';
import { Params, applyOverrides, loadJson, type ParameterFile } from '../params.js';
import { didYouMean } from '../../domain/text.js';
import { capToBorne, categoryCheck, diagnosisMatches, hasDiagnosis, inForce, normalizeItem } from '../common.js';
import type { AccumulatorChange, AccumulatorVocabulary, Policy, PolicyDecision } from '../../engine/types.js';
import { Steps, x } from '../../engine/steps.js';

const DOC = '青政办发〔2018〕1号';
const ID = 'qd-rigid-2018';
export const FUND = { id: 'qd-rigid-2018.insurer', name: '商业保险经办机构' };

interface Disease {
  row: number;
  name: string;
  icd: string[];
  keywords: string[];
  childOnly?: boolean;
}
interface Item {
  name: string;
  kind: 'drug' | 'device' | 'food';
  rows: number[];
  aliases: string[];
}
const CATALOGUE = loadJson<{ diseases: Disease[]; items: Item[] }>(new URL('./catalogue.json', import.meta.url));
const DISEASE_BY_ROW = new Map(CATALOGUE.diseases.map((d) => [d.row, d]));
// longest names first, so 胸主动脉支架 is not read as 动脉支架
const MATCHERS = CATALOGUE.items
  .flatMap((item) => [item.name, ...item.aliases].map((n) => ({ key: normalizeItem(n), item })))
  .sort((a, b) => b.key.length - a.key.length);

export function catalogueItem(itemName: string): Item | null {
  const n = normalizeItem(itemName);
  if (!n) return null;
  return MATCHERS.find((m) => n.includes(m.key))?.item ?? null;
}

/** The catalogue items exactly as printed in the seed table (the accumulator keys). */
export function catalogueItemNames(): string[] {
  return CATALOGUE.items.map((i) => i.name);
}

export function catalogueSize(): { drugs: number; devices: number; foods: number; diseases: number } {
  const count = (k: Item['kind']) => CATALOGUE.items.filter((i) => i.kind === k).length;
  return { drugs: count('drug'), devices: count('device'), foods: count('food'), diseases: CATALOGUE.diseases.length };
}

/**
 * The configured caps by catalogue item. A key names an item as the seed prints it, matched after normalising
 * width, brackets and spaces (`胸主动脉支架(含主体及延长支架)` is the item printed with full-width brackets);
 * a key that names no item, or a cap that is not an amount, stops the run before anything is read (SPEC §6).
 */
export function capsByItem(caps: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(caps)) {
    if (key === '//') continue;
    const n = normalizeItem(key);
    const item = MATCHERS.find((m) => m.key === n)?.item;
    if (!item)
      throw new Error(
        `配置中的参数 ${ID}.caps 中的“${key}”不是目录中的救助项目${didYouMean(key, catalogueItemNames())}`,
      );
    const text = typeof value === 'number' ? String(value) : value;
    if (typeof text !== 'string' || !/^\d+(\.\d{1,2})?$/.test(text.trim()))
      throw new Error(
        `配置中的参数 ${ID}.caps 中“${key}”的最高救助金额 ${JSON.stringify(value)} 不是有效金额（应写成如 "50000"）`,
      );
    out.set(item.name, text.trim());
  }
  return out;
}

/** each dated caps table checked when the policy loads, and looked up by catalogue item from then on */
const capsKind: k.Kind<Map<string, string>> = {
  want: '应为对象 { "目录项目名称": "最高救助金额" }',
  parse: (v) => (v && typeof v === 'object' && !Array.isArray(v) ? capsByItem(v as Record<string, unknown>) : k.BAD),
};
const visitTypes: k.Kind<VisitType[]> = {
  want: `应为就诊类型的列表（可用：${Object.keys(VISIT_LABEL).join('、')}）`,
  parse: (v) =>
    Array.isArray(v) && v.every((x) => typeof x === 'string' && x in VISIT_LABEL) ? (v as VisitType[]) : k.BAD,
};
/** params.json, typed (issue 19 §2): checked when the policy loads */
export const SCHEMA = {
  inForceFrom: k.date,
  coveredCategories: k.categories,
  visitTypes,
  childAgeLimit: k.count,
  caps: capsKind,
  approvalUplift: k.ratio,
  ratio: k.ratio,
};

/** The accumulators: what was paid per catalogue item and year (key: the item's printed name). */
const VOCABULARY: AccumulatorVocabulary = {
  openingKey(label) {
    const item = catalogueItemNames().find((name) => normalizeItem(name) === normalizeItem(label));
    if (item) return { ok: true, key: item, yearless: false };
    return { ok: false, detail: `“${label}”不是青岛刚性支出目录中的项目（须与目录印刷名称一致，如“克唑替尼”）` };
  },
  label: (key, year) => `${year} 年 ${key}`,
  openingHelp: { keys: '目录项目印刷名称（如 克唑替尼）', base: '累计合规费用' },
};

type Values = ReturnType<Params<typeof SCHEMA>['at']>;
type Input = Parameters<Policy['decide']>[0];

function itemStep(s: Steps, itemName: string, item: Item): void {
  const kind = item.kind === 'drug' ? '特效药' : item.kind === 'device' ? '特殊器材' : '特殊食品';
  const rows = item.rows.map((r) => `${r}.${DISEASE_BY_ROW.get(r)!.name}`).join('、');
  s.note({
    step: '救助项目',
    clause: `${DOC} 二、（二）及附件目录`,
    inputs: { 项目名称: itemName },
    result: `目录项目“${item.name}”（${kind}，对应病种 ${rows}）`,
  });
}

function inForceStep(s: Steps, from: string, date: string): ReasonCode[] {
  if (inForce(date, from, null)) return [];
  s.note({
    step: '政策执行期',
    clause: `${DOC} 二、（三）“从2018年度起”`,
    inputs: { 就诊日期: date },
    result: `早于 ${from}`,
  });
  return ['POLICY_NOT_IN_FORCE'];
}

function visitStep(s: Steps, visits: readonly VisitType[], line: Input['line']): ReasonCode[] {
  if (visits.includes(line.visitType)) return [];
  s.note({
    step: '就诊类型',
    clause: `${DOC} 二、（三）“住院或门诊大病治疗时”`,
    inputs: { 就诊类型: VISIT_LABEL[line.visitType] },
    result: '不属于住院或门诊大病',
  });
  return ['VISIT_TYPE_NOT_COVERED'];
}

/** 病种: the diagnosis must be one the item is listed for; children's rows only under the age limit */
function diseaseStep(s: Steps, limit: number, { line, serviceDate }: Input, item: Item): ReasonCode[] {
  const clause = `${DOC} 附件目录`;
  if (!hasDiagnosis(line)) {
    s.note({ step: '病种', clause, result: '结算明细缺少诊断，无法核对病种，挂起' });
    return ['MISSING_FIELD'];
  }
  const diagnosis = `${line.diagnosisCode} ${line.diagnosisName}`.trim();
  const matched = item.rows.map((r) => DISEASE_BY_ROW.get(r)!).filter((d) => diagnosisMatches(line, d));
  if (matched.length === 0) {
    s.note({ step: '病种', clause, inputs: { 诊断: diagnosis }, result: `诊断与“${item.name}”对应的病种不符` });
    return ['ITEM_DISEASE_MISMATCH'];
  }
  const age = ageAt(birthDateOf(line.idNumber), serviceDate);
  const ok = matched.filter((d) => !d.childOnly || age < limit);
  s.note({
    step: '病种',
    clause,
    inputs: { 诊断: diagnosis, 年龄: String(age) },
    result: ok.length ? `符合病种：${ok.map((d) => d.name).join('、')}` : `儿童病种要求未满 ${limit} 周岁`,
  });
  return ok.length ? [] : ['AGE_NOT_COVERED'];
}

function capMissing(s: Steps, item: Item): ReasonCode[] {
  s.note({
    step: '最高救助金额',
    clause: `${DOC} 二、（三）“该救助项目设定的最高救助金额”`,
    inputs: { 项目: item.name },
    result: '文件未公布该项目的最高救助金额，配置中也未设置：挂起，不凭猜测支付',
  });
  return ['CAP_NOT_CONFIGURED'];
}

/** R what the patient bears; paid in full up to the item's yearly cap (20 % higher with the experts' approval) */
function amountSteps(s: Steps, P: Values, { line, priorPaid, year, acc }: Input, item: Item, R: Money, C: Money) {
  const approved = line.expertApproval === true;
  const cap = approved ? roundFen(C.times(P.approvalUplift.plus(1))) : C;
  const used = acc.get({ policy: ID, idNumber: line.idNumber, year, key: item.name }).paid;
  const left = maxMoney(ZERO, cap.minus(used));
  s.note({
    step: '个人负担 R',
    clause: `${DOC} 二、（三）“除社会医疗保险……和困难居民医疗救助外，个人负担费用”`,
    inputs: { 医疗总费用: line.totalCost, 已支付: priorPaid },
    result: `R = ${fmt(R)}`,
  });
  const computed = s.compute({
    step: '年度最高救助金额',
    clause: approved
      ? `${DOC} 二、（三）“经专家评审同意后，年度最高救助金额可上浮20%”`
      : `${DOC} 二、（三）“不超过该救助项目设定的最高救助金额的，实施100%医疗刚性支出救助”`,
    inputs: { 项目: item.name, 最高救助金额: C, 专家评审: approved ? '同意' : '无', [`${year}年已救助`]: used },
    prefix: `封顶 ${fmt(cap)}，余额 ${fmt(left)}；`,
    name: '支付',
    expr: x.fen(x.min(x.times(x.money(R), x.share(P.ratio)), x.money(left))),
  });
  return { computed, left, approved };
}

/** 二、（一）救助对象 and 二、（二）救助范围: category, visit type, diagnosis */
function whoSteps(s: Steps, P: Values, input: Input, item: Item): ReasonCode[] {
  const { line, person, serviceDate } = input;
  const cat = categoryCheck(person, P.coveredCategories, serviceDate, `${DOC} 二、（一）救助对象`);
  s.trace.push(cat.step);
  return [...cat.reasons, ...visitStep(s, P.visitTypes, line), ...diseaseStep(s, P.childAgeLimit, input, item)];
}

/** The decision on a line: the base R, what the fund pays the hospital, and the steps taken. */
function decision(
  s: Steps,
  line: ClaimLine,
  R: Money,
  pay: Money,
  reasons: ReasonCode[],
  changes: AccumulatorChange[],
  details?: Record<string, string>,
): PolicyDecision {
  const d: PolicyDecision = {
    reasons,
    base: R,
    payments: { [FUND.id]: pay },
    changes,
    trace: s.trace,
    payee: line.hospital,
  };
  if (details) d.details = details;
  return d;
}

/** 二、（三）超限额部分: an excess over the cap waits for the experts' review (上浮20%) */
function overCapStep(s: Steps, R: Money, pay: Money, a: { left: Money; approved: boolean }) {
  const reasons: ReasonCode[] = [];
  const details: Record<string, string> = {};
  if (a.left.isZero() && R.greaterThan(0)) reasons.push('CAP_REACHED');
  if (R.greaterThan(a.left) && !a.approved) {
    reasons.push('OVER_CAP_REVIEW');
    details.unpaidExcess = fmt(R.minus(pay));
    s.note({
      step: '超限额部分',
      clause: `${DOC} 二、（三）“超出限额但符合规定属于正常支出的，经专家评审同意后……可上浮20%”`,
      result: `超出部分 ${fmt(R.minus(pay))} 待专家评审；评审同意后以 --supersede 重新审核`,
    });
  }
  return { reasons, details };
}

export function createPolicy(overrides?: Record<string, unknown>): Policy {
  const params = new Params(
    applyOverrides(loadJson<ParameterFile>(new URL('./params.json', import.meta.url)), overrides, ID),
    ID,
    SCHEMA,
  );
  return {
    id: ID,
    name: '青岛市困难居民医疗刚性支出救助',
    document: `${DOC} 关于进一步加强困难居民医疗刚性支出救助工作的意见`,
    funds: [FUND],
    params,
    accumulators: VOCABULARY,
    inScope: ({ line }) => catalogueItem(line.itemName) !== null,
    decide(input): PolicyDecision {
      const { line, priorPaid, serviceDate } = input;
      const item = catalogueItem(line.itemName)!;
      const s = new Steps();
      const P = params.at(serviceDate);
      itemStep(s, line.itemName, item);
      const reasons = [...inForceStep(s, P.inForceFrom, serviceDate), ...whoSteps(s, P, input, item)];
      const R = line.totalCost.minus(priorPaid);
      const capText = P.caps.get(item.name);
      if (!capText) reasons.push(...capMissing(s, item));
      if (reasons.length > 0) return decision(s, line, R, ZERO, reasons, []);
      const a = amountSteps(s, P, input, item, R, new D(capText!));
      const pay = capToBorne(a.computed, line, priorPaid, s);
      const changes = [{ policy: ID, idNumber: line.idNumber, year: input.year, key: item.name, base: R, paid: pay }];
      const over = overCapStep(s, R, pay, a);
      return decision(s, line, R, pay, over.reasons, changes, { item: item.name, ...over.details });
    },
  };
}
