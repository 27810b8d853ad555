/**
 * The action's only calls into the engine, the policy and the build: everything else in the action is
 * GitHub I/O. A test can stand in for these few calls.
 */
import * as core from '@actions/core';
import type { Policy } from '../analysis/policy.js';
import { rejudgeWithBaseline } from '../analysis/analyze.js';
import { resolvePolicy } from '../config/index.js';
import { check, checkAll, manifestPlatforms, type CheckAllResult } from '../engine/engine.js';
import { LayerCache } from '../scan/cache.js';
import { buildImage, type BuildResult } from '../sources/docker-build.js';
import type { Platform } from '../sources/model/image.js';
import type { RegistryOptions } from '../sources/registry/client.js';
import type { Report } from '../types/report.js';
import type { BuildInputs } from './build-inputs.js';
import type { PolicyInputs, RegistryInputs } from './inputs.js';

export interface CheckImageOptions {
  policy: Policy;
  platform: Platform | undefined;
  dockerfile?: { path: string; buildArgs?: Record<string, string>; target?: string };
  registry: RegistryInputs;
}

/**
 * Explicit credentials (registry-username/-password) serve one registry, `r.host`: the image input's (or
 * the first build tag's), whatever source is being read, so a baseline elsewhere never gets them. The
 * github-token pulls from ghcr.io when nothing else (docker login, DOCKER_CONFIG) has credentials. Every
 * secret the client learns on the way (helper passwords, tokens) is masked.
 */
export function registryOptions(r: RegistryInputs): RegistryOptions {
  const token = r.token;
  const explicitFor = r.username && r.password ? r.host : undefined;
  return {
    insecureRegistries: r.insecure,
    onSecret: (secret) => core.setSecret(secret),
    credentials: {
      ...(explicitFor
        ? {
            credentials: [{ registry: explicitFor, username: r.username, password: r.password }],
            explicitLabel: 'inputs "registry-username"/"registry-password"',
          }
        : {}),
      ...(token
        ? {
            fallbackCredentials: [
              {
                registry: 'ghcr.io',
                username: 'x-access-token',
                password: token,
                from: 'input "github-token"',
              },
            ],
          }
        : {}),
    },
    authHint:
      'log in with docker/login-action before this step, or (for ghcr.io) give a github-token with packages: read',
  };
}

export const checker = {
  /** Defaults, then the config file (the `config` input, or .slimgate.yml in the workspace), then the inputs. */
  policy(inputs: PolicyInputs): Promise<Policy> {
    return resolvePolicy(inputs, { cwd: process.env['GITHUB_WORKSPACE'] || process.cwd() });
  },
  /** The image's report with findings, budgets (max-growth left to judge()), base and entrypoint. */
  async check(source: string, o: CheckImageOptions): Promise<Report> {
    const lc = LayerCache.open();
    const before = lc ? { ...lc.stats } : undefined;
    const { report } = await check(source, {
      policy: o.policy,
      platform: o.platform,
      registry: registryOptions(o.registry),
      ...(o.dockerfile ? { dockerfile: o.dockerfile } : {}),
    });
    if (lc && before)
      core.info(
        `layer scans: ${lc.stats.hits - before.hits} from the cache, ${lc.stats.misses - before.misses} read`,
      );
    return report;
  },
  /** Every platform of the source, each under its own policy (the baselines come later, per platform). */
  async checkAll(source: string, o: Omit<CheckImageOptions, 'platform'>): Promise<CheckAllResult> {
    return checkAll(source, {
      policy: o.policy,
      registry: registryOptions(o.registry),
      ...(o.dockerfile ? { dockerfile: o.dockerfile } : {}),
    });
  },
  /** The platforms of a baseline source, from its manifests; undefined when only a full read would tell. */
  platformsOf(source: string, registry: RegistryInputs): Promise<string[] | undefined> {
    return manifestPlatforms(source, { registry: registryOptions(registry) });
  },
  /** Budgets again, with the baseline (any kind: a saved report too) for max-growth. */
  judge(report: Report, policy: Policy, baseline: Report | null): Report {
    return rejudgeWithBaseline(report, policy, baseline);
  },
  build(b: BuildInputs): Promise<BuildResult> {
    return buildImage({ ...b, onLog: (chunk) => process.stdout.write(chunk) });
  },
};
