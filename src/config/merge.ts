/**
 * Layering policies: the defaults, then .slimgate.yml, then flags or action inputs. A later layer wins for
 * every value it sets (budgets, allowed-bases, fail-on); rule overrides merge per rule (and per field), and
 * ignore-paths add up, since every layer that ignores a path means it. A budget that a later layer sets
 * wins on every platform too: it removes that key from the earlier layers' platform sections.
 */
import { BUDGET_KEYS } from '../analysis/budget-table.js';
import { DEFAULT_POLICY, type Policy, type RuleOverride } from '../analysis/policy.js';

/** Vulnerability settings: a later layer wins (waivers add up). */
const VULN_KEYS = [
  'vulnerabilities',
  'maxNewVulnerabilities',
  'countUnlinked',
  'vulnerabilitiesUnchecked',
] as const;

export type PolicyPatch = Partial<Omit<Policy, 'rules' | 'preset'>> & {
  rules?: Record<string, RuleOverride>;
  /** `default` undoes a preset that an earlier layer set. */
  preset?: Policy['preset'] | 'default';
};

export function mergePolicy(...patches: readonly (PolicyPatch | undefined)[]): Policy {
  const out: Policy = {
    ...DEFAULT_POLICY,
    allowedBases: [...DEFAULT_POLICY.allowedBases],
    rules: { ...DEFAULT_POLICY.rules },
    ignorePaths: [...DEFAULT_POLICY.ignorePaths],
  };
  for (const p of patches) {
    if (!p) continue;
    for (const k of BUDGET_KEYS) if (p[k] !== undefined) Object.assign(out, { [k]: p[k] });
    out.platforms = mergePlatforms(out.platforms, p);
    if (!out.platforms) delete out.platforms;
    if (p.allowedBases !== undefined) out.allowedBases = [...p.allowedBases];
    if (p.failOn !== undefined) out.failOn = p.failOn;
    if (p.preset === 'default') delete out.preset;
    else if (p.preset !== undefined) out.preset = p.preset;
    if (p.ignorePaths) out.ignorePaths = [...out.ignorePaths, ...p.ignorePaths];
    for (const k of VULN_KEYS) if (p[k] !== undefined) Object.assign(out, { [k]: p[k] });
    if (p.waivers) out.waivers = [...(out.waivers ?? []), ...p.waivers];
    for (const [k, o] of Object.entries(p.rules ?? {})) {
      const prev = out.rules[k] ?? {};
      out.rules[k] = {
        ...prev,
        ...o,
        ...(prev.ignorePaths || o.ignorePaths
          ? { ignorePaths: [...(prev.ignorePaths ?? []), ...(o.ignorePaths ?? [])] }
          : {}),
      };
    }
  }
  return out;
}

/** An explicit value (a flag, an input) beats the file on every platform; a later layer's sections add up. */
function mergePlatforms(prev: Policy['platforms'], p: PolicyPatch): Policy['platforms'] {
  const out: NonNullable<Policy['platforms']> = {};
  for (const [k, budgets] of Object.entries(prev ?? {})) {
    const kept = { ...budgets };
    for (const key of BUDGET_KEYS) if (p[key] !== undefined) delete kept[key];
    out[k] = kept;
  }
  for (const [k, budgets] of Object.entries(p.platforms ?? {})) out[k] = { ...out[k], ...budgets };
  return Object.keys(out).length ? out : undefined;
}
