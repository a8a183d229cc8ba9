// Works around npm/cli#4828: npm leaves other platforms' optional native packages out of
// package-lock.json, and npm 11's `npm ci` then refuses the lock as out of sync. The registry
// reachable here carries only this platform's binaries, so the missing entries are written from
// the package name (os/cpu) and the parent's pinned version; npm skips them on other platforms.
// Run after changing dependencies: node scripts/complete-lock.mjs
import { readFileSync, writeFileSync } from 'node:fs';
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const pkgs = lock.packages;
const OS = {
  android: 'android',
  darwin: 'darwin',
  freebsd: 'freebsd',
  linux: 'linux',
  openbsd: 'openbsd',
  netbsd: 'netbsd',
  sunos: 'sunos',
  win32: 'win32',
  aix: 'aix',
  openharmony: 'openharmony',
};
const CPU = {
  arm: 'arm',
  'arm-eabi': 'arm',
  arm64: 'arm64',
  x64: 'x64',
  ia32: 'ia32',
  loong64: 'loong64',
  ppc64: 'ppc64',
  riscv64: 'riscv64',
  s390x: 's390x',
  mips64el: 'mips64el',
  gnueabihf: 'arm',
  musleabihf: 'arm',
};
let added = 0;
for (const [path, meta] of Object.entries({ ...pkgs })) {
  for (const [name, range] of Object.entries(meta.optionalDependencies ?? {})) {
    if (pkgs[`node_modules/${name}`] || pkgs[`${path}/node_modules/${name}`]) continue;
    const parts = name.split('/').pop().split('-');
    const os = parts.find((p) => OS[p]);
    const cpu = parts.map((p, i) => CPU[p] ?? CPU[`${p}-${parts[i + 1]}`]).find(Boolean);
    const entry = { version: range.replace(/^[\^~=]/, ''), dev: meta.dev || undefined, optional: true };
    if (cpu) entry.cpu = [cpu];
    if (os) entry.os = [os];
    if (parts.includes('musl') || parts.includes('musleabihf')) entry.libc = ['musl'];
    if (parts.includes('gnu') || parts.includes('gnueabihf')) entry.libc = ['glibc'];
    pkgs[`node_modules/${name}`] = JSON.parse(JSON.stringify(entry));
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
);
writeFileSync('package-lock.json', JSON.stringify(lock, null, 2) + '\n');
console.log(`added ${added} optional entries`);
