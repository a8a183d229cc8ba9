// npm run demo: the bundled demo month as four bureaus would run it — Liaoning AS, Jinzhou, Qingdao, Tinghu —
// each with its own config, claims, roster and ledger (fixtures/demo/<bureau>/), writing into out/demo/<bureau>/.
// Besides adjudicate it writes every report a bureau prints (Jinzhou monthly, publicity, Tinghu subsidy and
// annual), reconciles an unchanged disbursement list, validates a claims file, and checks each ledger.
// Each step stops the demo when it fails; out/demo is emptied first, so each demo starts from fresh ledgers.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const demo = 'fixtures/demo';
const cfg = (b) => ['--config', `${demo}/${b}/assist.config.json`];
const steps = [
  ['adjudicate', `${demo}/liaoning/claims.xlsx`, ...cfg('liaoning'), '--html'],
  ['adjudicate', `${demo}/jinzhou/claims.xlsx`, ...cfg('jinzhou'), '--html'],
  ['report', 'jinzhou-monthly', '--month', '2019-05', ...cfg('jinzhou'), '--html'],
  ['adjudicate', `${demo}/qingdao/claims.xlsx`, ...cfg('qingdao'), '--html'],
  ['report', 'publicity', '--policy', 'qd-rigid-2018', '--month', '2024-06', ...cfg('qingdao')],
  ['adjudicate', `${demo}/tinghu/claims.xlsx`, `${demo}/tinghu/claims-gb18030.csv`, ...cfg('tinghu'), '--html'],
  ['report', 'publicity', '--policy', 'th-2021', '--month', '2024-06', ...cfg('tinghu')],
  ['report', 'th-service-subsidy', '--year', '2024', ...cfg('tinghu')],
  ['report', 'th-annual', '--year', '2024', ...cfg('tinghu')],
  [
    'reconcile',
    'out/demo/tinghu/2024-06/disbursement-th-2021.district-2024-06.xlsx',
    '--fund',
    'th-2021.district',
    '--month',
    '2024-06',
    ...cfg('tinghu'),
  ],
  ['validate', `${demo}/tinghu/claims.xlsx`, `${demo}/tinghu/roster.xlsx`, '--out', 'out/demo/tinghu/validation'],
  ...['liaoning', 'jinzhou', 'qingdao', 'tinghu'].map((b) => ['ledger', 'check', ...cfg(b)]),
];
rmSync('out/demo', { recursive: true, force: true });
for (const args of steps) {
  process.stdout.write(`\n$ assist ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, ['bin/assist.js', ...args], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 3);
}
