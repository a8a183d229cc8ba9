// Progress on stderr (SPEC §7): a live bar when stderr is a terminal, otherwise (cron, logs) a plain line
// every few seconds; nothing with --quiet.
import cliProgress from 'cli-progress';

export interface Progress {
  /** rows done in a phase; with `total` (when the size is known) a percentage is shown */
  update(rows: number, phase?: string, total?: number): void;
  /** a message line above the bar (never written into the middle of it) */
  note(text: string): void;
  stop(): void;
}

const write = (text: string) => process.stderr.write(`${text}\n`);

export function createProgress(label: string, opts: { quiet?: boolean; intervalMs?: number } = {}): Progress {
  if (opts.quiet) return { update: () => {}, note: write, stop: () => {} };
  if (process.stderr.isTTY) {
    // {what}: "{value}/{total} 行 {percentage}%" when the total is known, else "已处理 {value} 行"
    const bar = new cliProgress.SingleBar(
      {
        format: '{phase} {bar} {what} | 用时 {duration_formatted}',
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: true,
        fps: 5,
        noTTYOutput: false,
        barsize: 24,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(rows, phase = label, total) {
        const what = total
          ? `${rows}/${total} 行 ${Math.floor((rows / Math.max(total, 1)) * 100)}%`
          : `已处理 ${rows} 行`;
        if (!started) {
          bar.start(total ?? 0, 0, { phase, what });
          started = true;
        }
        bar.setTotal(total ?? Math.max(rows, 1));
        bar.update(rows, { phase, what });
      },
      note(text) {
        // clear the bar's line, write the message; the bar draws itself again below it
        process.stderr.write(started ? `\r\x1b[K${text}\n` : `${text}\n`);
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  const every = opts.intervalMs ?? Number(process.env.ASSIST_PROGRESS_INTERVAL_MS ?? 5000);
  const t0 = Date.now();
  let last = t0;
  return {
    update(rows, phase = label, total) {
      const now = Date.now();
      if (now - last < every) return;
      last = now;
      const done = total
        ? `${rows}/${total} 行（${Math.floor((rows / Math.max(total, 1)) * 100)}%）`
        : `已处理 ${rows} 行`;
      process.stderr.write(`${phase}：${done}，用时 ${Math.round((now - t0) / 1000)} 秒\n`);
    },
    note: write,
    stop() {},
  };
}
