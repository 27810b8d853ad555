/**
 * Parsing of policy values as users write them, in flags, action inputs and .slimgate.yml. Sizes go through
 * bytes-iec: KB/MB/GB are decimal (as Docker and registries show sizes), KiB/MiB/GiB are binary, a bare
 * whole number is bytes. Every error names the input it came from.
 */
import bytes from 'bytes-iec';
import { BUDGETS, type BudgetValue } from '../analysis/budget-table.js';
import { isRuleKey } from '../analysis/catalog.js';
import { FAIL_ON_LEVELS, PRESETS, SEVERITIES, type FailOn, type Preset } from '../analysis/verdict.js';
import type { PlatformBudgets } from '../analysis/policy.js';
import type { VulnPolicy } from '../analysis/vulnerabilities.js';
import type { Severity } from '../types/report.js';
import { InputError } from '../util/errors.js';

export function parseSize(value: string | number, label: string): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return value;
    throw new InputError(`${label}: ${value} is not a size (a whole number of bytes, or e.g. 25MB, 10MiB)`);
  }
  const v = value.trim();
  const n = /^\d+$/.test(v)
    ? Number(v)
    : /^\d+(?:\.\d+)?\s*(?:[kmgtp]i?)?b$/i.test(v)
      ? bytes.parse(v, { mode: 'metric' })
      : null;
  if (n === null || !Number.isSafeInteger(n) || n < 0) {
    throw new InputError(
      `${label}: "${value}" is not a size; write bytes (1000000) or a number with a unit: ` +
        'KB, MB, GB (decimal) or KiB, MiB, GiB (binary), e.g. 25MB',
    );
  }
  return n;
}

export function parseGrowth(value: string | number, label: string): { bytes: number } | { percent: number } {
  if (typeof value === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value);
    if (m) return { percent: Number(m[1]) };
    if (value.includes('%')) throw new InputError(`${label}: "${value}" is not a percentage such as 10%`);
  }
  try {
    return { bytes: parseSize(value, label) };
  } catch {
    throw new InputError(
      `${label}: "${value}" is not a growth limit; write a percentage (10%) or a size (2MB)`,
    );
  }
}

function parseCount(value: string | number, label: string): number {
  const v = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(v) || v < 0) throw new InputError(`${label}: "${value}" is not a whole number`);
  return v;
}

/** The same in the action, the CLI and .slimgate.yml: case-insensitive (`Error` is `error`). */
export function parseFailOn(value: string, label: string): FailOn {
  const v = value.trim().toLowerCase();
  const level = FAIL_ON_LEVELS.find((l) => l === v);
  if (level) return level;
  throw new InputError(
    `${label}: "${value}" must be error, warning, new-error (fail only on errors main does not have) or never`,
  );
}

/** `default` is explicit too: it overrides a config file's preset. */
export function parsePreset(value: string, label: string): Preset | 'default' {
  const v = value.trim().toLowerCase();
  if (v === 'default') return v;
  const preset = PRESETS.find((p) => p === v);
  if (preset) return preset;
  throw new InputError(`${label}: "${value}" must be budgets-only (judge sizes and growth only) or default`);
}

export function parseSeverity(value: string, label: string): Severity {
  const v = value.trim().toLowerCase();
  const known = SEVERITIES.find((s) => s === v);
  if (known) return known;
  throw new InputError(`${label}: "${value}" must be error, warning or info`);
}

/** A rule id (SG201, case-insensitive) or a category (shell), normalised; anything else is an error. */
export function parseRuleKey(value: string, label: string): string {
  const v = value.trim();
  if (!isRuleKey(v)) {
    throw new InputError(
      `${label}: "${value}" is not a rule id (e.g. SG201) or a category (e.g. shell); see docs/rules.md`,
    );
  }
  return /^sg\d+$/i.test(v) ? v.toUpperCase() : v.toLowerCase();
}

const VULN_LEVELS = ['critical', 'high', 'medium', 'low'] as const;

/** `max-new-vulnerabilities`: a severity; entries at it or above that this PR adds fail. */
export function parseVulnLevel(
  value: string,
  label: string,
): NonNullable<VulnPolicy['maxNewVulnerabilities']> {
  const v = value.trim().toLowerCase();
  const level = VULN_LEVELS.find((l) => l === v);
  if (level) return level;
  throw new InputError(`${label}: "${value}" must be critical, high, medium or low`);
}

export function parseOnOff(value: string | boolean, label: string): 'on' | 'off' {
  const v = String(value).trim().toLowerCase();
  if (v === 'on' || v === 'true') return 'on';
  if (v === 'off' || v === 'false') return 'off';
  throw new InputError(`${label}: "${value}" must be on or off`);
}

export function parseBool(value: string | boolean, label: string): boolean {
  const v = String(value).trim().toLowerCase();
  if (v === 'true' || v === 'on' || v === 'yes') return true;
  if (v === 'false' || v === 'off' || v === 'no') return false;
  throw new InputError(`${label}: "${value}" must be true or false`);
}

export function parseUnchecked(value: string, label: string): 'warn' | 'fail' {
  const v = value.trim().toLowerCase();
  if (v === 'warn' || v === 'fail') return v;
  throw new InputError(`${label}: "${value}" must be warn or fail`);
}

/** A waiver's `until`: a real calendar day, YYYY-MM-DD. */
export function parseUntil(value: unknown, label: string): string {
  const v = value instanceof Date ? value.toISOString().slice(0, 10) : String(value).trim();
  const d = /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T00:00:00Z`) : null;
  if (!d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v)
    throw new InputError(`${label}: "${String(value)}" is not a date (YYYY-MM-DD)`);
  return v;
}

const PARSERS: Record<BudgetValue, (value: string | number, label: string) => unknown> = {
  size: parseSize,
  count: parseCount,
  growth: parseGrowth,
};

/** The budget keys of a map (the top level, or one platform's section), by their names in BUDGETS. */
export function parseBudgets(raw: Record<string, unknown>, label: (k: string) => string): PlatformBudgets {
  const out: PlatformBudgets = {};
  for (const b of BUDGETS) {
    const v = raw[b.name];
    if (v !== undefined) Object.assign(out, { [b.key]: PARSERS[b.value](v as string, label(b.name)) });
  }
  return out;
}
