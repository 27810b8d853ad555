/** The engine as the CLI and the action use it: source → scanned images → reports. */
import { availableParallelism } from 'node:os';
import { buildImage, type BuildOptions, type BuildResult } from '../sources/docker-build.js';
import { openSource } from '../sources/source.js';
import type { DaemonOptions } from '../sources/daemon.js';
import type { RegistryOptions } from '../sources/registry/client.js';
import { LayerCache } from '../scan/cache.js';
import { scanLayers, type ScannedImage } from '../scan/scan-layers.js';
import { parsePlatform, type PlatformChoice } from '../sources/platform.js';
import { buildCheckReport, buildReport } from './assemble.js';
import type { ManifestCheck, ManifestSummary, Report } from '../types/report.js';
import { readFile } from 'node:fs/promises';
import { parseDockerfile } from '../analysis/dockerfile.js';
import { complete } from '../analysis/finding.js';
import { applyPolicy, DEFAULT_POLICY, type Policy } from '../analysis/policy.js';
import { decideVerdict } from '../analysis/verdict.js';
import { InputError, UserFacingError, withPrefix } from '../util/errors.js';
import { evaluateBudgets } from '../analysis/budget.js';

export interface InspectOptions {
  platform?: PlatformChoice;
  concurrency?: number;
  progress?: (message: string) => void;
  /** Registry access for docker:// sources: credentials, insecure registries, retries. */
  registry?: RegistryOptions;
  /** The layer cache: false turns it off, a string is its directory (default on; SLIMGATE_CACHE=0 is off). */
  cache?: boolean | string;
  /** The docker CLI for docker-daemon: sources. */
  daemon?: DaemonOptions;
}

/** Two layers at once keeps both cores busy (one parses, zlib inflates on the thread pool); more only adds memory. */
function defaultConcurrency(): number {
  return Math.max(2, Math.min(4, availableParallelism()));
}

/** Opens a source with the engine's options; `platform` is separate because a baseline takes the image's. */
function open(source: string, opts: InspectOptions, platform: PlatformChoice): Promise<ScannedImage[]> {
  const { progress, registry, daemon } = opts;
  return scanLayers(openSource(source, { platform, progress, registry, daemon }), {
    concurrency: opts.concurrency ?? defaultConcurrency(),
    progress,
    cache: LayerCache.open({ cache: opts.cache }),
  });
}

export async function inspect(source: string, opts: InspectOptions = {}): Promise<Report[]> {
  return (await open(source, opts, opts.platform)).map(buildReport);
}

/**
 * The fast path for policies that need only what manifests hold (compressed size, layer count): for a
 * registry or an OCI layout, no layer blob is read at all. Other sources are inspected in full.
 */
export async function manifestSummary(source: string, opts: InspectOptions = {}): Promise<ManifestSummary[]> {
  const { platform, registry } = opts;
  const fast = openSource(source, { platform, registry }).manifests;
  if (fast) return fast();
  const reports = await inspect(source, opts);
  return reports.map((r) => ({
    source,
    digest: r.image.digest,
    platform: r.image.platform,
    compressedSize: r.size.compressed,
    layers: r.layers.length,
    manifestOnly: false,
  }));
}

export interface CheckOptions extends InspectOptions {
  /** The policy (budgets, allowed bases, rule overrides, fail-on); default DEFAULT_POLICY. */
  policy?: Policy;
  /** A source for the baseline image (max-growth); checked with the same policy, on the same platform. */
  baseline?: string;
  /** The Dockerfile the image was built from: base, ARGs, stages and lines for annotations. */
  dockerfile?: { path: string; text?: string; buildArgs?: Record<string, string>; target?: string };
}

export interface CheckResult {
  report: Report;
  /** The baseline's report, when `baseline` was given. */
  baseline: Report | null;
}

/** `slimgate check`: the image's report with findings, budgets, base and entrypoint, and the baseline's. */
export async function check(source: string, opts: CheckOptions = {}): Promise<CheckResult> {
  if (opts.platform === 'all')
    throw new InputError('check takes one platform: choose one with --platform os/arch');
  const policy = opts.policy ?? DEFAULT_POLICY;
  let dockerText: string | undefined;
  if (opts.dockerfile) {
    try {
      dockerText = opts.dockerfile.text ?? (await readFile(opts.dockerfile.path, 'utf8'));
    } catch (err) {
      // One line that names the path, never the raw "EISDIR: illegal operation on a directory, read".
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EISDIR'
            ? 'not a readable file (a directory)'
            : code === 'EACCES' || code === 'EPERM'
              ? 'not a readable file (permission denied)'
              : 'not a readable file';
      throw new InputError(`dockerfile ${opts.dockerfile.path}: ${why}`);
    }
  }
  const [image] = await open(source, opts, opts.platform);
  if (!image) throw new InputError(`no image found in ${source}`);
  const dockerfile =
    opts.dockerfile && dockerText !== undefined
      ? parseDockerfile(dockerText, {
          path: opts.dockerfile.path,
          buildArgs: opts.dockerfile.buildArgs,
          target: opts.dockerfile.target,
          platform: image.platform,
        })
      : null;
  let baseline: Report | null = null;
  if (opts.baseline) {
    const [b] = await open(opts.baseline, opts, { ...image.platform }).catch((err: unknown) => {
      throw err instanceof UserFacingError ? withPrefix(err, `baseline ${opts.baseline}: `) : err;
    });
    if (!b) throw new InputError(`no image found in baseline ${opts.baseline}`);
    baseline = buildCheckReport(b, { policy });
  }
  const report = buildCheckReport(image, {
    policy,
    dockerfile,
    baseline: baseline
      ? {
          uncompressed: baseline.size.uncompressed,
          source: baseline.image.source,
          findings: baseline.findings,
        }
      : undefined,
  });
  return { report, baseline };
}

/**
 * The fast path: max-compressed-size and max-layers from manifests alone (registries and OCI layouts make
 * no blob request). Budgets that need the layers' content are refused rather than silently skipped.
 */
export async function checkManifest(source: string, opts: CheckOptions = {}): Promise<ManifestCheck> {
  const policy = opts.policy ?? DEFAULT_POLICY;
  const needContent = (
    [
      ['max-size', policy.maxSize],
      ['max-wasted', policy.maxWasted],
      ['max-growth', policy.maxGrowth],
    ] as const
  ).filter(([, v]) => v !== undefined);
  if (needContent.length || opts.baseline || opts.dockerfile) {
    const what: string[] = needContent.map(([n]) => n);
    if (opts.baseline) what.push('baseline');
    if (opts.dockerfile) what.push('dockerfile');
    throw new InputError(
      `--manifest-only answers max-compressed-size and max-layers only; ${what.join(', ')} needs the layers`,
    );
  }
  if (policy.maxCompressedSize === undefined && policy.maxLayers === undefined) {
    throw new InputError(
      '--manifest-only needs a budget it can answer: --max-compressed-size or --max-layers',
    );
  }
  const [summary, ...more] = await manifestSummary(source, opts);
  if (!summary) throw new InputError(`no image found in ${source}`);
  if (more.length) throw new InputError('--manifest-only checks one platform: choose it with --platform');
  const budget = evaluateBudgets(
    {
      uncompressed: 0,
      compressed: summary.compressedSize,
      layers: summary.layers,
      wasted: 0,
      storedUncompressed: false,
    },
    policy, // budgets that need the layers were refused above
  );
  // Budget breaches are findings (SG101–SG105): the policy may disable or re-rate them, as in a full check.
  const findings = applyPolicy(budget.findings.map(complete), policy);
  const passed = !decideVerdict({ findings, budget }, policy).blocking;
  return {
    schemaVersion: 1,
    kind: 'manifest-check',
    summary,
    budget: { passed: budget.passed, checks: budget.checks },
    passed,
  };
}

/** Builds, then analyses the result (every platform built, when there are several). */
export async function inspectBuild(
  build: BuildOptions,
  opts: InspectOptions = {},
): Promise<{ build: BuildResult; reports: Report[] }> {
  const result = await buildImage(build);
  try {
    const several = (build.platforms?.length ?? 0) > 1;
    const platform =
      opts.platform ??
      (build.platforms?.length === 1 ? parsePlatform(build.platforms[0] as string) : undefined);
    const reports = await inspect(result.source, {
      ...opts,
      platform: several ? (opts.platform ?? 'all') : platform,
    });
    return { build: result, reports };
  } finally {
    await result.cleanup();
  }
}
