/**
 * The verdict: the one place that decides whether an image passes. The engine (report.passed and the
 * exit code), `check --manifest-only`, the action, comment mode and every renderer ask it.
 */
import type { BudgetCheck, Finding, Severity } from '../types/report.js';

export type FailOn = 'error' | 'warning' | 'never';

export const FAIL_ON_LEVELS: readonly FailOn[] = ['error', 'warning', 'never'];

/** error < warning < info: the order findings are listed and ranked in, everywhere. */
export const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export type VerdictStatus = 'pass' | 'warn' | 'fail';

export interface Verdict {
  /** The image against the policy. `fail-on: never` judges as `error` does, so this still means something. */
  status: VerdictStatus;
  /** The step fails (a required check blocks the merge). */
  blocking: boolean;
  failOn: FailOn;
  errors: number;
  warnings: number;
  infos: number;
  /** Budget checks that failed (they are findings too, SG101–SG105, so they already count above). */
  breaches: BudgetCheck[];
  /** Set when a failure was turned into a warning by the override label. */
  overriddenBy?: string;
}

export interface Judged {
  /** The findings after the policy (disabled rules dropped, severities re-rated, paths ignored). */
  findings: readonly Finding[];
  budget: { checks: readonly BudgetCheck[] };
}

/**
 * `fail-on: error` fails on an error finding (a budget breach is one), `warning` on a warning too, and
 * `never` never blocks. A set override label turns a failure into a non-blocking one.
 */
export function decideVerdict(
  judged: Judged,
  failOn: FailOn,
  override?: { label: string; applied: boolean },
): Verdict {
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  for (const f of judged.findings) {
    if (f.severity === 'error') errors++;
    else if (f.severity === 'warning') warnings++;
    else infos++;
  }
  const failing = errors > 0 || (failOn === 'warning' && warnings > 0);
  const overridden = failing && failOn !== 'never' && override?.applied === true;
  return {
    status: failing ? 'fail' : warnings > 0 ? 'warn' : 'pass',
    blocking: failing && failOn !== 'never' && !overridden,
    failOn,
    errors,
    warnings,
    infos,
    breaches: judged.budget.checks.filter((c) => !c.passed && !c.skipped),
    ...(overridden && override ? { overriddenBy: override.label } : {}),
  };
}
