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
import { BUDGETS, type BudgetName } from './budget-table.js';
import type { Policy } from './policy.js';

/** The rule id of each budget's breach. */
const BUDGET_ID = Object.fromEntries(BUDGETS.map((b) => [b.name, b.id])) as Record<BudgetName, string>;

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

/** `baseline`: undefined when none was asked for, null when one was asked for but is not available. */
export function evaluateBudgets(
  input: BudgetInput,
  policy: Policy,
  baseline?: { uncompressed: number; source?: string } | null,
): BudgetResult {
  const checks: BudgetCheck[] = [];
  const findings: RawFinding[] = [];
  const bytesCheck = (name: BudgetName, limit: number, actual: number, label: string): void => {
    const passed = actual <= limit;
    checks.push({
      name,
      limit,
      actual,
      passed,
      unit: 'bytes',
      detail: `${formatBytes(actual)} ${label}, limit ${formatBytes(limit)}`,
    });
    if (!passed) {
      findings.push({
        id: BUDGET_ID[name],
        message: `${name}: ${formatBytes(actual)} ${label} is over the ${formatBytes(limit)} budget by ${formatBytes(actual - limit)}`,
      });
    }
  };
  if (policy.maxSize !== undefined)
    bytesCheck('max-size', policy.maxSize, input.uncompressed, 'uncompressed');
  if (policy.maxCompressedSize !== undefined) {
    const limit = policy.maxCompressedSize;
    if (input.storedUncompressed && input.compressed > limit) {
      // The stored size only bounds the compressed size from above: it cannot fail the budget.
      checks.push({
        name: 'max-compressed-size',
        limit,
        actual: input.compressed,
        passed: true,
        unit: 'bytes',
        skipped: true,
        detail:
          `the archive stores layers uncompressed (${formatBytes(input.compressed)}), so the compressed size is ` +
          'unknown; check a registry image or an OCI archive',
      });
    } else
      bytesCheck(
        'max-compressed-size',
        limit,
        input.compressed,
        input.storedUncompressed ? 'stored' : 'compressed',
      );
  }
  if (policy.maxLayers !== undefined) {
    const passed = input.layers <= policy.maxLayers;
    checks.push({
      name: 'max-layers',
      limit: policy.maxLayers,
      actual: input.layers,
      passed,
      unit: 'layers',
      detail: `${input.layers} layers, limit ${policy.maxLayers}`,
    });
    if (!passed)
      findings.push({
        id: BUDGET_ID['max-layers'],
        message: `max-layers: ${input.layers} layers is over the budget of ${policy.maxLayers}`,
      });
  }
  if (policy.maxWasted !== undefined) bytesCheck('max-wasted', policy.maxWasted, input.wasted, 'wasted');
  if (policy.maxGrowth !== undefined) {
    const g = policy.maxGrowth;
    const shownLimit = 'percent' in g ? `${g.percent}%` : formatBytes(g.bytes);
    if (!baseline) {
      checks.push({
        name: 'max-growth',
        limit: 'percent' in g ? 0 : g.bytes,
        actual: 0,
        passed: true,
        unit: 'bytes',
        skipped: true,
        detail: `no baseline${baseline === null ? ' could be found' : ' was given'}; growth (limit ${shownLimit}) not checked`,
      });
    } else {
      const delta = input.uncompressed - baseline.uncompressed;
      const limit = 'percent' in g ? Math.floor((baseline.uncompressed * g.percent) / 100) : g.bytes;
      const passed = delta <= limit;
      const rel = baseline.uncompressed > 0 ? ` (${pct((delta / baseline.uncompressed) * 100)})` : '';
      checks.push({
        name: 'max-growth',
        limit,
        actual: delta,
        passed,
        unit: 'bytes',
        detail:
          `${delta >= 0 ? '+' : ''}${formatBytes(delta)}${rel} uncompressed against the baseline ` +
          `(${formatBytes(baseline.uncompressed)}), limit ${shownLimit}${'percent' in g ? ` = ${formatBytes(limit)}` : ''}`,
      });
      if (!passed) {
        findings.push({
          id: BUDGET_ID['max-growth'],
          message: `max-growth: the image grew by ${formatBytes(delta)}${rel} uncompressed against the baseline, over the ${shownLimit} budget`,
        });
      }
    }
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
