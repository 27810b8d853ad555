/**
 * Layering policies: the defaults, then .slimgate.yml, then flags or action inputs. A later layer wins for
 * every value it sets (budgets, allowed-bases, fail-on); rule overrides merge per rule (and per field), and
 * ignore-paths add up, since every layer that ignores a path means it.
 */
import { DEFAULT_POLICY, type Policy, type RuleOverride } from '../analysis/policy.js';

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
    if (p.maxSize !== undefined) out.maxSize = p.maxSize;
    if (p.maxCompressedSize !== undefined) out.maxCompressedSize = p.maxCompressedSize;
    if (p.maxLayers !== undefined) out.maxLayers = p.maxLayers;
    if (p.maxWasted !== undefined) out.maxWasted = p.maxWasted;
    if (p.maxGrowth !== undefined) out.maxGrowth = p.maxGrowth;
    if (p.allowedBases !== undefined) out.allowedBases = [...p.allowedBases];
    if (p.failOn !== undefined) out.failOn = p.failOn;
    if (p.preset === 'default') delete out.preset;
    else if (p.preset !== undefined) out.preset = p.preset;
    if (p.ignorePaths) out.ignorePaths = [...out.ignorePaths, ...p.ignorePaths];
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
