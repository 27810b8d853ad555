/**
 * The judge (pure), and the only caller of the verdict (verdict.ts): every path that needs pass/fail asks
 * here. A check report's budgets are evaluated here, once, when its baseline is known; then its findings,
 * under fail-on, the ratchet and the override label. `report.passed` is written here and nowhere else.
 *
 * - judgeReport: `check` (CLI and action), once per platform, with its baseline and the override label;
 * - judgeInventory: `inspect`, which has no policy: fail-on error over the integrity findings;
 * - judgeManifest: `check --manifest-only`, the budgets the manifests answer;
 * - judgeSaved: comment mode, a report read back with the budgets it was judged with.
 */
import type { BudgetCheck, Finding, ManifestCheck, ManifestSummary, Report } from '../types/report.js';
import { budgetInputOf, evaluateBudgets } from './budget.js';
import { BUDGETS } from './budget-table.js';
import { complete } from './finding.js';
import { applyPolicy, sortFindings, type Policy } from './policy.js';
import { decideVerdict, type Verdict, type VerdictOptions, type VerdictPolicy } from './verdict.js';

/** The budget findings (SG101–SG105): recomputed whenever the baseline changes. */
const BUDGET_IDS = new Set<string>(BUDGETS.map((b) => b.id));

/**
 * The verdict's fields of a report not judged yet: a report is built with these and judged once, here.
 * `passed: false` until then, so that a report nobody judged never reads as a pass.
 */
export function unjudged(): Pick<Report, 'budget' | 'passed'> {
  return { budget: { passed: true, checks: [] }, passed: false };
}

/** The verdict's fields of a Report. `passed` is the verdict without the override label: the image's own. */
function verdictFields(
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
 * A check report judged against its baseline: its budgets (max-growth needs the baseline's size), the
 * other findings as they are, and the verdict. Returns the report with its verdict fields, and the verdict.
 * Budget findings already in the report (one judged before) are replaced, never counted twice.
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

/** `inspect`: no policy and no budgets; it passes unless an integrity finding is an error. */
export function judgeInventory(report: Report): Report {
  return { ...report, passed: !decideVerdict(report, 'error').blocking };
}

/**
 * `check --manifest-only`: the budgets the manifests answer, judged as a full check judges them. A budget
 * breach is a finding (SG101–SG105), so the policy may disable or re-rate it, as in a full check.
 */
export function judgeManifest(summary: ManifestSummary, policy: Policy): ManifestCheck {
  const budget = evaluateBudgets(
    {
      uncompressed: 0,
      compressed: summary.compressedSize,
      layers: summary.layers,
      wasted: 0,
      storedUncompressed: summary.storedUncompressed,
    },
    policy, // the engine refuses a policy with budgets that need the layers
  );
  const findings = applyPolicy(budget.findings.map(complete), policy);
  const passed = !decideVerdict({ findings, budget }, policy).blocking;
  return {
    schemaVersion: 1,
    kind: 'manifest-check',
    summary,
    budget: { passed: budget.passed, checks: budget.checks },
    passed,
  };
}

/**
 * Comment mode: a report read back (with the budgets it was judged by, which the saved report holds) and
 * its baseline's, under the fail-on and preset the check ran with, and the override label as it is now.
 */
export function judgeSaved(
  report: Report,
  policy: VerdictPolicy,
  opts: { override?: VerdictOptions['override']; baseline: Report | null },
): Verdict {
  return decideVerdict(report, policy, {
    override: opts.override,
    baseline: opts.baseline?.findings ?? null,
  });
}
