/**
 * Budgets (pure): max-size (uncompressed), max-compressed-size, max-layers, max-wasted and max-growth
 * against a baseline. Every configured budget is reported with its limit, the actual value and pass/fail;
 * a breach is also a finding (SG101–SG105), so that it can be re-rated like any rule and shows in the
 * comment's findings.
 */
import { layersStoredUncompressed } from '../sources/model/image.js';
import type { Flattened } from '../flatten/flatten.js';
import type { ScannedImage } from '../scan/scan-layers.js';
import type { BudgetCheck, Report } from '../types/report.js';
import { formatBytes } from '../util/bytes.js';
import type { RawFinding } from './finding.js';
import { BUDGETS, type BudgetSpec } from './budget-table.js';
import type { Policy } from './policy.js';

export interface BudgetInput {
  uncompressed: number;
  compressed: number;
  layers: number;
  wasted: number;
  /** Every layer is stored uncompressed (docker save): the compressed size is not known. */
  storedUncompressed: boolean;
}

export interface BudgetResult {
  passed: boolean;
  checks: BudgetCheck[];
  findings: RawFinding[];
}

function pct(n: number): string {
  const r = Math.round(n * 10) / 10;
  return `${r > 0 ? '+' : ''}${r}%`;
}

type Row = BudgetSpec;
type Baseline = { uncompressed: number; source?: string } | null | undefined;
type Outcome = { check: BudgetCheck; finding?: RawFinding };

/** A size or a count against its limit: the check, and a finding when it is over. */
function measured(row: Row, limit: number, input: BudgetInput): Outcome {
  const actual = input[row.measure];
  const passed = actual <= limit;
  if (row.unit === 'layers') {
    const layers = `${actual} layer${actual === 1 ? '' : 's'}`;
    return {
      check: {
        name: row.name,
        limit,
        actual,
        passed,
        unit: 'layers',
        detail: `${layers}, limit ${limit}`,
      },
      ...(passed
        ? {}
        : {
            finding: { id: row.id, message: `${row.name}: ${layers} is over the budget of ${limit}` },
          }),
    };
  }
  // The stored size only bounds the compressed size from above: over the limit, it cannot fail the budget.
  if (row.storedBound && input.storedUncompressed && !passed)
    return {
      check: {
        name: row.name,
        limit,
        actual,
        passed: true,
        unit: 'bytes',
        skipped: true,
        detail:
          `the archive stores layers uncompressed (${formatBytes(actual)}), so the compressed size is ` +
          'unknown; check a registry image or an OCI archive',
      },
    };
  const label = row.storedBound && input.storedUncompressed ? 'stored' : row.measure;
  return {
    check: {
      name: row.name,
      limit,
      actual,
      passed,
      unit: 'bytes',
      detail: `${formatBytes(actual)} ${label}, limit ${formatBytes(limit)}`,
    },
    ...(passed
      ? {}
      : {
          finding: {
            id: row.id,
            message: `${row.name}: ${formatBytes(actual)} ${label} is over the ${formatBytes(limit)} budget by ${formatBytes(actual - limit)}`,
          },
        }),
  };
}

/** Growth against the baseline: skipped (and said) without one. */
function growth(
  row: Row,
  g: NonNullable<Policy['maxGrowth']>,
  input: BudgetInput,
  baseline: Baseline,
): Outcome {
  const shownLimit = 'percent' in g ? `${g.percent}%` : formatBytes(g.bytes);
  if (!baseline)
    return {
      check: {
        name: row.name,
        limit: 'percent' in g ? 0 : g.bytes,
        actual: 0,
        passed: true,
        unit: 'bytes',
        skipped: true,
        detail: `no baseline${baseline === null ? ' could be found' : ' was given'}; growth (limit ${shownLimit}) not checked`,
      },
    };
  const delta = input[row.measure] - baseline.uncompressed;
  const limit = 'percent' in g ? Math.floor((baseline.uncompressed * g.percent) / 100) : g.bytes;
  const passed = delta <= limit;
  const rel = baseline.uncompressed > 0 ? ` (${pct((delta / baseline.uncompressed) * 100)})` : '';
  return {
    check: {
      name: row.name,
      limit,
      actual: delta,
      passed,
      unit: 'bytes',
      detail:
        `${delta >= 0 ? '+' : ''}${formatBytes(delta)}${rel} uncompressed against the baseline ` +
        `(${formatBytes(baseline.uncompressed)}), limit ${shownLimit}${'percent' in g ? ` = ${formatBytes(limit)}` : ''}`,
    },
    ...(passed
      ? {}
      : {
          finding: {
            id: row.id,
            message: `${row.name}: the image grew by ${formatBytes(delta)}${rel} uncompressed against the baseline, over the ${shownLimit} budget`,
          },
        }),
  };
}

/**
 * Every budget the policy sets, in the table's order: each row's measure against its limit (the Policy
 * field). `baseline`: undefined when none was asked for, null when one was asked for but is not available.
 */
export function evaluateBudgets(input: BudgetInput, policy: Policy, baseline?: Baseline): BudgetResult {
  const checks: BudgetCheck[] = [];
  const findings: RawFinding[] = [];
  for (const row of BUDGETS as readonly BudgetSpec[]) {
    const limit = policy[row.key];
    if (limit === undefined) continue;
    const o = typeof limit === 'number' ? measured(row, limit, input) : growth(row, limit, input, baseline);
    checks.push(o.check);
    if (o.finding) findings.push(o.finding);
  }
  return { passed: checks.every((c) => c.passed), checks, findings };
}

/** What the budgets measure, straight from the scanned image and its flattened file system. */
export function measureImage(image: ScannedImage, flat: Flattened): BudgetInput {
  return {
    uncompressed: flat.uncompressed,
    compressed: image.layers.reduce((n, l) => n + l.compressedSize, 0),
    layers: image.layers.length,
    wasted: flat.wasted,
    storedUncompressed: layersStoredUncompressed(image.layers),
  };
}

/** The same, from a finished report (the action re-judges a report once its baseline is known). */
export function budgetInputOf(report: Report): BudgetInput {
  return {
    uncompressed: report.size.uncompressed,
    compressed: report.size.compressed,
    layers: report.layers.length,
    wasted: report.size.wasted,
    storedUncompressed: layersStoredUncompressed(report.layers),
  };
}
