// 辽医保〔2022〕67号 辽宁省生活困难的强直性脊柱炎患者健康救助实施方案
import { ZERO, type Money } from '../../domain/money.js';
import { addDays, yearLabel } from '../../domain/dates.js';
import type { ReasonCode } from '../../domain/reasons.js';
import { normalizeKey, normalizeLabel } from '../../domain/text.js';
import { INSURANCE_LABEL, SEVERITY_LABEL } from '../../domain/categories.js';
import * as k from '../param-kinds.js';
import { Params, applyOverrides, loadJson, type ParameterFile } from '../params.js';
import { categoryCheck, inForce, normalizeItem } from '../common.js';
import type { AccumulatorChange, AccumulatorVocabulary, Policy, PolicyDecision } from '../../engine/types.js';
import type { Person } from '../../roster/merge.js';
import { Steps, x } from '../../engine/steps.js';

const DOC = '辽医保〔2022〕67号';
export const FUNDS = {
  special: { id: 'ln-as-2022.special-fund', name: '专项医疗救治资金（中国乡村发展志愿服务促进会）' },
  thirdParty: { id: 'ln-as-2022.third-party', name: '指定第三方机构' },
};
const HOSPITALS: { name: string; level: string }[] = loadJson<{ hospitals: { name: string; level: string }[] }>(
  new URL('./hospitals.json', import.meta.url),
).hospitals;
const DESIGNATED = new Set(HOSPITALS.map((h) => normalizeKey(h.name)));

/** params.json, typed (issue 19 §2): checked when the policy loads */
export const SCHEMA = {
  inForceFrom: k.date,
  inForceTo: k.date,
  coveredCategories: k.categories,
  drugName: k.text,
  drugAliases: k.texts,
  injectionFeeKeyword: k.text,
  specialFundRatio: k.ratio,
  reviewIntervalDays: k.count,
};

export function isDrugLine(itemName: string, params: Params<typeof SCHEMA>, date: string): boolean {
  const item = normalizeItem(itemName);
  if (!item) return false;
  const P = params.at(date);
  const drug = normalizeItem(P.drugName);
  const aliases = P.drugAliases.map(normalizeItem);
  // II may also be printed as 2
  return item.includes(drug) || item.replace(/2型/g, 'II型').includes(drug) || aliases.some((a) => item.includes(a));
}

/** The accumulators: what each fund paid in a year (key: the fund id), and the first treatment date (year 0). */
const VOCABULARY: AccumulatorVocabulary = {
  openingKey(label) {
    const n = normalizeLabel(label).toUpperCase();
    if (n === FUNDS.special.id.toUpperCase() || /^(专项医疗救治资金|专项资金)$/.test(n))
      return { ok: true, key: FUNDS.special.id, yearless: false };
    if (n === FUNDS.thirdParty.id.toUpperCase() || /^(指定第三方机构|第三方机构|第三方)$/.test(n))
      return { ok: true, key: FUNDS.thirdParty.id, yearless: false };
    if (/^(FIRST-CLAIM|首次救治|首次救治日期)$/.test(n)) return { ok: true, key: 'first-claim', yearless: true };
    return {
      ok: false,
      detail: `强直性脊柱炎救助的累计项目应为 专项医疗救治资金、指定第三方机构 或 首次救治，而不是“${label}”`,
    };
  },
  label: (key, year) => {
    const y = yearLabel(year);
    if (key === 'first-claim') return `${y} 首次救治日期`;
    return `${y} ${Object.values(FUNDS).find((f) => f.id === key)?.name ?? key}`;
  },
  dateKeys: ['first-claim'],
  openingHelp: { keys: '专项医疗救治资金、指定第三方机构、首次救治', base: '累计个人自付' },
};

type Values = ReturnType<Params<typeof SCHEMA>['at']>;
type Input = Parameters<Policy['decide']>[0];

/** 政策执行期 (the transition period), by settlement date */
function inForceStep(s: Steps, P: Values, d: string): ReasonCode[] {
  const ok = inForce(d, P.inForceFrom, P.inForceTo);
  s.note({
    step: '政策执行期',
    clause: `${DOC} 一、工作目标（过渡期）`,
    inputs: { 结算日期: d, 执行期: `${P.inForceFrom}～${P.inForceTo}` },
    result: ok ? '在执行期内' : '不在执行期内',
  });
  return ok ? [] : ['POLICY_NOT_IN_FORCE'];
}

/** 参加基本医疗保险: the roster's insurance type, or (none recorded) a basic-insurance payment on the line */
function insuredStep(s: Steps, person: Person, line: Input['line']): ReasonCode[] {
  const t = person.insuranceType;
  const insured = t === 'employee' || t === 'resident' || (t === null && line.basicPaid.greaterThan(0));
  s.note({
    step: '参加基本医疗保险',
    clause: `${DOC} 二、救助对象范围 2.`,
    inputs: { 参保类型: t ? INSURANCE_LABEL[t]! : '未登记', 基本医保支付: line.basicPaid },
    result: insured ? '已参保' : '未参保',
  });
  return insured ? [] : ['NOT_INSURED'];
}

/** 病情程度: moderate or severe, and meeting the biologic's treatment standard */
function severityStep(s: Steps, person: Person): ReasonCode[] {
  const q = person.asBiologicQualified;
  const severe = (person.asSeverity === 'moderate' || person.asSeverity === 'severe') && q === true;
  s.note({
    step: '病情程度',
    clause: `${DOC} 二、救助对象范围 3.`,
    inputs: {
      病情程度: person.asSeverity ? SEVERITY_LABEL[person.asSeverity]! : '未登记',
      符合生物制剂治疗标准: q === null ? '未登记' : q,
    },
    result: severe ? '中、重度且达到生物制剂治疗标准' : '不符合',
  });
  return severe ? [] : ['SEVERITY_NOT_MET'];
}

function diseaseStep(s: Steps, line: Input['line']): ReasonCode[] {
  const ok = line.diagnosisCode.startsWith('M45') || line.diagnosisName.includes('强直性脊柱炎');
  s.note({
    step: '疾病',
    clause: `${DOC} 二、救助对象范围 3.`,
    inputs: { 诊断编码: line.diagnosisCode || '无', 诊断名称: line.diagnosisName || '无' },
    result: ok ? '强直性脊柱炎（M45）' : '非强直性脊柱炎',
  });
  return ok ? [] : ['DISEASE_NOT_COVERED'];
}

/** 定点医院, and the one the patient chose (选定后原则上不再变更) */
function hospitalSteps(s: Steps, person: Person | null, line: Input['line']): ReasonCode[] {
  const reasons: ReasonCode[] = [];
  const designated = DESIGNATED.has(line.hospital);
  s.note({
    step: '定点医院',
    clause: `${DOC} 四、（二）1. 及附件 定点救治医院名单`,
    inputs: { 医疗机构: line.hospital },
    result: designated ? '属于定点救治医院' : '不在定点救治医院名单',
  });
  if (!designated) reasons.push('NOT_DESIGNATED_HOSPITAL');
  if (person?.chosenHospital && person.chosenHospital !== line.hospital) {
    reasons.push('HOSPITAL_NOT_CHOSEN');
    s.note({
      step: '选定定点医院',
      clause: `${DOC} 四、（二）1.“自主选择一家定点医院……选定后原则上不再变更”`,
      inputs: { 选定医院: person.chosenHospital, 就诊医院: line.hospital },
      result: '非本人选定的定点医院',
    });
  }
  return reasons;
}

/** 复查评估: within the interval from the last review (or the first treatment, which the ledger keeps) */
function reviewStep(
  s: Steps,
  { line, serviceDate, acc }: Input,
  person: Person,
  interval: number,
): { reasons: ReasonCode[]; changes: AccumulatorChange[] } {
  const first = acc.get({ policy: 'ln-as-2022', idNumber: line.idNumber, year: 0, key: 'first-claim' }).firstDate;
  const due = addDays(person.lastReview ?? first ?? serviceDate, interval);
  const overdue = serviceDate > due;
  s.note({
    step: '复查评估',
    clause: `${DOC} 四、（七）建立精准救治退出制度`,
    inputs: {
      最近复查日期: person.lastReview ?? `未登记（以首次救治日期 ${first ?? serviceDate} 计）`,
      时限天数: String(interval),
      应复查日期: due,
      就诊日期: serviceDate,
    },
    result: overdue ? '未按时限复查评估，挂起' : '在复查时限内',
  });
  const changes: AccumulatorChange[] = first
    ? []
    : [{ policy: 'ln-as-2022', idNumber: line.idNumber, year: 0, key: 'first-claim', firstDate: serviceDate }];
  return { reasons: overdue ? ['REVIEW_OVERDUE'] : [], changes };
}

/** 个人自付费用 S: the drug's cost less what was paid before */
function selfPayStep(s: Steps, total: Money, priorPaid: Money): Money {
  return s.compute({
    step: '个人自付费用 S',
    clause: `${DOC} 三、救助费用保障：“经基本医保、大病保险等补充医疗保险、医疗救助等医疗保障政策支付后的个人自付费用”`,
    inputs: { '药品费用 D': total, 已支付: priorPaid },
    name: 'S',
    expr: x.minus(x.money(total), x.money(priorPaid)),
  });
}

/** 三、救助费用保障: S what the patient pays, F the special fund up to 20 % of the drug, T the third party the rest */
function amountSteps(s: Steps, P: Values, { line, priorPaid }: Input, ratioText: string) {
  const total = line.totalCost;
  const selfPay = selfPayStep(s, total, priorPaid);
  const special = s.compute({
    step: '专项医疗救治资金 F',
    clause: `${DOC} 三、“补助上限为使用该生物制剂药品费用的20%”`,
    inputs: { 参数: ratioText },
    name: 'F',
    stages: true,
    expr: x.min(x.ref('S', selfPay), x.round(x.times(x.share(P.specialFundRatio), x.money(total)))),
  });
  const third = s.compute({
    step: '指定第三方机构 T',
    clause: `${DOC} 三、“由指定的第三方机构对剩余个人负担费用给予全额补助”`,
    name: 'T',
    stages: true,
    suffix: '；个人负担 0.00',
    expr: x.minus(x.ref('S', selfPay), x.ref('F', special)),
  });
  return { selfPay, special, third };
}

/** Each fund's year accumulator (by settlement date): the base S and what F and T paid. */
function fundChanges(line: Input['line'], selfPay: Money, special: Money, third: Money): AccumulatorChange[] {
  const at = { policy: 'ln-as-2022', idNumber: line.idNumber, year: Number(line.settlementDate.slice(0, 4)) };
  return [
    { ...at, key: FUNDS.special.id, base: selfPay, paid: special },
    { ...at, key: FUNDS.thirdParty.id, paid: third },
  ];
}

/** 二、救助对象: category, insurance, severity, diagnosis, hospital and the yearly review, on the service date */
function whoSteps(s: Steps, input: Input, P: Values): { reasons: ReasonCode[]; changes: AccumulatorChange[] } {
  const { line, person, serviceDate } = input;
  const cat = categoryCheck(person, P.coveredCategories, serviceDate, `${DOC} 二、救助对象范围 1.`);
  s.trace.push(cat.step);
  const reasons = [...cat.reasons];
  if (person) reasons.push(...insuredStep(s, person, line), ...severityStep(s, person));
  reasons.push(...diseaseStep(s, line), ...hospitalSteps(s, person, line));
  const review = person ? reviewStep(s, input, person, P.reviewIntervalDays) : { reasons: [], changes: [] };
  return { reasons: [...reasons, ...review.reasons], changes: review.changes };
}

export function createPolicy(overrides?: Record<string, unknown>): Policy {
  const params = new Params(
    applyOverrides(loadJson<ParameterFile>(new URL('./params.json', import.meta.url)), overrides, 'ln-as-2022'),
    'ln-as-2022',
    SCHEMA,
  );
  return {
    id: 'ln-as-2022',
    name: '辽宁省生活困难的强直性脊柱炎患者健康救助',
    document: `${DOC} 辽宁省生活困难的强直性脊柱炎患者健康救助实施方案`,
    funds: [FUNDS.special, FUNDS.thirdParty],
    params,
    accumulators: VOCABULARY,
    // an injection fee resubmitted alone (--supersede) is judged beside its drug line already in the ledger
    wantsSettlement: (line) => line.itemName.includes(params.at(line.settlementDate).injectionFeeKeyword),
    inScope({ line, settlement }) {
      const d = line.settlementDate;
      if (isDrugLine(line.itemName, params, d)) return true;
      // 药品费用（包括注射费用）: an injection-fee line of a settlement that has the biologic
      const kw = params.at(d).injectionFeeKeyword;
      return line.itemName.includes(kw) && settlement.some((l) => l !== line && isDrugLine(l.itemName, params, d));
    },
    decide(input): PolicyDecision {
      const { line, serviceDate } = input;
      const d = line.settlementDate;
      const s = new Steps();
      const P = params.at(d);
      const reasons = inForceStep(s, P, d);
      const who = whoSteps(s, input, params.at(serviceDate));
      reasons.push(...who.reasons);
      const { selfPay, special, third } = amountSteps(s, P, input, params.describe('specialFundRatio', d));
      return {
        reasons,
        base: selfPay,
        payments: { [FUNDS.special.id]: special, [FUNDS.thirdParty.id]: third.isNegative() ? ZERO : third },
        changes: [...who.changes, ...fundChanges(line, selfPay, special, third)],
        keepChangesWhenPended: false,
        trace: s.trace,
        payee: line.hospital,
      };
    },
  };
}
