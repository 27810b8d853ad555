/** The engine as the CLI and the action use it: source → scanned images → reports. */
import { availableParallelism } from 'node:os';
import { buildImage, type BuildOptions, type BuildResult } from '../sources/docker-build.js';
import { openSource } from '../sources/source.js';
import type { DaemonOptions } from '../sources/daemon.js';
import type { RegistryOptions } from '../sources/registry/client.js';
import { LayerCache } from '../scan/cache.js';
import { scanLayers, type ScannedImage } from '../scan/scan-layers.js';
import {
  formatPlatform,
  missingPlatforms,
  parsePlatform,
  platformMatches,
  type PlatformChoice,
} from '../sources/platform.js';
import { buildCheckReport, buildReport } from './assemble.js';
import type { ManifestCheck, ManifestSummary, Report } from '../types/report.js';
import { readFile } from 'node:fs/promises';
import type { DockerfileInfo } from '../analysis/dockerfile.js';
import type { Platform } from '../sources/model/image.js';
import { complete } from '../analysis/finding.js';
import { applyPolicy, DEFAULT_POLICY, policyForPlatform, type Policy } from '../analysis/policy.js';
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
  // The layers had to be read; the numbers are still the manifest's, so nothing is flattened or reported.
  return (await open(source, opts, platform)).map((image) => ({
    source,
    digest: image.digest,
    platform: formatPlatform(image.platform),
    compressedSize: image.layers.reduce((n, l) => n + l.compressedSize, 0),
    layers: image.layers.length,
    manifestOnly: false,
  }));
}

/**
 * The platforms a source holds, from its manifests alone (a registry, an OCI layout); undefined for a source
 * whose platforms only its layers' scan would tell (an archive, the daemon): that costs too much to ask.
 */
export async function manifestPlatforms(
  source: string,
  opts: Pick<InspectOptions, 'registry'> = {},
): Promise<string[] | undefined> {
  const fast = openSource(source, { platform: 'all', registry: opts.registry }).manifests;
  if (!fast) return undefined;
  return (await fast()).flatMap((s) => (s.platform ? [s.platform] : []));
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
    throw new InputError('check takes one platform here: checkAll checks every platform'); // the CLI routes "all"
  const docker = await readDockerfile(opts);
  const [image] = await open(source, opts, opts.platform);
  if (!image) throw new InputError(`no image found in ${source}`);
  let baselineImage: ScannedImage | undefined;
  if (opts.baseline) {
    const [b] = await openBaseline(opts.baseline, opts, { ...image.platform });
    if (!b) throw new InputError(`no image found in baseline ${opts.baseline}`);
    baselineImage = b;
  }
  const { report, baseline } = checkOne(image, baselineImage, docker, opts);
  return { report, baseline };
}

/** One platform of a `--platform all` check. */
interface PlatformCheck extends CheckResult {
  /** The policy this platform was judged by: the top level, with its `platforms:` section over it. */
  policy: Policy;
  /** With a baseline that lacks this platform: why there is no baseline report. */
  baselineNote?: string;
}

export interface CheckAllResult {
  /** Every platform of the image, in the index's order. */
  platforms: PlatformCheck[];
  /** Platforms the baseline has and the image does not. */
  missing: string[];
}

/**
 * `check --platform all`: every platform of the source against its own budgets, each diffed against the
 * same platform of the baseline. The index (and the baseline's) is opened once and every layer scanned once.
 */
export async function checkAll(source: string, opts: CheckOptions = {}): Promise<CheckAllResult> {
  const docker = await readDockerfile(opts);
  const images = await open(source, opts, 'all');
  if (!images.length) throw new InputError(`no image found in ${source}`);
  const bases = opts.baseline ? await openBaseline(opts.baseline, opts, 'all') : [];
  const platforms = images.map((image): PlatformCheck => {
    const b = bases.find((x) => platformMatches(x.platform, image.platform));
    const name = formatPlatform(image.platform);
    return {
      ...checkOne(image, b, docker, opts),
      ...(opts.baseline && !b
        ? { baselineNote: `${name} is new: the baseline ${opts.baseline} has no such platform` }
        : {}),
    };
  });
  const missing = missingPlatforms(
    bases.map((b) => b.platform),
    images.map((i) => i.platform),
  ).map(formatPlatform);
  return { platforms, missing };
}

function openBaseline(
  baseline: string,
  opts: CheckOptions,
  platform: PlatformChoice,
): Promise<ScannedImage[]> {
  return open(baseline, opts, platform).catch((err: unknown) => {
    throw err instanceof UserFacingError ? withPrefix(err, `baseline ${baseline}: `) : err;
  });
}

/** A Dockerfile's text and the parser for it. */
/** The Dockerfile, read once, parsed for each platform (its ARGs and FROM --platform depend on it). */
type DockerParse = (platform: Platform) => DockerfileInfo;

async function readDockerfile(opts: CheckOptions): Promise<DockerParse | undefined> {
  const df = opts.dockerfile;
  if (!df) return undefined;
  let text: string;
  try {
    text = df.text ?? (await readFile(df.path, 'utf8'));
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
    throw new InputError(`dockerfile ${df.path}: ${why}`);
  }
  // Loaded only when there is a Dockerfile: dockerfile-ast and its dependencies take about 30 ms of the engine's
  // start-up, which every check without a Dockerfile (and --manifest-only) would pay. "eager" keeps it in
  // the one bundle file (ncc would otherwise emit a chunk beside dist/cli.js).
  const { parseDockerfile } = await import(/* webpackMode: "eager" */ '../analysis/dockerfile.js');
  return (platform) =>
    parseDockerfile(text, { path: df.path, buildArgs: df.buildArgs, target: df.target, platform });
}

/** One image (and its baseline image) to reports, under the policy for the image's platform (returned too). */
function checkOne(
  image: ScannedImage,
  baselineImage: ScannedImage | undefined,
  docker: DockerParse | undefined,
  opts: CheckOptions,
): CheckResult & { policy: Policy } {
  const policy = policyForPlatform(opts.policy ?? DEFAULT_POLICY, formatPlatform(image.platform));
  const dockerfile = docker?.(image.platform) ?? null;
  const baseline = baselineImage ? buildCheckReport(baselineImage, { policy }) : null;
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
  return { report, baseline, policy };
}

/**
 * The fast path: max-compressed-size and max-layers from manifests alone (registries and OCI layouts make
 * no blob request). Budgets that need the layers' content are refused rather than silently skipped.
 */
export async function checkManifest(source: string, opts: CheckOptions = {}): Promise<ManifestCheck> {
  if (opts.platform === 'all')
    throw new InputError('checkManifest takes one platform: checkManifestAll checks every platform');
  const [summary, ...more] = await manifestChecks(source, opts);
  if (!summary) throw new InputError(`no image found in ${source}`);
  if (more.length) throw new InputError('--manifest-only checks one platform: choose it with --platform');
  return summary;
}

/** `--manifest-only --platform all`: each platform's manifest against its own budgets. */
export async function checkManifestAll(source: string, opts: CheckOptions = {}): Promise<ManifestCheck[]> {
  const all = await manifestChecks(source, { ...opts, platform: 'all' });
  if (!all.length) throw new InputError(`no image found in ${source}`);
  return all;
}

async function manifestChecks(source: string, opts: CheckOptions): Promise<ManifestCheck[]> {
  const top = opts.policy ?? DEFAULT_POLICY;
  // Every budget the check may apply: the top level's and each platform section's.
  const layers = [top, ...Object.values(top.platforms ?? {})];
  const needContent = (['max-size', 'max-wasted', 'max-growth'] as const).filter((n) =>
    layers.some(
      (p) => (n === 'max-size' ? p.maxSize : n === 'max-wasted' ? p.maxWasted : p.maxGrowth) !== undefined,
    ),
  );
  if (needContent.length || opts.baseline || opts.dockerfile) {
    const what: string[] = [...needContent];
    if (opts.baseline) what.push('baseline');
    if (opts.dockerfile) what.push('dockerfile');
    throw new InputError(
      `--manifest-only answers max-compressed-size and max-layers only; ${what.join(', ')} needs the layers`,
    );
  }
  if (layers.every((p) => p.maxCompressedSize === undefined && p.maxLayers === undefined)) {
    throw new InputError(
      '--manifest-only needs a budget it can answer: --max-compressed-size or --max-layers',
    );
  }
  const summaries = await manifestSummary(source, opts);
  return summaries.map((summary) => {
    const policy = summary.platform ? policyForPlatform(top, summary.platform) : top;
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
  });
}

/** Builds, then analyses the result (every platform built, when there are several). */
export async function inspectBuild(
  build: BuildOptions,
  opts: InspectOptions = {},
): Promise<{ build: BuildResult; reports: Report[] }> {
  const result = await buildImage(build);
  try {
    const built = build.platforms ?? [];
    const platform =
      opts.platform ??
      (built.length > 1 ? 'all' : built.length === 1 ? parsePlatform(built[0] as string) : undefined);
    const reports = await inspect(result.source, { ...opts, platform });
    return { build: result, reports };
  } finally {
    await result.cleanup();
  }
}
