import type { Status } from '../domain/reasons.js';

export const STATUS_LABEL: Record<Status, string> = {
  approved: '通过',
  pended: '挂起',
  rejected: '拒绝',
  invalid: '无效',
  'not-covered': '不在范围',
  skipped: '跳过',
};
