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
