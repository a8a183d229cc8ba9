// npm run demo: adjudicates the bundled demo month into out/demo (a fresh ledger each time), then
// checks the ledger. Each step stops the demo when it fails.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const out = 'out/demo';
const ledger = `${out}/assist.db`;
const steps = [
  ['adjudicate', 'fixtures/demo/claims.xlsx', 'fixtures/demo/claims-gb18030.csv', '--config', 'fixtures/demo/assist.config.json', '--out', out, '--ledger', ledger],
  ['adjudicate', 'fixtures/demo/claims-jinzhou.xlsx', '--config', 'fixtures/demo/assist.config.json', '--policies', 'jz-21-2019', '--out', out, '--ledger', ledger],
  ['ledger', 'check', '--ledger', ledger],
];
rmSync(out, { recursive: true, force: true });
for (const args of steps) {
  process.stdout.write(`\n$ assist ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, ['bin/assist.js', ...args], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 3);
}
