/** Builds the report (pure): scanned image → flattened inventory → JSON document (and, for check, the verdict). */
import { analyze, type AnalyzeOptions } from '../analysis/analyze.js';
import { listBinaries } from '../analysis/binaries.js';
import { detectBase } from '../analysis/base.js';
import { measureImage } from '../analysis/budget.js';
import { integrityFindings } from '../analysis/integrity.js';
import { findOwners, type Owners } from '../analysis/owners.js';
import { reportOwners } from '../analysis/owners-report.js';
import { redactArgv, redactCommand, redactEnv } from '../analysis/secrets.js';
import { redactBuildSetting } from '../util/secret-shapes.js';
import { judgeInventory, unjudged } from '../analysis/judge.js';
import type { ScannedImage } from '../scan/scan-layers.js';
import { formatPlatform } from '../sources/platform.js';
import { flatten, type Flattened } from '../flatten/flatten.js';
import { goJudge, type GoJudge } from '../analysis/go-reach.js';
import { basename } from '../util/paths.js';
import { showNames } from '../report/names.js';
import type { Report, ReportFile } from '../types/report.js';

/** The report of `inspect`: the inventory, the base from the image's files, and the integrity findings. */
export function buildReport(image: ScannedImage): Report {
  return judgeInventory(build(image));
}

/**
 * The report of `check` before it is judged (the engine judges it once its baseline is known,
 * analysis/judge.ts), and the Go reachability judge over the same flattened files (for the vulnerability
 * look-up): the image is flattened once, and only the binaries' function tables outlive this call.
 */
export function buildCheckImage(image: ScannedImage, analysis: AnalyzeOptions): CheckImage {
  let judge: GoJudge = () => ({ reachability: 'unknown', why: 'not judged' });
  const report = build(image, analysis, (flat) => (judge = goJudge(flat.files)));
  return { report, judge };
}

export interface CheckImage {
  report: Report;
  judge: GoJudge;
}

function build(image: ScannedImage, analysis?: AnalyzeOptions, seen?: (flat: Flattened) => void): Report {
  const flat = flatten(image.layers);
  seen?.(flat);
  const files: ReportFile[] = flat.files.map((f) => ({
    path: f.path,
    type: f.type,
    size: f.size,
    mode: f.mode.toString(8).padStart(4, '0'),
    uid: f.uid,
    gid: f.gid,
    link: f.link,
    layer: f.layer,
  }));
  const cfg = image.config.config ?? {};
  const measured = measureImage(image, flat);
  const command = redactCommandLine(cfg.Entrypoint ?? null, cfg.Cmd ?? null);
  const report: Report = {
    schemaVersion: 1,
    image: {
      source: image.source,
      digest: image.digest,
      configDigest: image.configDigest,
      platform: formatPlatform(image.platform),
      tags: image.tags,
      config: {
        user: cfg.User || null,
        // Credentials in the command line are redacted: SG506 reports them.
        entrypoint: command.entrypoint,
        cmd: command.cmd,
        // Secret-looking values are redacted: the findings name the variable (SG503/SG504).
        env: (cfg.Env ?? []).map(redactEnv),
        workingDir: cfg.WorkingDir || null,
      },
    },
    size: {
      compressed: measured.compressed,
      uncompressed: measured.uncompressed,
      wasted: measured.wasted,
      files: files.length,
    },
    layers: image.layers.map((l, i) => ({
      digest: l.digest,
      diffId: l.diffId,
      mediaType: l.mediaType,
      compressedSize: l.compressedSize,
      uncompressedSize: l.uncompressedSize,
      // Build args recorded in the history (`RUN |1 NPM_TOKEN=… npm ci`) are redacted: SG505 names them.
      createdBy: l.createdBy === null ? null : redactCommand(l.createdBy),
      files: l.entries.filter((e) => !basename(e.path).startsWith('.wh.')).length,
      wastedBytes: flat.layerWasted[i] ?? 0,
    })),
    files,
    base: { verdict: 'scratch', image: null, evidence: [] },
    findings: [],
    ...unjudged(),
  };
  const binaries = listBinaries(flat.files);
  if (binaries.length) report.binaries = binaries;
  if (!analysis) {
    report.base = detectBase(flat.files, { labels: cfg.Labels ?? null, env: cfg.Env ?? [] });
    report.findings = integrityFindings(flat.problems, flat.files);
    withOwners(report, findOwners(flat.files));
    return showNames(report);
  }
  const a = analyze(image, flat, analysis);
  report.base = a.base;
  report.findings = a.findings;
  report.entrypoint = a.entrypoint;
  withOwners(report, a.owners);
  return showNames(report);
}

/** The packages, the ownership totals, and each owned file's owner (an index into `packages`). */
function withOwners(report: Report, owners: Owners): void {
  const os = report.base.os;
  const o = reportOwners(owners, {
    distroId: os?.id?.toLowerCase() ?? null,
    distroVersion: os?.versionId ?? null,
  });
  report.packages = o.packages;
  report.ownership = o.ownership;
  const per = owners.fileOwners;
  // A package past the listed ones still owns its files: they point one past the list (ownership.more).
  const beyond = o.packages.length;
  for (let i = 0; i < per.length; i++) {
    const p = per[i];
    if (p) (report.files[i] as ReportFile).owner = o.indexOf.get(p) ?? beyond;
  }
}

/** ENTRYPOINT and CMD redacted as the runtime joins them (a flag in one, its value in the other). */
function redactCommandLine(
  entrypoint: string[] | null,
  cmd: string[] | null,
): { entrypoint: string[] | null; cmd: string[] | null } {
  const ep = entrypoint ?? [];
  const all = redactArgv([...ep, ...(cmd ?? [])]);
  return { entrypoint: entrypoint && all.slice(0, ep.length), cmd: cmd && all.slice(ep.length) };
}

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * The same redaction for a report read from disk (a saved baseline written before it existed, or an
 * artifact): layer commands, ENV values, ENTRYPOINT and CMD. Fields of the wrong type are left for the
 * caller to reject.
 */
export function redactReport(report: Report): Report {
  const layers = Array.isArray(report.layers)
    ? report.layers.map((l) =>
        l && typeof l.createdBy === 'string' ? { ...l, createdBy: redactCommand(l.createdBy) } : l,
      )
    : report.layers;
  const out: Report = { ...report, layers };
  if (Array.isArray(report.binaries))
    out.binaries = report.binaries.map((b) =>
      b?.go && Array.isArray(b.go.settings)
        ? {
            ...b,
            go: {
              ...b.go,
              settings: b.go.settings.map((s) =>
                s && typeof s.value === 'string' ? { ...s, value: redactBuildSetting(s.value) } : s,
              ),
            },
          }
        : b,
    );
  const ep = report.entrypoint;
  if (ep && typeof ep === 'object' && strings(ep.argv)) {
    const argv = redactArgv(ep.argv);
    const evidence = strings(ep.evidence)
      ? ep.evidence.map((e) => (e.startsWith('shell form: ') ? `shell form: ${JSON.stringify(argv)}` : e))
      : ep.evidence;
    out.entrypoint = { ...ep, argv, evidence };
  }
  const config = report.image?.config;
  if (!config || typeof config !== 'object') return out;
  const env = Array.isArray(config.env)
    ? config.env.map((e) => (typeof e === 'string' ? redactEnv(e) : e))
    : config.env;
  const okEp = config.entrypoint === null || strings(config.entrypoint);
  const okCmd = config.cmd === null || strings(config.cmd);
  const command =
    okEp && okCmd
      ? redactCommandLine(config.entrypoint, config.cmd)
      : { entrypoint: config.entrypoint, cmd: config.cmd };
  out.image = { ...report.image, config: { ...config, env, ...command } };
  return out;
}
