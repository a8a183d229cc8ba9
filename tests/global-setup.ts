import { execFileSync } from 'node:child_process';
// End-to-end tests run the built CLI: build once before the suite (npm ci already did; this keeps it fresh).
export default function setup(): void {
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
}
