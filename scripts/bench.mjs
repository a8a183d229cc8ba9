// npm run bench -- [--rows N] [--skip-peer] [--no-scale]    (--ledger postgres [--pair]: scripts/bench-postgres.mjs;
// --bounds [--rounds K]: scripts/bench-bounds.mjs)
// Generates (and caches in bench/cache/) an N-line claims workbook (Excel's part order, shared strings)
// and an N-person roster with the fixture generator, then runs, one after another, each in its own
// process: the zlib floor, exceljs's streaming reader, our reader (these three three times each, the median
// reported), and the whole `assist adjudicate`
// (th-2021 + ln-as-2022, ledger commit, results, settlement workbook, disbursement lists) — with the
// roster worker and without it. Prints wall time, rows/s and peak RSS for each, the ratios, the ledger's
// bytes per line, and the same at N/10 with the scaling ratio. Then the correctness step: the same month in
// runs of ~100 lines (each its own ledger run and commit, accumulators carried through the ledger) must give
// the one run's totals per fund (--no-chunked skips it). After the full run, the floors of the work any run
// must do to produce the same files (scripts/bench-floors.mjs; --no-floors skips them), summed in core-seconds
// beside the run's own CPU time. Figures are printed, never asserted.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cpus, totalmem } from 'node:os';

const ROOT = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const rows = Number(arg('--rows', '100000'));
if (arg('--ledger') === 'postgres') {
  const { benchPostgres } = await import('./bench-postgres.mjs');
  await benchPostgres(rows, args.includes('--pair') || rows <= 100_000);
  process.exit(0);
}
const skipPeer = args.includes('--skip-peer');
const sizes = args.includes('--no-scale') ? [rows] : [rows, Math.max(1000, Math.round(rows / 10))];
const chunked = !args.includes('--no-chunked');
const floors = !args.includes('--no-floors');

function child(code, env = {}, cwd = ROOT) {
  const r = spawnSync(process.execPath, ['--max-old-space-size=4096', '--input-type=module', '-e', code], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`bench step failed (${r.status}):\n${r.stderr}`);
  const last = r.stdout.trim().split('\n').at(-1);
  return { ...JSON.parse(last), stderr: r.stderr };
}

const MEASURE = (body) => `
const t0 = performance.now();
const out = await (async () => { ${body} })();
const seconds = (performance.now() - t0) / 1000;
const ru = process.resourceUsage();
console.log(JSON.stringify({ seconds, rows: out?.rows ?? null, extra: out?.extra ?? null, rssMB: Math.round(ru.maxRSS / 1024), cpu: (ru.userCPUTime + ru.systemCPUTime) / 1e6 }));
`;

function fixtures(n) {
  const dir = join(ROOT, 'bench', 'cache', String(n));
  if (!existsSync(join(dir, 'roster.xlsx'))) {
    process.stderr.write(`生成 ${n} 行测试数据（首次运行，之后使用缓存 ${dir}）……\n`);
    child(
      MEASURE(
        `const { writeBenchFixtures } = await import('./dist/fixtures/generate.js'); await writeBenchFixtures(${JSON.stringify(dir)}, { lines: ${n}, people: ${n}, seed: 1 }); return {};`,
      ),
    );
  }
  return dir;
}

// inflating the sheets only; the whole body is timed, as for the two readers below
const floor = (file) =>
  MEASURE(`
const { inflateFloor } = await import('./scripts/bench-floors.mjs');
return { rows: null, extra: (await inflateFloor([${JSON.stringify(file)}])).bytes };`);

const peer = (file) =>
  MEASURE(`
const ExcelJS = (await import('exceljs')).default;
const r = new ExcelJS.stream.xlsx.WorkbookReader(${JSON.stringify(file)}, { sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', worksheets: 'emit', entries: 'emit' });
let n = 0, cells = 0;
for await (const ws of r) for await (const row of ws) { n++; row.eachCell({ includeEmpty: false }, (c) => { if (c.value !== undefined) cells++; }); }
return { rows: n, extra: cells };`);

const ours = (file) =>
  MEASURE(`
const { openTable } = await import('./dist/io/table.js');
const t = await openTable(${JSON.stringify(file)});
let n = 0, cells = 0;
for await (const batch of t.batches(t.sheets[0])) for (const r of batch) { n++; for (const c of r.cells) if (c !== null) cells++; }
t.close();
return { rows: n, extra: cells };`);

/** `cwd`: the build to run (its ./dist); `extra`: more arguments (--bounds runs --dry-run). */
const full = (dir, work, workers, { cwd = ROOT, extra = [] } = {}) => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const argv = [
    'node',
    'assist',
    'adjudicate',
    join(dir, 'claims.xlsx'),
    '--roster',
    join(dir, 'roster.xlsx'),
    '--policies',
    'th-2021,ln-as-2022',
    '--html',
    '--ledger',
    join(work, 'assist.db'),
    '--out',
    join(work, 'out'),
    '--quiet',
    ...extra,
  ];
  return child(
    MEASURE(`
const { main } = await import('./dist/cli/main.js');
const log = process.stdout.write.bind(process.stdout);
let said = '';
process.stdout.write = (s) => { said += s; return true; };
await main(${JSON.stringify(argv)});
process.stdout.write = log;
if (process.exitCode) throw new Error(said);
const m = said.match(/读取结算明细 (\\d+) 行/);
return { rows: m ? Number(m[1]) : null, extra: said };`),
    { ASSIST_WORKERS: workers ? '1' : '0', ASSIST_TIMING: '1' },
    cwd,
  );
};

/** `[计时] 阶段 12.3 s（…）` lines of ASSIST_TIMING → [[phase, seconds since the previous line]]. */
const phases = (stderr) => {
  let last = 0;
  return [...stderr.matchAll(/\[计时\] (\S+) ([\d.]+) s/g)].map((m) => {
    const d = Number(m[2]) - last;
    last = Number(m[2]);
    return [m[1], d];
  });
};

/** the lines adjudicated, as the run's console says them */
const adjudicated = (said) => Number(said.match(/审核 (\d+) 行/)?.[1] ?? 0);

const floorStep = (call) =>
  child(MEASURE(`const f = await import('./scripts/bench-floors.mjs'); return { extra: await f.${call} };`)).extra;

const median = (xs) => [...xs].sort((a, b) => a.seconds - b.seconds)[Math.floor(xs.length / 2)];

if (args.includes('--bounds')) {
  const { noWordsRoot, printBounds, VARIANTS } = await import('./bench-bounds.mjs');
  const dir = fixtures(rows);
  process.stderr.write(`\n${rows} 行：exceljs 读取 ×3… `);
  const peerRead = median([0, 1, 2].map(() => child(peer(join(dir, 'claims.xlsx')))));
  const noWords = noWordsRoot(ROOT, join(ROOT, 'bench', 'work', 'bounds-root'));
  const rounds = Number(arg('--rounds', '2'));
  const runs = new Map(VARIANTS.map((v) => [v.name, []]));
  for (let k = 0; k < rounds; k++)
    for (const v of VARIANTS) {
      process.stderr.write(`${v.label}… `);
      const r = full(dir, join(ROOT, 'bench', 'work', `bounds-${rows}`), true, {
        cwd: v.words ? ROOT : noWords,
        extra: v.dryRun ? ['--dry-run'] : [],
      });
      const engine = phases(r.stderr).find(([p]) => p === '审核与写出明细')?.[1] ?? NaN;
      runs.get(v.name).push({ ...r, engine, lines: adjudicated(r.extra) });
    }
  printBounds(rows, peerRead, runs);
  process.exit(0);
}

const results = [];
for (const n of sizes) {
  const dir = fixtures(n);
  const file = join(dir, 'claims.xlsx');
  const row = { n };
  process.stderr.write(`\n${n} 行：`);
  // the three reads are short and this machine's timings wander (±15% seen): each is run three times,
  // alternating, and the run with the median time is reported (its peak RSS with it)
  const runs = { floor: [], peer: [], ours: [] };
  for (let k = 0; k < 3; k++) {
    process.stderr.write(`解压下限… `);
    runs.floor.push(child(floor(file)));
    if (!skipPeer) {
      process.stderr.write('exceljs 读取… ');
      runs.peer.push(child(peer(file)));
    }
    process.stderr.write('本工具读取… ');
    runs.ours.push(child(ours(file)));
  }
  row.floor = median(runs.floor);
  if (!skipPeer) row.peer = median(runs.peer);
  row.ours = median(runs.ours);
  row.readRuns = runs;
  const work = join(ROOT, 'bench', 'work', String(n));
  process.stderr.write('完整审核（单核）… ');
  row.fullOne = full(dir, work + '-1', false);
  process.stderr.write('完整审核（结算明细在第二核读取）… ');
  row.full = full(dir, work, true);
  const db = join(work, 'assist.db');
  if (floors) {
    process.stderr.write('必需工作的下限… ');
    row.floors = {
      inflate: floorStep(`inflateFloor(${JSON.stringify([file, join(dir, 'roster.xlsx')])})`),
      jsonl: floorStep(
        `jsonlFloor(${JSON.stringify(
          readdirSync(join(work, 'out'))
            .filter((f) => f.endsWith('.jsonl'))
            .map((f) => join(work, 'out', f))[0],
        )})`,
      ),
      traces: floorStep(`tracesFloor(${JSON.stringify(db)})`),
      workbooks: floorStep(`workbooksFloor(${JSON.stringify(join(work, 'out'))})`),
      ledger: floorStep(`ledgerFloor(${JSON.stringify(db)}, ${JSON.stringify(join(work, 'floor.db'))})`),
    };
  }
  row.ledgerBytes = statSync(db).size + (existsSync(db + '-wal') ? statSync(db + '-wal').size : 0);
  const said = row.full.extra;
  row.lines = adjudicated(said);
  row.check = /核对：读取 (\d+) = 审核 (\d+) \+ 无效 (\d+)；金额守恒一致/.exec(said)?.[0] ?? '（无核对行）';
  row.funds = Object.fromEntries([...said.matchAll(/（([^（）]+)）：¥([\d,.-]+)/g)].map((m) => [m[1], m[2]]));
  if (chunked) {
    process.stderr.write('按 100 行分批审核（每批一次运行）… ');
    rmSync(join(work, 'chunked.db'), { force: true });
    row.chunked = child(
      MEASURE(`const { chunkedRun } = await import('./scripts/bench-chunked.mjs');
const r = await chunkedRun(${JSON.stringify({ claims: join(dir, 'claims.xlsx'), roster: join(dir, 'roster.xlsx'), policies: ['th-2021', 'ln-as-2022'], ledgerPath: join(work, 'chunked.db') })});
return { rows: r.rowsRead, extra: r };`),
    );
  }
  results.push(row);
  process.stderr.write('完成\n');
}

const f1 = (x) => x.toFixed(1);
const rate = (r) => (r.rows ? Math.round(r.rows / r.seconds).toLocaleString('en-US') : '—');
console.log(
  `\nassist 基准 — ${new Date().toISOString().slice(0, 10)}，${cpus().length} 核 ${cpus()[0]?.model ?? ''}，内存 ${Math.round(totalmem() / 2 ** 30)} GiB，Node ${process.version}`,
);
console.log('| 行数 | 测量 | 用时 (s) | 行/秒 | 峰值 RSS (MB) | CPU（核·秒） |');
console.log('|---:|---|---:|---:|---:|---:|');
for (const r of results) {
  console.log(
    `| ${r.n.toLocaleString('en-US')} | 下限：只解压工作表部件（zlib，不解析，${Math.round(r.floor.extra / 1e6)} MB XML） | ${f1(r.floor.seconds)} | — | ${r.floor.rssMB} | ${f1(r.floor.cpu)} |`,
  );
  if (r.peer)
    console.log(
      `| ${r.n.toLocaleString('en-US')} | 对照：exceljs 流式读取（读取每个单元格） | ${f1(r.peer.seconds)} | ${rate(r.peer)} | ${r.peer.rssMB} | ${f1(r.peer.cpu)} |`,
    );
  console.log(
    `| ${r.n.toLocaleString('en-US')} | 本工具：读取结算明细 | ${f1(r.ours.seconds)} | ${rate(r.ours)} | ${r.ours.rssMB} | ${f1(r.ours.cpu)} |`,
  );
  console.log(
    `| ${r.n.toLocaleString('en-US')} | 本工具：完整 adjudicate（单核，不用 worker） | ${f1(r.fullOne.seconds)} | ${rate(r.fullOne)} | ${r.fullOne.rssMB} | ${f1(r.fullOne.cpu)} |`,
  );
  console.log(
    `| ${r.n.toLocaleString('en-US')} | 本工具：完整 adjudicate（结算明细在第二核的 worker 中读取、排序入库） | ${f1(r.full.seconds)} | ${rate(r.full)} | ${r.full.rssMB} | ${f1(r.full.cpu)} |`,
  );
  if (r.chunked)
    console.log(
      `| ${r.n.toLocaleString('en-US')} | 核对：同一月份按约 100 行分批审核（${r.chunked.extra.runs} 次运行、各自提交，累计额经台账结转） | ${f1(r.chunked.seconds)} | ${rate(r.chunked)} | ${r.chunked.rssMB} | ${f1(r.chunked.cpu)} |`,
    );
}
console.log('');
for (const r of results) {
  const pre = `${r.n.toLocaleString('en-US')} 行：`;
  if (r.peer) {
    console.log(
      `${pre}完整审核 / exceljs 读取 = ${(r.full.seconds / r.peer.seconds).toFixed(2)}；本工具读取 / exceljs 读取（用时）= ${(r.ours.seconds / r.peer.seconds).toFixed(2)}，行/秒为 exceljs 的 ${(r.peer.seconds / r.ours.seconds).toFixed(1)} 倍`,
    );
  }
  if (r.chunked) {
    const c = r.chunked.extra;
    const same = JSON.stringify(c.funds) === JSON.stringify(Object.fromEntries(Object.entries(r.funds).sort()));
    const lines = `读取 ${c.rowsRead} = 审核 ${c.lines} + 无效 ${c.invalid}`;
    console.log(
      `${pre}分批审核与一次审核${same && c.lines === r.lines ? '一致' : '不一致（！）'}：${Object.entries(c.funds)
        .map(([f, v]) => `${f} ¥${v}${r.funds[f] === v ? '' : `（一次审核 ¥${r.funds[f] ?? '—'}）`}`)
        .join('，')}；${lines}；ledger check ${c.problems ? `${c.problems} 个问题（！）` : '通过'}`,
    );
  }
  console.log(
    `${pre}完整审核（用第二核）各阶段：${phases(r.full.stderr)
      .map(([p, d]) => `${p} ${f1(d)} s`)
      .join('，')}；共用 CPU ${f1(r.full.cpu)} 核·秒（${f1(r.full.cpu / r.full.seconds)} 核）`,
  );
  // the 概览 (issue 20 §5): the year's months from the ledger (main thread) and the charts with the sheet and
  // the HTML page (the settlement worker), each timed where it runs
  const overview = [...r.full.stderr.matchAll(/\[计时·概览\] (\S+) ([\d.]+) s/g)];
  if (overview.length)
    console.log(
      `${pre}概览：${overview.map((m) => `${m[1]} ${m[2]} s`).join('，')}；合计 ${f1(overview.reduce((a, m) => a + Number(m[2]), 0))} s（含在“结算表”阶段中）`,
    );
  if (r.floors) {
    const f = r.floors;
    const GB = (b) => (b / 1e9).toFixed(2);
    const sum = f.inflate.seconds + f.jsonl.seconds + f.traces.seconds + f.workbooks.seconds + f.ledger.seconds;
    console.log(
      `${pre}必需工作的下限（单线程，只计该操作本身）：解压两份输入的工作表 ${GB(f.inflate.bytes)} GB ${f1(f.inflate.seconds)} s；results.jsonl 的 ${f.jsonl.objects} 个对象 JSON.stringify + UTF-8 ${GB(f.jsonl.bytes)} GB ${f1(f.jsonl.seconds)} s；台账计算过程 ${GB(f.traces.bytes)} GB 以 brotli 1 级压缩 ${f1(f.traces.seconds)} s（→ ${Math.round(f.traces.stored / 1e6)} MB）；输出工作簿 ${f.workbooks.files} 个、工作表 XML ${GB(f.workbooks.bytes)} GB 的 UTF-8 编码 + deflate 1 级 ${f1(f.workbooks.seconds)} s；SQLite 以台账自己的表、索引与设置存入本次的 ${f.ledger.rows} 行（明细、结果、累计额，INSERT … SELECT，无逐行 JavaScript）${f1(f.ledger.seconds)} s；合计 ${f1(sum)} 核·秒（未计解析、校验、排序、名单合并、引擎、生成计算过程与 XML、逐行绑定与调用、哈希）`,
    );
    if (r.peer) {
      const budget = cpus().length * r.peer.seconds;
      const us = (cs) => Math.round((cs / Math.max(1, r.lines)) * 1e6);
      console.log(
        `${pre}≤ 1.0 的目标 = ${f1(r.peer.seconds)} s 墙钟，${cpus().length} 核满载也只有 ${f1(budget)} 核·秒；扣除下限 ${f1(sum)}，余 ${f1(budget - sum)} 核·秒，即每行 ${us(budget - sum)} µs 留给下限未计的全部工作；本次完整审核在这些工作上用了 ${f1(r.full.cpu - sum)} 核·秒，每行 ${us(r.full.cpu - sum)} µs`,
      );
    }
  }
  console.log(
    `${pre}第二核的收益：${f1(r.fullOne.seconds)} s → ${f1(r.full.seconds)} s；台账 ${Math.round(r.ledgerBytes / 1e6)} MB，每行 ${Math.round(r.ledgerBytes / Math.max(1, r.lines))} 字节（${r.lines} 行）；${r.check}`,
  );
}
for (const r of results) {
  const list = (xs) => xs.map((x) => `${f1(x.seconds)} s/${x.rssMB} MB`).join('、');
  console.log(
    `${r.n.toLocaleString('en-US')} 行：三次读取（表中取中位数）——下限 ${list(r.readRuns.floor)}；${r.readRuns.peer.length ? `exceljs ${list(r.readRuns.peer)}；` : ''}本工具 ${list(r.readRuns.ours)}`,
  );
}
if (results.length === 2)
  console.log(
    `扩展比 time(${results[0].n}) / time(${results[1].n})：完整审核 ${(results[0].full.seconds / results[1].full.seconds).toFixed(1)}，读取 ${(results[0].ours.seconds / results[1].ours.seconds).toFixed(1)}`,
  );
