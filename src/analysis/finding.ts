/** Raw findings from rules, completed from the catalog (category, default severity, remediation, docs). */
import type { Finding } from '../types/report.js';
import { nameKey, showText } from '../util/names.js';
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
 *
 * The same whether the finding's names are shown yet or not: the verdict judges the image's findings before
 * the report boundary shows them (src/report/names.ts), against a baseline's that were shown, and the diff
 * compares two shown reports. So the path is keyed by its bytes (util/names.ts nameKey), and the ENV name by
 * its shown text (it has no bytes field). A saved report's fields are not trusted to have their types.
 */
export function findingKey(f: Finding): string {
  const v = f.vulnerability;
  // A known vulnerability is the same across versions of its package until it is fixed: keyed by its
  // primary id, the package (not its version) and, for Go, the binary.
  if (v && typeof v === 'object' && Array.isArray(v.ids) && v.package && typeof v.package === 'object') {
    const path = typeof f.path === 'string' ? nameKey(f.path, f.pathBase64) : null;
    return JSON.stringify([f.id, v.ids[0] ?? null, v.package.ecosystem, v.package.name, path]);
  }
  const bytes = typeof f.pathBase64 === 'string' ? f.pathBase64 : undefined;
  const path = typeof f.path === 'string' ? nameKey(f.path, bytes) : null;
  const env = typeof f.env === 'string' ? showText(f.env) : null;
  return JSON.stringify([f.id, path, env]);
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
  const beforeKeys = before.map(findingKey);
  const count = new Map<string, number>();
  for (const k of beforeKeys) count.set(k, (count.get(k) ?? 0) + 1);
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
  before.forEach((f, i) => {
    const k = beforeKeys[i] as string;
    const n = count.get(k) ?? 0;
    if (n > 0) {
      count.set(k, n - 1);
      resolved.push(f);
    }
  });
  return { added, resolved, unchanged };
}

/** Findings that several platforms share, once each: the same rule and subject on the same Dockerfile line. */
export function distinctFindings(findings: Iterable<Finding>): Finding[] {
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const f of findings) {
    const k = `${findingKey(f)}\0${f.location?.file ?? ''}:${f.location?.line ?? ''}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(f);
  }
  return out;
}
