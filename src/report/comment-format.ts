/** The comment's small pieces: numbers from data, deltas, budget values, rule links, details blocks. */
import { budgetSpec } from '../analysis/budget-table.js';
import { SEVERITY_RANK } from '../analysis/verdict.js';
import { formatBytes as formatBytesRaw } from '../util/bytes.js';
import { REPO_URL } from '../util/version.js';
import type { Delta } from './diff.js';
import type { BudgetCheck, Finding, Severity } from '../types/report.js';
import { escapeText } from './comment-escape.js';

export const DOCS_URL = `${REPO_URL}/blob/main/docs`;

/**
 * A report may come from an artifact that a fork's run wrote (the fork-safe recipe), so even its numbers
 * are data: anything that is not a finite number renders as 0 instead of reaching the markdown.
 */
export function num(x: unknown): number {
  return typeof x === 'number' && Number.isFinite(x) ? x : 0;
}

export function formatBytes(x: unknown): string {
  return formatBytesRaw(num(x));
}

function signed(n: number, fmt: (n: number) => string): string {
  return n > 0 ? `+${fmt(n)}` : n < 0 ? `-${fmt(-n)}` : '±0';
}

export function signedBytes(n: number): string {
  return n === 0 ? '±0 B' : signed(n, formatBytes);
}

export function percent(d: Delta): string {
  if (d.percent === null) return d.after === 0 ? '±0%' : 'new';
  const p = d.percent;
  const abs = Math.abs(p);
  if (abs < 0.05) return '±0%';
  const s = abs >= 10 ? abs.toFixed(0) : abs.toFixed(1);
  return `${p > 0 ? '+' : '-'}${s}%`;
}

export function deltaCell(d: Delta, bytes: boolean, bold = false): string {
  if (d.delta === 0) return bytes ? '±0 B' : '±0';
  const v = bytes ? signedBytes(d.delta) : signed(d.delta, String);
  const s = bold ? `**${v}**` : v;
  return bytes ? `${s} (${percent(d)})` : s;
}

export function budgetLabel(name: string): string {
  return budgetSpec(name)?.label ?? escapeText(name);
}

/** Budget values are bytes (sizes, growth, waste) or plain counts (layers); `unit` says so when present. */
export function budgetValue(check: Pick<BudgetCheck, 'name' | 'unit'>, n: number): string {
  const bytes = check.unit ? check.unit === 'bytes' : /size|growth|wasted|bytes/.test(check.name);
  return bytes ? formatBytes(n) : String(num(n));
}

export const SEVERITY_ICON: Record<Severity, string> = { error: '❌', warning: '⚠️', info: 'ℹ️' };

export function bySeverity(a: Finding, b: Finding): number {
  return SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity];
}

function ruleAnchor(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9-]/g, '');
}

export function ruleLink(id: string, docs: string): string {
  return `[${escapeText(id)}](${docs}/rules.md#${ruleAnchor(id)})`;
}

export function findingLine(f: Finding, docs: string, remediation: boolean): string {
  const head = `- ${SEVERITY_ICON[f.severity]} ${ruleLink(f.id, docs)} ${escapeText(f.message)}`;
  return remediation && f.remediation ? `${head}<br>↳ ${escapeText(f.remediation)}` : head;
}

export function details(summary: string, body: string[]): string[] {
  // The blank lines let GitHub render the markdown inside the HTML block.
  return ['<details>', `<summary>${summary}</summary>`, '', ...body, '', '</details>', ''];
}

export function capped<T>(items: readonly T[], n: number, render: (t: T) => string, what: string): string[] {
  const out = items.slice(0, n).map(render);
  if (items.length > n) out.push(`- … and ${items.length - n} more ${what} (see the JSON report)`);
  return out;
}

export const STATUS_ICON = { fail: '❌', warn: '⚠️', pass: '✅' } as const;
