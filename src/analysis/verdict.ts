/**
 * The verdict: the rule that decides whether an image passes. Only the judge (judge.ts) asks it, for
 * `check`, `inspect`, `check --manifest-only` and comment mode; renderers receive the verdict it gave.
 */
import type { BudgetCheck, Finding, Severity } from '../types/report.js';
import { matchFindings } from './finding.js';

/**
 * `new-error` is the ratchet: only error findings the baseline does not have (and budget breaches) fail.
 * With no baseline it judges as `error` does, and says so.
 */
export type FailOn = 'error' | 'warning' | 'never' | 'new-error';

export const FAIL_ON_LEVELS: readonly FailOn[] = ['error', 'warning', 'new-error', 'never'];

/** `budgets-only`: sizes and growth are judged; rule findings are reported, never judged. */
export type Preset = 'budgets-only';

export const PRESETS: readonly Preset[] = ['budgets-only'];

/** error < warning < info: the order findings are listed and ranked in, everywhere. */
export const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Every severity, in rank order: what a config file, an input or a saved report may say. */
export const SEVERITIES = Object.keys(SEVERITY_RANK) as readonly Severity[];

type VerdictStatus = 'pass' | 'warn' | 'fail';

export interface Verdict {
  /** The image against the policy. `fail-on: never` judges as `error` does, so this still means something. */
  status: VerdictStatus;
  /** The step fails (a required check blocks the merge). */
  blocking: boolean;
  failOn: FailOn;
  preset?: Preset;
  errors: number;
  warnings: number;
  infos: number;
  /** Error findings the baseline does not have (all of them without a baseline). */
  newErrors: number;
  /** Error findings that count against the policy: what `fail-on` and the preset judge. */
  judgedErrors: number;
  /**
   * Under the ratchet with a baseline: error findings main already has. They are listed, never blocking.
   * Budget breaches are never debt.
   */
  debt: Finding[];
  /** `new-error` only: whether it compared with a baseline, or judged as `error` for want of one. */
  ratchet?: 'compared' | 'no-baseline';
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

/** What the verdict needs of the policy. */
export interface VerdictPolicy {
  failOn: FailOn;
  preset?: Preset | undefined;
}

export interface VerdictOptions {
  /** The override label, and whether the pull request has it now. */
  override?: { label: string; applied: boolean } | undefined;
  /** The baseline's findings (main's report); null or undefined when there is no baseline. */
  baseline?: readonly Finding[] | null | undefined;
  /**
   * Whether the baseline's vulnerabilities were looked up: when they were not, its findings cannot say which
   * known vulnerabilities are main's, so none is counted as new (main's backlog never fails a PR).
   */
  baselineVulnerabilities?: boolean;
}

/**
 * Budget breaches (SG101–SG105, the `size` category) are judged under every preset and are never debt; so is
 * an unchecked vulnerability look-up under a vulnerability budget (SG802).
 */
const isBudget = (f: Finding): boolean => f.category === 'size' || f.id === 'SG802';

/** A known vulnerability (SG801): always under the ratchet, whatever fail-on says. */
const isVuln = (f: Finding): boolean => f.vulnerability !== undefined;

/**
 * `fail-on: error` fails on an error finding (a budget breach is one), `warning` on a warning too, `new-error`
 * on an error finding the baseline lacks or a budget breach, and `never` never blocks. `preset: budgets-only`
 * judges the budget findings alone. A set override label turns a failure into a non-blocking one.
 */
export function decideVerdict(
  judged: Judged,
  policy: FailOn | VerdictPolicy,
  opts: VerdictOptions = {},
): Verdict {
  const { failOn, preset } = typeof policy === 'string' ? { failOn: policy, preset: undefined } : policy;
  const { override } = opts;
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  for (const f of judged.findings) {
    if (f.severity === 'error') errors++;
    else if (f.severity === 'warning') warnings++;
    else infos++;
  }
  const errorFindings = judged.findings.filter((f) => f.severity === 'error');
  const baseline = opts.baseline ?? null;
  // Matched by rule and subject (findingKey), as the diff matches them: the comment and the verdict agree.
  const added = baseline ? matchFindings(baseline, errorFindings).added : errorFindings;
  const fresh = new Set(added);
  const newErrors = added.length;
  const ratchet = failOn === 'new-error' ? (baseline ? 'compared' : 'no-baseline') : undefined;
  const inScope = (f: Finding): boolean =>
    preset !== 'budgets-only' || isBudget(f) || isVuln(f) || f.category === 'vulnerability';
  const vulnCounts = (f: Finding): boolean =>
    !baseline || (opts.baselineVulnerabilities !== false && fresh.has(f));
  const counts = (f: Finding): boolean =>
    inScope(f) && (isVuln(f) ? vulnCounts(f) : ratchet !== 'compared' || isBudget(f) || fresh.has(f));
  const judgedErrors = errorFindings.filter(counts).length;
  const judgedWarnings = judged.findings.filter((f) => f.severity === 'warning' && inScope(f)).length;
  const debt = errorFindings.filter(
    (f) => inScope(f) && !counts(f) && (ratchet === 'compared' || (isVuln(f) && baseline)),
  );
  const failing = judgedErrors > 0 || (failOn === 'warning' && judgedWarnings > 0);
  // Unjudged errors (debt, or rule findings under budgets-only) still show: the image is not clean.
  const unjudged = errors - judgedErrors;
  const overridden = failing && failOn !== 'never' && override?.applied === true;
  return {
    status: failing ? 'fail' : warnings > 0 || unjudged > 0 ? 'warn' : 'pass',
    blocking: failing && failOn !== 'never' && !overridden,
    failOn,
    ...(preset ? { preset } : {}),
    errors,
    warnings,
    infos,
    newErrors,
    judgedErrors,
    debt,
    ...(ratchet ? { ratchet } : {}),
    breaches: judged.budget.checks.filter((c) => !c.passed && !c.skipped),
    ...(overridden && override ? { overriddenBy: override.label } : {}),
  };
}

/** One platform's verdict, as decideVerdict gave it. */
export interface PlatformVerdict {
  platform: string;
  verdict: Verdict;
}

export interface CombinedVerdict {
  /** The worst status of any platform. */
  status: VerdictStatus;
  /** The step fails when any platform's verdict blocks. */
  blocking: boolean;
  /** The platforms whose verdict is `fail`, in the order given. */
  failing: string[];
}

const STATUS_RANK: Record<VerdictStatus, number> = { pass: 0, warn: 1, fail: 2 };

/** Several platforms, one check: it fails when any platform fails. Each verdict is decideVerdict's. */
export function combineVerdicts(each: readonly PlatformVerdict[]): CombinedVerdict {
  let status: VerdictStatus = 'pass';
  for (const { verdict } of each)
    if (STATUS_RANK[verdict.status] > STATUS_RANK[status]) status = verdict.status;
  return {
    status,
    blocking: each.some((e) => e.verdict.blocking),
    failing: each.filter((e) => e.verdict.status === 'fail').map((e) => e.platform),
  };
}
