import type { Policy } from '../engine/types.js';
import { createPolicy as lnAs } from './ln-as-2022/index.js';
import { createPolicy as jz } from './jz-21-2019/index.js';
import { createPolicy as qd } from './qd-rigid-2018/index.js';
import { createPolicy as th } from './th-2021/index.js';
import { UsageError } from '../io/errors.js';

export const POLICY_FACTORIES: Record<string, (overrides?: Record<string, unknown>) => Policy> = {
  'ln-as-2022': lnAs,
  'jz-21-2019': jz,
  'qd-rigid-2018': qd,
  'th-2021': th,
};

export function createPolicies(ids: string[], parameters: Record<string, Record<string, unknown>> = {}): Policy[] {
  return ids.map((id) => {
    const f = POLICY_FACTORIES[id];
    if (!f) throw new UsageError(`未知政策“${id}”。可用：${Object.keys(POLICY_FACTORIES).join('、')}`);
    try {
      return f(parameters[id]);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  });
}
