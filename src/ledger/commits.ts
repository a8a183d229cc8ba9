// Whether this process has committed a run: after that, an interrupt must not say the ledger is unchanged
// (run/scratch.ts's signal handlers ask; the session tells).
let committed: number | null = null;

export function noteCommitted(runId: number): void {
  committed = runId;
}

/** The last run this process committed, or null. */
export function committedRun(): number | null {
  return committed;
}
