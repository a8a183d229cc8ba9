// npm run bench -- --bounds [--rows N] [--rounds K] (issue 19 §7): how far the two costs §7 names can take the
// whole run. The same month (bench/cache/N) is adjudicated four ways, alternating, K rounds:
// - as it is;
// - without the trace's words: a copy of dist whose steps keep their names and clauses but build no text
//   (no expression, input or result strings) — more than storing the trace as template + values could save,
//   since that still writes the values; its outputs are not valid, it only measures;
// - without the ledger: --dry-run (no lines, results, accumulators, trace chunks, hashes or seal);
// - without either.
// Each is the whole `assist adjudicate` in its own process (th-2021 + ln-as-2022, --html, workers as the
// main bench runs it). Prints the fastest round of each: wall time, its ratio to the exceljs streaming read
// measured in the same bench, the engine phase per line and the CPU. Figures are printed, never asserted.
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The no-words patch of dist/engine/steps.js: each pair is one exact text and its replacement. A pair that does
 * not match stops the bench (the source moved on; the patch must follow it) rather than measure the wrong thing.
 */
const NO_WORDS = [
  [
    "const call = (name, value, args) => ({\n    value,\n    text: `${name}(${args.map((a) => a.text).join(', ')})`,\n    flat: `${name}(${args.map(arg).join(', ')})`,\n});",
    "const call = (name, value, args) => ({ value, text: '', flat: '' });",
  ],
  [
    'const infix = (op, value, a, b) => ({\n    value,\n    text: `${a.text} ${op} ${b.text}`,\n    flat: `${arg(a)} ${op} ${arg(b)}`,\n});',
    "const infix = (op, value, a, b) => ({ value, text: '', flat: '' });",
  ],
  ['money: (value) => leaf(value, fmt(value)),', "money: (value) => leaf(value, ''),"],
  ['share: (value) => leaf(value, value.toString()),', "share: (value) => leaf(value, ''),"],
  [
    'ref: (name, value) => ({ value, text: name, flat: fmt(value) }),',
    "ref: (name, value) => ({ value, text: '', flat: '' }),",
  ],
  [
    'export function renderStep(s) {\n',
    "export function renderStep(s) {\n    return { step: s.step, clause: s.clause, result: '' };\n",
  ],
];

/** A copy of the build (dist, bin, package.json; node_modules linked) whose steps build no words. */
export function noWordsRoot(root, dest) {
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  for (const part of ['dist', 'bin', 'package.json']) cpSync(join(root, part), join(dest, part), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dest, 'node_modules'));
  const file = join(dest, 'dist', 'engine', 'steps.js');
  let js = readFileSync(file, 'utf8');
  for (const [from, to] of NO_WORDS) {
    if (!js.includes(from)) throw new Error(`bench --bounds: dist/engine/steps.js no longer has:\n${from}`);
    js = js.replace(from, to);
  }
  writeFileSync(file, js);
  return dest;
}

export const VARIANTS = [
  { name: 'as it is', label: '照常', words: true, dryRun: false },
  { name: 'no words', label: '计算过程不写文字', words: false, dryRun: false },
  { name: 'no ledger', label: '不写台账（--dry-run）', words: true, dryRun: true },
  { name: 'neither', label: '两者都不做', words: false, dryRun: true },
];

const f1 = (x) => x.toFixed(1);

/**
 * `results`: per variant the rounds' { seconds, cpu, rssMB, engine (s), lines }; `peer`: the exceljs read (median).
 */
export function printBounds(n, peer, results) {
  console.log(
    `\n${n.toLocaleString('en-US')} 行：§7 的两项各能省多少（每种取最快的一轮；exceljs 读取 ${f1(peer.seconds)} s）`,
  );
  console.log(
    '| 方式 | 用时 (s) | / exceljs | 审核阶段 (s) | 审核阶段 µs/行 | CPU（核·秒） | 峰值 RSS (MB) | 各轮用时 (s) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---|');
  for (const v of VARIANTS) {
    const runs = results.get(v.name);
    const best = [...runs].sort((a, b) => a.seconds - b.seconds)[0];
    const us = Math.round((best.engine / Math.max(1, best.lines)) * 1e6);
    console.log(
      `| ${v.label} | ${f1(best.seconds)} | ${(best.seconds / peer.seconds).toFixed(2)} | ${f1(best.engine)} | ${us} | ${f1(best.cpu)} | ${best.rssMB} | ${runs.map((r) => f1(r.seconds)).join('、')} |`,
    );
  }
  console.log('§7 的目标：用时 ≤ 2.5 × exceljs 读取，审核阶段 ≤ 50 µs/行。');
}
