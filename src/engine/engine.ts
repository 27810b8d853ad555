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
import { buildCheckImage, buildReport } from './assemble.js';
import type { ManifestCheck, ManifestSummary, Report } from '../types/report.js';
import { readFile } from 'node:fs/promises';
import type { DockerfileInfo } from '../analysis/dockerfile.js';
import { layersStoredUncompressed, type Platform } from '../sources/model/image.js';
import { judgeManifest, judgeReport } from '../analysis/judge.js';
import { DEFAULT_POLICY, policyForPlatform, type Policy } from '../analysis/policy.js';
import type { Verdict } from '../analysis/verdict.js';
import type { BaselineAnswer, BaselineProvider, DockerfileOptions, Override } from './baseline.js';
import { InputError, UserFacingError, withPrefix } from '../util/errors.js';
import { BUDGETS, type BudgetKey } from '../analysis/budget-table.js';
import { OsvClient } from '../vulns/client.js';
import {
  baselineNeedsLookup,
  osvCacheDir,
  osvUrlFromEnv,
  withVulnerabilities,
  type VulnerabilityOptions,
} from './vulnerabilities.js';

export interface InspectOptions {
  platform?: PlatformChoice;
  concurrency?: number;
  progress?: (message: string) => void;
  /** Registry access for docker:// sources: credentials, insecure registries, retries. */
  registry?: RegistryOptions;
  /**
   * The layer cache, opened once by the caller and passed in for the image and its baseline; or false (off),
   * or a directory to open (default: opened here; SLIMGATE_CACHE=0 is off).
   */
  cache?: LayerCache | boolean | string;
  /** The docker CLI for docker-daemon: sources. */
  daemon?: DaemonOptions;
}

/** Two layers at once keeps both cores busy (one parses, zlib inflates on the thread pool); more only adds memory. */
function defaultConcurrency(): number {
  return Math.max(2, Math.min(4, availableParallelism()));
}

/** Opens and scans a source with the engine's options; `platform` is separate because a baseline takes the image's. */
function scan(source: string, opts: InspectOptions, platform: PlatformChoice): Promise<ScannedImage[]> {
  const { progress, registry, daemon } = opts;
  const cache = opts.cache instanceof LayerCache ? opts.cache : LayerCache.open({ cache: opts.cache });
  return scanLayers(openSource(source, { platform, progress, registry, daemon }), {
    concurrency: opts.concurrency ?? defaultConcurrency(),
    progress,
    ...(cache ? { cache } : {}),
  });
}

export async function inspect(source: string, opts: InspectOptions = {}): Promise<Report[]> {
  return (await scan(source, opts, opts.platform)).map(buildReport);
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
  return (await scan(source, opts, platform)).map((image) => ({
    source,
    digest: image.digest,
    platform: formatPlatform(image.platform),
    compressedSize: image.layers.reduce((n, l) => n + l.compressedSize, 0),
    layers: image.layers.length,
    storedUncompressed: layersStoredUncompressed(image.layers),
    manifestOnly: false,
  }));
}

export interface CheckOptions extends InspectOptions {
  /** The policy (budgets, allowed bases, rule overrides, fail-on); default DEFAULT_POLICY. */
  policy?: Policy;
  /** Where each platform's baseline comes from (max-growth, the ratchet, the diff); none: no baseline. */
  baseline?: BaselineProvider;
  /**
   * The override label and whether the PR carries it: asked for after the scan, so that a label added (or a
   * commit pushed) while the image was read is seen.
   */
  override?: () => Promise<Override | undefined>;
  /** The Dockerfile the image was built from: base, ARGs, stages and lines for annotations. */
  dockerfile?: DockerfileOptions;
  /** OSV look-ups (when the policy asks for them): the endpoint, the deadline, the Go judge, the cache. */
  vulnerabilities?: VulnerabilityOptions;
}

/** One platform of a check, judged: its report, its baseline's, the policy it was judged by, and the verdict. */
export interface JudgedPlatform {
  report: Report;
  /** The baseline's report, when the provider found one. */
  baseline: Report | null;
  /** Where the baseline came from (shown in the comment). */
  baselineSource?: string;
  /** Without a baseline report: why, in a sentence. */
  baselineNote?: string;
  /** The policy this platform was judged by: the top level, with its `platforms:` section over it. */
  policy: Policy;
  verdict: Verdict;
}

/** A check: a set of judged platforms (one for a single image), and the baseline's platforms it lacks. */
export interface CheckRun {
  platforms: JudgedPlatform[];
  /** Platforms the baseline has and the image does not (`platform: all` only). */
  missing: string[];
}

/**
 * `slimgate check`: every platform chosen (one, or all), each against its own budgets and its own baseline,
 * judged once. The index is opened once and every layer scanned once.
 */
export async function check(source: string, opts: CheckOptions = {}): Promise<CheckRun> {
  const docker = await readDockerfile(opts);
  const images = await scan(source, opts, opts.platform);
  if (!images.length) throw new InputError(`no image found in ${source}`);
  const top = opts.policy ?? DEFAULT_POLICY;
  const vulns = vulnerabilityOptions(opts, top);
  const checked: CheckedPlatform[] = [];
  for (const image of images) {
    const policy = policyForPlatform(top, formatPlatform(image.platform));
    const { report, judge } = buildCheckImage(image, {
      policy,
      dockerfile: docker?.(image.platform) ?? null,
    });
    checked.push({
      report: await withVulnerabilities(report, policy, { ...vulns, judge }, vulns.cacheDir),
      policy,
      platform: image.platform,
    });
  }
  return judgeChecked(checked, { ...opts, vulnerabilities: vulns });
}

/** One client for the image and its baselines (one deadline), and the cache folder, resolved once. */
function vulnerabilityOptions(
  opts: CheckOptions,
  policy: Policy,
): VulnerabilityOptions & { cacheDir: string | null } {
  const v = opts.vulnerabilities ?? {};
  const cache = opts.cache instanceof LayerCache ? opts.cache : undefined;
  const cacheDir = osvCacheDir(v, cache);
  const wanted = [policy, ...Object.values(policy.platforms ?? {})].some(
    (p) => 'vulnerabilities' in p || 'maxNewVulnerabilities' in p,
  );
  if (!wanted || v.client) return { ...v, cacheDir };
  return { ...v, cacheDir, client: new OsvClient({ ...v, url: v.url ?? osvUrlFromEnv() }) };
}

/** One platform's report before its baseline is known (judged without one), and its policy. */
export interface CheckedPlatform {
  report: Report;
  policy: Policy;
  platform: Platform;
}

/**
 * The second half of check(): each platform's baseline from the provider, the override label, and the one
 * judgement per platform. A test of a surface can stand in for the scan and keep this.
 */
export async function judgeChecked(
  checked: readonly CheckedPlatform[],
  opts: Pick<CheckOptions, 'baseline' | 'override' | 'platform' | 'vulnerabilities'>,
): Promise<CheckRun> {
  const provider = opts.baseline;
  const answers: (BaselineAnswer | undefined)[] = provider
    ? await provider.find(
        checked.map(({ platform, policy }) => ({ platform, policy })),
        { everyPlatform: opts.platform === 'all' },
      )
    : checked.map(() => undefined);
  const v = opts.vulnerabilities;
  for (const [i, { report, policy }] of checked.entries()) {
    const found = answers[i];
    if (v && baselineNeedsLookup(report, found?.report)) {
      // The baseline's own binaries judge its Go entries; a saved report has none (its entries are unknown).
      const { judge: _image, ...rest } = v;
      const bv = found.judge ? { ...rest, judge: found.judge } : rest;
      answers[i] = {
        ...found,
        report: await withVulnerabilities(found.report, policy, bv, osvCacheDir(v, undefined)),
      };
    }
  }
  const override = await opts.override?.();
  const platforms = checked.map(({ report, policy }, i): JudgedPlatform => {
    const found = answers[i];
    const judged = judgeReport(report, policy, {
      ...(found ? { baseline: found.report } : {}),
      override,
    });
    return {
      report: judged.report,
      baseline: found?.report ?? null,
      ...(found?.source ? { baselineSource: found.source } : {}),
      ...(found && !found.report && found.note ? { baselineNote: found.note } : {}),
      policy,
      verdict: judged.verdict,
    };
  });
  const known = opts.platform === 'all' && provider?.platforms ? await provider.platforms() : undefined;
  const missing = known
    ? missingPlatforms(
        known.map(parsePlatform),
        checked.map((c) => c.platform),
      ).map(formatPlatform)
    : [];
  return { platforms, missing };
}

/**
 * `baseline: SOURCE` (the CLI's --baseline, the action's input and its base-branch tag): the source opened
 * once for every platform asked for, each checked under that platform's policy. One platform asked for and
 * not there is an error, as the image itself would be; with several, a platform the source lacks gets a note.
 */
export function sourceBaseline(source: string, opts: InspectOptions): BaselineProvider {
  let seen: Platform[] | undefined;
  return {
    async find(requests, o) {
      const one = !o.everyPlatform && requests.length === 1 ? requests[0] : undefined;
      const images = await scan(source, opts, one ? { ...one.platform } : 'all').catch((err: unknown) => {
        throw err instanceof UserFacingError ? withPrefix(err, `baseline ${source}: `) : err;
      });
      if (one && !images[0]) throw new InputError(`no image found in baseline ${source}`);
      seen = images.map((i) => i.platform);
      return requests.map(({ platform, policy }): BaselineAnswer => {
        const b = one ? images[0] : images.find((x) => platformMatches(x.platform, platform));
        if (!b)
          return {
            report: null,
            note: `${formatPlatform(platform)} is new: the baseline ${source} has no such platform`,
          };
        const { report, judge } = buildCheckImage(b, { policy });
        return { report: judgeReport(report, policy).report, judge, source: b.source };
      });
    },
    async platforms() {
      return seen?.map(formatPlatform);
    },
  };
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

/**
 * The fast path: max-compressed-size and max-layers from manifests alone (registries and OCI layouts make
 * no blob request), for the platform chosen or every platform. Budgets that need the layers' content are
 * refused rather than silently skipped.
 */
export async function checkManifest(source: string, opts: CheckOptions = {}): Promise<ManifestCheck[]> {
  const all = await manifestChecks(source, opts);
  if (!all.length) throw new InputError(`no image found in ${source}`);
  if (opts.platform !== 'all' && all.length > 1)
    throw new InputError('--manifest-only checks one platform: choose it with --platform, or all');
  return all;
}

/** The budget rules the manifests answer (SG102, SG103) and their category: all a rule setting may name. */
const MANIFEST_RULES = new Set(['size', ...BUDGETS.filter((b) => b.needs === 'manifests').map((b) => b.id)]);

/**
 * What a policy asks of the rules, which the manifests cannot answer: the check would silently judge less
 * than the full check does, so each is refused by name.
 */
function rulesNeedingLayers(policy: Policy): string[] {
  const out: string[] = [];
  const rules = Object.keys(policy.rules).filter((k) => !MANIFEST_RULES.has(k));
  if (rules.length) out.push(`rules ${rules.slice(0, 5).join(', ')}${rules.length > 5 ? ', …' : ''}`);
  const bases = policy.allowedBases;
  if (
    bases.length !== DEFAULT_POLICY.allowedBases.length ||
    bases.some((b, i) => b !== DEFAULT_POLICY.allowedBases[i])
  )
    out.push('allowed-bases');
  if (policy.ignorePaths.length) out.push('ignore-path');
  if (policy.failOn === 'warning') out.push('fail-on warning');
  return out;
}

async function manifestChecks(source: string, opts: CheckOptions): Promise<ManifestCheck[]> {
  const top = opts.policy ?? DEFAULT_POLICY;
  // Every budget the check may apply: the top level's and each platform section's.
  const layers = [top, ...Object.values(top.platforms ?? {})];
  const set = (key: BudgetKey): boolean => layers.some((p) => p[key] !== undefined);
  const needContent = BUDGETS.filter((b) => b.needs !== 'manifests' && set(b.key)).map((b) => b.name);
  const what = [...needContent, ...rulesNeedingLayers(top)];
  if (what.length || opts.baseline || opts.dockerfile) {
    if (opts.baseline) what.push('baseline');
    if (opts.dockerfile) what.push('dockerfile');
    throw new InputError(
      `--manifest-only answers max-compressed-size and max-layers only; ${what.join(', ')} needs the layers`,
    );
  }
  if (!BUDGETS.some((b) => b.needs === 'manifests' && set(b.key))) {
    throw new InputError(
      '--manifest-only needs a budget it can answer: --max-compressed-size or --max-layers',
    );
  }
  const summaries = await manifestSummary(source, opts);
  return summaries.map((summary) =>
    judgeManifest(summary, summary.platform ? policyForPlatform(top, summary.platform) : top),
  );
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
