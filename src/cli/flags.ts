// Flags as clerks type them, checked once for every command.
import { parseMonth } from '../domain/dates.js';
import { UsageError } from '../io/errors.js';

/** --month: 2024-06, 2024-6 or prev (the month before today, for cron); a usage error otherwise. */
export function monthFlag(text: string | undefined): string | null {
  if (text === undefined) return null;
  const m = parseMonth(text);
  if (!m) throw new UsageError(`--month 应为月份，如 2024-06、2024-6，或 prev（上个月），而不是“${text}”。`);
  return m;
}

export const MONTH_HELP = '月份：2024-06、2024-6，或 prev（上个月，供 cron 使用）';
