/** The policy a check applies: budgets, allowed bases, rule overrides and ignored paths. */
import picomatch from 'picomatch';
import type { Platform } from '../sources/model/image.js';
import { parsePlatform, platformMatches } from '../sources/platform.js';
import type { Finding, Severity } from '../types/report.js';
import { BUDGET_KEYS, type BudgetKey } from './budget-table.js';
import { SEVERITY_RANK, type FailOn, type Preset } from './verdict.js';
import type { VulnPolicy } from './vulnerabilities.js';

export interface RuleOverride {
  enabled?: boolean;
  severity?: Severity;
  /** Globs of image paths for which this rule's findings are dropped. */
  ignorePaths?: string[];
}

/** The vulnerability keys (VulnPolicy) are judged under the ratchet: src/analysis/vulnerabilities.ts. */
export interface Policy extends VulnPolicy {
  /** Uncompressed bytes. */
  maxSize?: number;
  maxCompressedSize?: number;
  maxLayers?: number;
  maxWasted?: number;
  /** Growth against the baseline: bytes, or a percentage of the baseline's uncompressed size. */
  maxGrowth?: { bytes: number } | { percent: number };
  /** Verdicts (scratch, distroless, os) or image-name globs. */
  allowedBases: string[];
  failOn: FailOn;
  /** `budgets-only`: judge sizes and growth, report rule findings without judging them. */
  preset?: Preset;
  /** Keyed by rule id (SG201) or category (shell). An id wins over its category. */
  rules: Record<string, RuleOverride>;
  /** Globs of image paths whose findings are dropped; `env:NAME` globs drop ENV findings. */
  ignorePaths: string[];
  /**
   * Budgets for one platform (`linux/arm64`), over the top-level ones: `.slimgate.yml`'s `platforms:`.
   * policyForPlatform applies them; an explicit flag or input has already removed the keys it sets.
   */
  platforms?: Record<string, PlatformBudgets>;
}

/** The budget keys a platform section may set. */
export type PlatformBudgets = Pick<Policy, BudgetKey>;

/**
 * The policy for one platform (`linux/arm64/v8`): the sections whose platform matches it override the
 * top-level budgets, a section without a variant first, so `linux/arm/v7` beats `linux/arm`. Pure.
 */
export function policyForPlatform(policy: Policy, platform: string): Policy {
  const { platforms, ...rest } = policy;
  if (!platforms) return policy;
  let have: Platform;
  try {
    have = parsePlatform(platform);
  } catch {
    return rest; // a platform no section can name (e.g. "unknown")
  }
  const sections = Object.entries(platforms)
    .map(([k, budgets]) => ({ want: parsePlatform(k), budgets }))
    .filter((s) => platformMatches(s.want, have))
    .sort((a, b) => Number(a.want.variant !== undefined) - Number(b.want.variant !== undefined));
  const out: Policy = { ...rest };
  for (const { budgets } of sections)
    for (const k of BUDGET_KEYS) if (budgets[k] !== undefined) Object.assign(out, { [k]: budgets[k] });
  return out;
}

export const DEFAULT_POLICY: Policy = {
  allowedBases: ['scratch', 'distroless'],
  failOn: 'error',
  rules: {},
  ignorePaths: [],
};

/**
 * Image-path globs as users write them: absolute globs match from the root; a glob without a leading "/"
 * matches at any depth (like .gitignore); a glob that matches a directory also covers everything below.
 */
function pathMatcher(globs: readonly string[]): (path: string) => boolean {
  const pats = globs
    .map((g) => g.trim())
    .filter(Boolean)
    .flatMap((g) => {
      const base = g.startsWith('/') ? g : `**/${g}`;
      const clean = base.replace(/\/+$/, '');
      return [clean, `${clean}/**`];
    });
  if (!pats.length) return () => false;
  const m = picomatch(pats, { dot: true });
  return (path) => m(path);
}

function envMatcher(globs: readonly string[]): (name: string) => boolean {
  const pats = globs.filter((g) => g.startsWith('env:')).map((g) => g.slice(4));
  if (!pats.length) return () => false;
  const m = picomatch(pats, { dot: true });
  return (name) => m(name);
}

function override(policy: Policy, f: Finding): RuleOverride {
  const byCat = policy.rules[f.category] ?? policy.rules[f.category.toLowerCase()] ?? {};
  const byId = policy.rules[f.id] ?? policy.rules[f.id.toLowerCase()] ?? {};
  return {
    enabled: byId.enabled ?? byCat.enabled,
    severity: byId.severity ?? byCat.severity,
    ignorePaths: [...(byCat.ignorePaths ?? []), ...(byId.ignorePaths ?? [])],
  };
}

/** Drops disabled rules and ignored paths, and re-rates: the findings the verdict counts. */
export function applyPolicy(findings: readonly Finding[], policy: Policy): Finding[] {
  const globalPaths = pathMatcher(policy.ignorePaths.filter((g) => !g.startsWith('env:')));
  const globalEnv = envMatcher(policy.ignorePaths);
  const out: Finding[] = [];
  for (const f of findings) {
    const o = override(policy, f);
    if (o.enabled === false) continue;
    if (f.path !== undefined && globalPaths(f.path)) continue;
    if (f.env !== undefined && globalEnv(f.env)) continue;
    if (o.ignorePaths?.length) {
      if (f.path !== undefined && pathMatcher(o.ignorePaths.filter((g) => !g.startsWith('env:')))(f.path))
        continue;
      if (f.env !== undefined && envMatcher(o.ignorePaths)(f.env)) continue;
    }
    out.push(o.severity && o.severity !== f.severity ? { ...f, severity: o.severity } : f);
  }
  return out;
}

export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      a.id.localeCompare(b.id) ||
      (a.path ?? a.env ?? '').localeCompare(b.path ?? b.env ?? ''),
  );
}

/** True when a base verdict or image name is allowed: verdict keywords, or globs over the image name. */
export function baseAllowed(verdict: string, image: string | null, allowed: readonly string[]): boolean {
  const names = image ? imageNameForms(image) : [];
  for (const a of allowed) {
    const t = a.trim();
    if (!t) continue;
    if (t === verdict) return true;
    if (t === 'scratch' || t === 'distroless' || t === 'os') continue;
    const m = picomatch(t, { dot: true });
    if (names.some((n) => m(n))) return true;
  }
  return false;
}

/** "debian:12" → ["debian:12", "docker.io/library/debian:12", "debian"]: globs may use any form. */
export function imageNameForms(image: string): string[] {
  const out = new Set([image]);
  const first = image.split('/')[0] as string;
  const hasRegistry =
    image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) out.add(image.includes('/') ? `docker.io/${image}` : `docker.io/library/${image}`);
  for (const n of [...out]) {
    const noDigest = n.replace(/@sha256:[0-9a-f]+$/, '');
    out.add(noDigest);
    out.add(noDigest.replace(/:[^/:]+$/, ''));
  }
  return [...out];
}
