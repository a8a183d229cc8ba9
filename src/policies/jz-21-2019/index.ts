// 锦卫发〔2019〕61号 2019年锦州市农村贫困人口大病专项救治工作实施方案 — report-only: no new fund pays.
import { fmt, ZERO, D, type Money } from '../../domain/money.js';
import { ageAt } from '../../domain/dates.js';
import { birthDateOf } from '../../domain/id-number.js';
import type { ReasonCode } from '../../domain/reasons.js';
import { normalizeKey, normalizeLabel } from '../../domain/text.js';
import type { ClaimLine } from '../../domain/types.js';
import * as k from '../param-kinds.js';
import { Params, applyOverrides, loadJson, type ParameterFile } from '../params.js';
import { categoryCheck, diagnosisMatches, inForce, type DiseaseMatcher } from '../common.js';
import type { Policy, PolicyDecision } from '../../engine/types.js';
import { Steps } from '../../engine/steps.js';
import { jzReports } from './reports.js';
import type { Person } from '../../roster/merge.js';
import type { Category } from '../../domain/categories.js';

const DOC = '锦卫发〔2019〕61号';
const ID = 'jz-21-2019';
interface Disease extends DiseaseMatcher {
  name: string;
  list: '21' | '25';
  child?: boolean;
}
const DISEASES = loadJson<{ diseases: Disease[] }>(new URL('./diseases.json', import.meta.url)).diseases;

/** The diseases in force on a date (21, or 25 from 2020), in the document's order. */
export function jzDiseaseNames(list: '21' | '25'): string[] {
  return DISEASES.filter((d) => list === '25' || d.list === '21').map((d) => d.name);
}

/** A roster's registered-disease text → the programme's disease name (by name or keyword), or null. */
export function jzDiseaseOfText(text: string): string | null {
  const t = normalizeLabel(text);
  if (!t) return null;
  return (
    DISEASES.find((d) => t.includes(normalizeLabel(d.name)) || d.keywords.some((k) => t.includes(normalizeLabel(k))))
      ?.name ?? null
  );
}

const diseaseList: k.Kind<'21' | '25'> = {
  want: '应为 "21" 或 "25"（病种名单）',
  parse: (v) => (v === '21' || v === '25' ? v : k.BAD),
};
/** params.json, typed (issue 19 §2): checked when the policy loads */
export const SCHEMA = {
  inForceFrom: k.date,
  inForceTo: k.date,
  diseaseList,
  childMaxAge: k.count,
  coveredCategories: k.categories,
  ruralRequiredCategories: k.categories,
  countyHospitals: k.texts,
  cityHospitals: k.texts,
};

type Values = ReturnType<Params<typeof SCHEMA>['at']>;

function inForceStep(s: Steps, P: Values, date: string): ReasonCode[] {
  if (inForce(date, P.inForceFrom, P.inForceTo)) return [];
  s.note({
    step: '政策执行期',
    clause: DOC,
    inputs: { 就诊日期: date },
    result: `不在 ${P.inForceFrom}～${P.inForceTo} 内`,
  });
  return ['POLICY_NOT_IN_FORCE'];
}

/** 建档立卡/计生特殊困难家庭 need no proof of rural household; 特困/低保 must be 农村 */
function ruralStep(s: Steps, P: Values, person: Person, categories: readonly Category[]): ReasonCode[] {
  if (categories.some((c) => !P.ruralRequiredCategories.includes(c)) || person.householdType === 'rural') return [];
  s.note({
    step: '农村户籍',
    clause: `${DOC} 二、“农村特困人员、低保对象”`,
    inputs: { 户籍性质: person.householdType === 'urban' ? '城镇' : '未登记' },
    result: '特困人员、低保对象须为农村户籍',
  });
  return ['NOT_RURAL'];
}

/** 定点医院: a county hospital, or the city's with the county's referral */
function hospitalStep(s: Steps, P: Values, line: ClaimLine): ReasonCode[] {
  const inputs = { 医疗机构: line.hospital };
  if (P.countyHospitals.map(normalizeKey).includes(line.hospital)) {
    s.note({ step: '定点医院', clause: `${DOC} 三、（二）1. 及附件1`, inputs, result: '县级定点医院' });
    return [];
  }
  if (!P.cityHospitals.map(normalizeKey).includes(line.hospital)) {
    s.note({ step: '定点医院', clause: `${DOC} 附件1 定点医院名单`, inputs, result: '不是县级或市级定点医院' });
    return ['NOT_DESIGNATED_HOSPITAL'];
  }
  const referred = line.referral === true;
  s.note({
    step: '定点医院',
    clause: `${DOC} 三、（二）1.“县级定点医院出具转诊证明后转至市级定点医院”`,
    inputs: { ...inputs, 转诊证明: line.referral === null ? '无' : line.referral },
    result: referred ? '市级定点医院，有转诊证明' : '市级定点医院，缺少转诊证明，挂起',
  });
  return referred ? [] : ['REFERRAL_MISSING'];
}

/** 费用结构: registered for the monthly report; this policy pays nothing of its own */
function costStep(s: Steps, line: ClaimLine, priorPaid: Money) {
  const burden = line.totalCost.minus(priorPaid);
  const ratio = line.totalCost.isZero() ? ZERO : burden.div(line.totalCost);
  const treatment = line.visitType === 'inpatient' && !line.dischargeDate ? '正在救治' : '已救治';
  s.note({
    step: '费用结构（登记用，不新增支付）',
    clause: `${DOC} 三、（三）完善支付方式；（四）加强信息管理`,
    inputs: {
      医疗总费用: line.totalCost,
      基本医保: line.basicPaid,
      大病保险: line.seriousIllnessPaid,
      医疗救助: line.assistancePaid,
      其他保障: line.supplementaryPaid,
      医院减免: line.hospitalWaiver,
    },
    result: `个人自付 ${fmt(burden)}，自付比例 ${ratio.times(100).toDecimalPlaces(2, D.ROUND_HALF_UP).toFixed(2)}%；救治状态：${treatment}`,
  });
  return { burden, ratio, treatment };
}

const DOCUMENT = `${DOC} 2019年锦州市农村贫困人口大病专项救治工作实施方案`;

export function createPolicy(overrides?: Record<string, unknown>): Policy {
  const params = new Params(
    applyOverrides(loadJson<ParameterFile>(new URL('./params.json', import.meta.url)), overrides, ID),
    ID,
    SCHEMA,
  );

  function diseaseOf(line: ClaimLine, date: string): Disease | null {
    const { diseaseList: list, childMaxAge: maxAge } = params.at(date);
    const birth = birthDateOf(line.idNumber);
    return (
      DISEASES.find(
        (d) =>
          (list === '25' || d.list === '21') && (!d.child || ageAt(birth, date) <= maxAge) && diagnosisMatches(line, d),
      ) ?? null
    );
  }

  /** 病种: which of the list's diseases the line is (inScope has already found one) */
  function diseaseStep(s: Steps, P: Values, line: ClaimLine, serviceDate: string) {
    const disease = diseaseOf(line, serviceDate)!;
    s.note({
      step: '病种',
      clause: `${DOC} 二、目标任务（${P.diseaseList}种大病）`,
      inputs: {
        诊断: `${line.diagnosisCode} ${line.diagnosisName}`.trim(),
        名单: params.describe('diseaseList', serviceDate),
      },
      result: `属于“${disease.name}”${disease.child ? `（儿童病种，年龄不超过 ${P.childMaxAge} 周岁）` : ''}`,
    });
    return disease;
  }

  return {
    id: ID,
    name: '锦州市农村贫困人口大病专项救治',
    document: DOCUMENT,
    funds: [],
    params,
    reports: jzReports(params, DOCUMENT),
    inScope: ({ line, serviceDate }) => diseaseOf(line, serviceDate) !== null,
    decide({ line, person, priorPaid, serviceDate }): PolicyDecision {
      const s = new Steps();
      const P = params.at(serviceDate);
      const disease = diseaseStep(s, P, line, serviceDate);
      const reasons = inForceStep(s, P, serviceDate);
      const cat = categoryCheck(person, P.coveredCategories, serviceDate, `${DOC} 二、目标任务（救治对象）`);
      s.trace.push(cat.step);
      reasons.push(...cat.reasons);
      if (person && cat.categories.length > 0) reasons.push(...ruralStep(s, P, person, cat.categories));
      reasons.push(...hospitalStep(s, P, line));
      const c = costStep(s, line, priorPaid);
      const details = {
        disease: disease.name,
        treatment: c.treatment,
        personalBurdenRatio: c.ratio.toDecimalPlaces(4, D.ROUND_HALF_UP).toFixed(4),
      };
      return { reasons, base: c.burden, payments: {}, changes: [], trace: s.trace, payee: line.hospital, details };
    },
  };
}
