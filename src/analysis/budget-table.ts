/**
 * The five budgets, once. This table drives the policy's keys, the parsing of flags, inputs and
 * .slimgate.yml (and its schema), the CLI's usage text, the budget checks' rule ids, the labels of the
 * comment, what `--manifest-only` can answer, and the evaluation (budget.ts reads each row's measure and
 * its limit, the Policy field). A sixth budget is a row here.
 */

/** How a budget's value is written: a size (25MB), a count (12), or a growth (10% or 2MB). */
export type BudgetValue = 'size' | 'count' | 'growth';

export interface BudgetSpec {
  /** The name of the flag, the action input and the .slimgate.yml key. */
  name: 'max-size' | 'max-compressed-size' | 'max-layers' | 'max-wasted' | 'max-growth';
  /** The Policy field. */
  key: 'maxSize' | 'maxCompressedSize' | 'maxLayers' | 'maxWasted' | 'maxGrowth';
  /** The rule id of a breach (src/analysis/catalog.ts). */
  id: 'SG101' | 'SG102' | 'SG103' | 'SG104' | 'SG105';
  value: BudgetValue;
  /** What it measures, as tables label it (every size says compressed or uncompressed). */
  label: string;
  /** The CLI's usage line after the flag and its placeholder. */
  usage: string;
  /** What answering it takes: the manifests alone, the layers' content, or the layers and a baseline. */
  needs: 'manifests' | 'layers' | 'baseline';
  /** What it measures (a field of budget.ts's BudgetInput; growth: uncompressed against the baseline's). */
  measure: 'uncompressed' | 'compressed' | 'layers' | 'wasted';
  /** The measure's unit, and the word after a size in the check's detail (`12 MB compressed`). */
  unit: 'bytes' | 'layers';
  /** The measure is the stored size, which only bounds a compressed size when layers are stored plain. */
  storedBound?: true;
}

export const BUDGETS = [
  {
    name: 'max-size',
    key: 'maxSize',
    id: 'SG101',
    value: 'size',
    label: 'size (uncompressed)',
    usage: 'uncompressed budget: 25MB (decimal), 24MiB (binary) or bytes',
    needs: 'layers',
    measure: 'uncompressed',
    unit: 'bytes',
  },
  {
    name: 'max-compressed-size',
    key: 'maxCompressedSize',
    id: 'SG102',
    value: 'size',
    label: 'size (compressed)',
    usage: 'compressed budget (the layers as stored or pushed)',
    needs: 'manifests',
    measure: 'compressed',
    unit: 'bytes',
    storedBound: true,
  },
  {
    name: 'max-layers',
    key: 'maxLayers',
    id: 'SG103',
    value: 'count',
    label: 'layers',
    usage: 'most layers the image may have',
    needs: 'manifests',
    measure: 'layers',
    unit: 'layers',
  },
  {
    name: 'max-wasted',
    key: 'maxWasted',
    id: 'SG104',
    value: 'size',
    label: 'wasted (uncompressed)',
    usage: 'bytes that later layers delete or overwrite',
    needs: 'layers',
    measure: 'wasted',
    unit: 'bytes',
  },
  {
    name: 'max-growth',
    key: 'maxGrowth',
    id: 'SG105',
    value: 'growth',
    label: 'growth (uncompressed)',
    usage: 'growth against the baseline: 2MB or 10%',
    needs: 'baseline',
    measure: 'uncompressed',
    unit: 'bytes',
  },
] as const satisfies readonly BudgetSpec[];

export type BudgetName = (typeof BUDGETS)[number]['name'];
export type BudgetKey = (typeof BUDGETS)[number]['key'];

export const BUDGET_NAMES: readonly BudgetName[] = BUDGETS.map((b) => b.name);
export const BUDGET_KEYS: readonly BudgetKey[] = BUDGETS.map((b) => b.key);

/** The row of a budget by its name, or undefined for a name that is not one (a saved report's). */
export function budgetSpec(name: string): BudgetSpec | undefined {
  return BUDGETS.find((b) => b.name === name);
}

/** The placeholder of a budget's value in usage text. */
export function valuePlaceholder(value: BudgetValue): string {
  return value === 'size' ? 'SIZE' : value === 'count' ? 'N' : 'SIZE|N%';
}
