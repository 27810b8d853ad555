/** Raw findings from rules, completed from the catalog (category, default severity, remediation, docs). */
import type { Finding } from '../types/report.js';
import { rule, ruleDocUrl } from './catalog.js';

export interface RawFinding {
  id: string;
  message: string;
  path?: string;
  layer?: number;
  env?: string;
  location?: { file: string; line: number };
}

export function complete(raw: RawFinding): Finding {
  const def = rule(raw.id);
  const f: Finding = {
    id: def.id,
    category: def.category,
    severity: def.severity,
    message: raw.message,
    remediation: def.remediation,
    docs: ruleDocUrl(def.id),
  };
  if (raw.path !== undefined) f.path = raw.path;
  if (raw.layer !== undefined) f.layer = raw.layer;
  if (raw.env !== undefined) f.env = raw.env;
  if (raw.location) f.location = raw.location;
  return f;
}

/** "a, b, c and 4 more" */
export function listSome(items: readonly string[], n = 3): string {
  if (items.length <= n) return items.join(', ');
  return `${items.slice(0, n).join(', ')} and ${items.length - n} more`;
}

/**
 * A finding's identity across two reports: its rule and its subject (the image path, or the ENV name).
 * Never its message, which may quote sizes and layer numbers that shift between builds. The diff and the
 * ratchet both match findings by this key.
 */
export function findingKey(f: Finding): string {
  // A name that is not UTF-8 is keyed by its bytes: its shown form can look like another name (util/names.ts).
  const path = f.pathBase64 === undefined ? (f.path ?? '') : `\u0002${f.pathBase64}`;
  return `${f.id}\u0000${path}\u0000${f.env ?? ''}`;
}

export interface FindingMatch {
  /** In `after` only. */
  added: Finding[];
  /** In `before` only. */
  resolved: Finding[];
  /** In both. */
  unchanged: Finding[];
}

/** Matches findings by key, counting duplicates: two findings with one key in `after` and one in `before` give one added. */
export function matchFindings(before: readonly Finding[], after: readonly Finding[]): FindingMatch {
  const count = new Map<string, number>();
  for (const f of before) count.set(findingKey(f), (count.get(findingKey(f)) ?? 0) + 1);
  const added: Finding[] = [];
  const unchanged: Finding[] = [];
  for (const f of after) {
    const k = findingKey(f);
    const n = count.get(k) ?? 0;
    if (n > 0) {
      count.set(k, n - 1);
      unchanged.push(f);
    } else added.push(f);
  }
  const resolved: Finding[] = [];
  for (const f of before) {
    const k = findingKey(f);
    const n = count.get(k) ?? 0;
    if (n > 0) {
      count.set(k, n - 1);
      resolved.push(f);
    }
  }
  return { added, resolved, unchanged };
}
