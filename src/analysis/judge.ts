/**
 * Judging a check report (pure): its budgets against the baseline (max-growth), then the verdict under
 * fail-on, the ratchet and the override label. The engine judges each platform here once, when the
 * baseline and the label are known; a report read back from an artifact is judged here too.
 */
import type { BudgetCheck, Finding, Report } from '../types/report.js';
import { budgetInputOf, evaluateBudgets } from './budget.js';
import { BUDGETS } from './budget-table.js';
import { complete } from './finding.js';
import { applyPolicy, sortFindings, type Policy } from './policy.js';
import { decideVerdict, type Verdict, type VerdictOptions } from './verdict.js';

/** The budget findings (SG101–SG105): recomputed whenever the baseline changes. */
const BUDGET_IDS = new Set<string>(BUDGETS.map((b) => b.id));

/** The verdict's fields of a Report. `passed` is the verdict without the override label: the image's own. */
export function verdictFields(
  findings: Finding[],
  budget: { passed: boolean; checks: BudgetCheck[] },
  policy: Policy,
  baselineFindings: readonly Finding[] | undefined,
  override?: VerdictOptions['override'],
  baselineVulnerabilities?: boolean,
): Pick<Report, 'findings' | 'budget' | 'passed'> & { verdict: NonNullable<Report['verdict']> } & {
  decided: Verdict;
} {
  const v = decideVerdict({ findings, budget }, policy, {
    baseline: baselineFindings ?? null,
    override,
    ...(baselineVulnerabilities !== undefined ? { baselineVulnerabilities } : {}),
  });
  return {
    findings,
    budget: { passed: budget.passed, checks: budget.checks },
    passed: !v.blocking && !v.overriddenBy,
    verdict: {
      failOn: v.failOn,
      ...(v.preset ? { preset: v.preset } : {}),
      errors: v.errors,
      warnings: v.warnings,
      infos: v.infos,
      newErrors: v.newErrors,
    },
    decided: v,
  };
}

export interface JudgeOptions {
  /** The baseline's report: undefined when none was asked for, null when one was asked for and not found. */
  baseline?: Report | null;
  /** The override label, and whether the pull request carries it now. */
  override?: VerdictOptions['override'];
}

/**
 * A check report judged against its baseline: budgets again (max-growth needs the baseline's size), the
 * other findings as they are, and the verdict. Returns the report with its verdict fields, and the verdict.
 */
export function judgeReport(
  report: Report,
  policy: Policy,
  opts: JudgeOptions = {},
): { report: Report; verdict: Verdict } {
  const { baseline } = opts;
  const budget = evaluateBudgets(
    budgetInputOf(report),
    policy,
    baseline ? { uncompressed: baseline.size.uncompressed, source: baseline.image.source } : baseline,
  );
  const kept = report.findings.filter((f) => !BUDGET_IDS.has(f.id));
  const findings = sortFindings([...kept, ...applyPolicy(budget.findings.map(complete), policy)]);
  const { decided, ...fields } = verdictFields(
    findings,
    budget,
    policy,
    baseline?.findings,
    opts.override,
    baseline ? baseline.vulnerabilities?.checked === true : undefined,
  );
  return { report: { ...report, ...fields }, verdict: decided };
}
