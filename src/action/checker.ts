/**
 * The action's only calls into the engine, the policy and the build: everything else in the action is
 * GitHub I/O. A test can stand in for these few calls.
 */
import * as core from '@actions/core';
import type { Policy } from '../analysis/policy.js';
import { resolvePolicy } from '../config/index.js';
import { check, type CheckOptions, type CheckRun } from '../engine/engine.js';
import { buildImage, type BuildResult } from '../sources/docker-build.js';
import type { BuildInputs } from '../sources/build-options.js';
import type { RegistryOptions } from '../sources/registry/client.js';
import type { PolicyInputs, RegistryInputs } from './inputs.js';

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
  /** The engine's check: the platforms chosen, each judged against its baseline and the override label. */
  check(source: string, o: CheckOptions): Promise<CheckRun> {
    return check(source, o);
  },
  build(b: BuildInputs): Promise<BuildResult> {
    return buildImage({ ...b, onLog: (chunk) => process.stdout.write(chunk) });
  },
};
