// The reason-code catalogue of SPEC §3, with the Chinese text shown in workbooks and `explain`.
export type Status = 'approved' | 'pended' | 'rejected' | 'invalid' | 'not-covered' | 'skipped';

export const REASONS = {
  INVALID_ID: { status: 'invalid', text: '身份证号无效（位数、校验位或出生日期不正确）' },
  MISSING_FIELD: { status: 'invalid', text: '必填字段为空或无法识别' },
  BAD_AMOUNT: { status: 'invalid', text: '金额格式错误或超过2位小数' },
  BAD_DATE: { status: 'invalid', text: '日期格式错误或不是有效日期' },
  NEGATIVE_AMOUNT: { status: 'invalid', text: '金额为负数' },
  PAYMENTS_EXCEED_COST: { status: 'invalid', text: '各项已支付金额之和超过医疗总费用' },
  IN_SCOPE_EXCEEDS_COST: { status: 'invalid', text: '政策范围内费用超过医疗总费用' },
  AMOUNT_OUT_OF_RANGE: { status: 'invalid', text: '金额达到或超过 100 亿元，不是有效的医疗费用' },
  BURDEN_MISMATCH: { status: 'invalid', text: '个人负担与“总费用－各项支付”不一致' },
  DATE_ORDER: { status: 'invalid', text: '日期先后顺序错误（出院或结算早于入院）' },
  DUPLICATE_LINE: { status: 'invalid', text: '同一批次中医疗机构＋结算单号＋行号重复' },
  CHECK_FAILED: {
    status: 'pended',
    text: '本行计算结果未通过守恒核对（支付超过个人负担等），挂起待人工核查，本行不支付',
  },
  NAME_MISMATCH: { status: 'pended', text: '结算单姓名与救助对象名单姓名不一致' },
  NO_APPLICABLE_POLICY: { status: 'not-covered', text: '不属于任何已启用政策的救助范围' },
  ALREADY_ADJUDICATED: { status: 'skipped', text: '该明细已审核过，本次跳过' },
  CONFLICTING_RESUBMISSION: { status: 'skipped', text: '该明细已审核过但内容不同，需使用 --supersede 更正' },
  POLICY_NOT_IN_FORCE: { status: 'rejected', text: '就诊或结算日期不在政策执行期内' },
  NOT_IN_ROSTER: { status: 'rejected', text: '不在任何救助对象名单中' },
  CATEGORY_NOT_COVERED: { status: 'rejected', text: '人员类别不属于本政策救助对象' },
  NOT_ELIGIBLE_ON_DATE: { status: 'rejected', text: '就诊日期不在救助身份有效期内' },
  NOT_INSURED: { status: 'rejected', text: '未参加基本医疗保险' },
  NOT_RURAL: { status: 'rejected', text: '非农村户籍' },
  NOT_LOCAL_HOUSEHOLD: { status: 'rejected', text: '非本地户籍' },
  AGE_NOT_COVERED: { status: 'rejected', text: '年龄不符合救助条件' },
  SEVERITY_NOT_MET: { status: 'rejected', text: '病情程度或生物制剂治疗标准不符合' },
  DISEASE_NOT_COVERED: { status: 'rejected', text: '疾病不在救助病种范围内' },
  ITEM_DISEASE_MISMATCH: { status: 'rejected', text: '药品/器材与诊断病种不对应' },
  VISIT_TYPE_NOT_COVERED: { status: 'rejected', text: '就诊类型不在救助范围内' },
  NOT_DESIGNATED_HOSPITAL: { status: 'rejected', text: '非定点救治医院' },
  HOSPITAL_NOT_CHOSEN: { status: 'rejected', text: '非本人选定的定点医院' },
  REFERRAL_MISSING: { status: 'pended', text: '缺少县级定点医院转诊证明' },
  REVIEW_OVERDUE: { status: 'pended', text: '未按规定时限复查评估' },
  BELOW_DEDUCTIBLE: { status: 'pended', text: '年度累计未达起付线，次年1月年度结算' },
  CAP_NOT_CONFIGURED: { status: 'pended', text: '该救助项目未配置年度最高救助金额' },
  OVER_CAP_REVIEW: { status: 'approved', text: '超出年度最高救助金额部分待专家评审' },
  CAP_REACHED: { status: 'approved', text: '年度封顶额已用完' },
  NON_COMPLIANCE_HALVED: { status: 'approved', text: '放弃依从基础健康服务，减半救助' },
} as const satisfies Record<string, { status: Status; text: string }>;

export type ReasonCode = keyof typeof REASONS;

export function reasonText(code: ReasonCode): string {
  return REASONS[code].text;
}

/** A row's issues in one cell: "[列] 说明；…", the reason's own text where an issue has no detail. */
export function issuesText(issues: readonly { code: ReasonCode; column?: string; detail?: string }[]): string {
  return issues.map((i) => `${i.column ? `[${i.column}] ` : ''}${i.detail ?? REASONS[i.code].text}`).join('；');
}

/** Roster warnings: listed in the validation report, never fatal. */
export const ROSTER_WARNINGS = {
  ROSTER_NAME_CONFLICT: '同一身份证号在名单中姓名不一致',
  UNKNOWN_CATEGORY: '无法识别的人员类别，该行已忽略',
} as const;
export type RosterWarningCode = keyof typeof ROSTER_WARNINGS;

/** A status in the clerk's words (console, workbooks, explain). */
export const STATUS_LABEL: Record<Status, string> = {
  approved: '通过',
  pended: '挂起',
  rejected: '拒绝',
  invalid: '无效',
  'not-covered': '不在范围',
  skipped: '跳过',
};
