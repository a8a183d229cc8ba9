// The one place a policy is registered (issue 19 §3): one line each. Everything else a policy brings — its funds,
// parameters and their schema, accumulator words, opening-balance spellings, reports — it declares in its folder.
import type { Policy } from '../engine/types.js';
import { UsageError } from '../io/errors.js';

export const POLICY_FACTORIES: Record<string, (overrides?: Record<string, unknown>) => Policy> = {
  'ln-as-2022': (await import('./ln-as-2022/index.js')).createPolicy,
  'jz-21-2019': (await import('./jz-21-2019/index.js')).createPolicy,
  'qd-rigid-2018': (await import('./qd-rigid-2018/index.js')).createPolicy,
  'th-2021': (await import('./th-2021/index.js')).createPolicy,
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
