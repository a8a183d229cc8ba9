// Progress on stderr (SPEC §7): a live bar when stderr is a terminal, otherwise (cron, logs) a plain line
// every few seconds; nothing with --quiet.
import cliProgress from 'cli-progress';

export interface Progress {
  update(rows: number, phase?: string): void;
  stop(): void;
}

const NONE: Progress = { update: () => {}, stop: () => {} };

export function createProgress(label: string, opts: { quiet?: boolean; intervalMs?: number } = {}): Progress {
  if (opts.quiet) return NONE;
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} {phase} 已处理 {value} 行 | 用时 {duration_formatted}`, stream: process.stderr, hideCursor: true, clearOnComplete: true, fps: 5, noTTYOutput: false },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(rows, phase = '') {
        if (!started) {
          bar.start(0, 0, { phase });
          started = true;
        }
        bar.setTotal(Math.max(rows, 1));
        bar.update(rows, { phase });
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
    update(rows, phase = '') {
      const now = Date.now();
      if (now - last < every) return;
      last = now;
      process.stderr.write(`${label}${phase ? ` ${phase}` : ''}：已处理 ${rows} 行，用时 ${Math.round((now - t0) / 1000)} 秒\n`);
    },
    stop() {},
  };
}
