/**
 * The one check of a Report read back from JSON (src/types/report.ts, DESIGN.md): a saved baseline, a
 * `baseline:` file, or comment mode's report.json and baseline.json, which in the fork-safe recipe a fork's
 * workflow wrote byte for byte. Every field a consumer reads (the verdict, the diff, the markdown, SARIF,
 * the trend, the outputs) is checked for its type, its enum and a bound on its length, so that a bad report
 * is one line naming the field, never a TypeError deep in a renderer, nor a verdict that silently counts
 * `severity: 5` as nothing.
 *
 * What it accepts: every report this version writes, and the older forms (the optional fields were added
 * over time: pathBase64/linkBase64, entrypoint, verdict, history, a check's unit/skipped/detail, base's
 * os/packages/dockerfile, a finding's env/location/docs, binaries). Keys it does not know are dropped (a newer
 * version may add some; this one reads only its own). `history` keeps the points trend.ts accepts: its
 * malformed points were always dropped, not refused, so that a bad one only restarts the chart.
 */
import type {
  BaseVerdict,
  BudgetCheck,
  EntrypointInfo,
  Finding,
  Ownership,
  Report,
  ReportFile,
  ReportBinary,
  ReportGoInfo,
  ReportGoModule,
  ReportLayer,
  ReportPackage,
  FindingVulnerability,
  VulnerabilitySummary,
  VulnSeverity,
} from '../types/report.js';
import { FAIL_ON_LEVELS, PRESETS, SEVERITIES } from '../analysis/verdict.js';
import {
  arr,
  bool,
  count,
  filtered,
  matching,
  nullable,
  num,
  obj,
  oneOf,
  optional,
  quote,
  ShapeError,
  str,
  type Shape,
} from '../util/shape.js';
import { validPoints } from './trend.js';

/**
 * Characters in any one string. Far above any real field (a path is at most 4095 bytes, 16 KiB once its
 * stray bytes are escaped; the kernel refuses an ENV entry or an argument over 128 KiB), and it keeps what a
 * renderer or a log line may be handed bounded whatever the file says.
 */
const TEXT = 1 << 20;

const text = str(TEXT);
const texts = arr(text);
const base64 = matching(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64', TEXT);

const FILE_TYPES: readonly ReportFile['type'][] = [
  'file',
  'dir',
  'symlink',
  'hardlink',
  'char',
  'block',
  'fifo',
];
const ENTRYPOINT_KINDS: readonly EntrypointInfo['kind'][] = [
  'static',
  'dynamic',
  'script',
  'shell-form',
  'unknown',
  'missing',
  'none',
];

const VULN_SEVERITIES: readonly VulnSeverity[] = ['critical', 'high', 'medium', 'low', 'unknown'];
const vulnerability = obj<FindingVulnerability>({
  ids: arr(str(256), 1000),
  severity: oneOf(VULN_SEVERITIES),
  score: optional(num),
  vector: optional(str(1024)),
  package: obj<FindingVulnerability['package']>({
    ecosystem: str(256),
    name: str(4 * 256),
    version: str(64 * 1024),
    purl: optional(str(4096)),
  }),
  fixed: nullable(str(1024)),
  summary: optional(str(1024)),
  reachability: optional(oneOf(['linked', 'not-linked', 'unknown'] as const)),
  reachabilityWhy: optional(str(256)),
  waived: optional(obj<NonNullable<FindingVulnerability['waived']>>({ reason: text, until: str(64) })),
});
const vulnerabilities = obj<VulnerabilitySummary>({
  checked: bool,
  reason: optional(text),
  counts: obj<VulnerabilitySummary['counts']>({
    critical: count,
    high: count,
    medium: count,
    low: count,
    unknown: count,
  }),
  total: count,
  waived: optional(count),
  packages: obj<VulnerabilitySummary['packages']>({ queried: count, skipped: count }),
  notes: optional(arr(text, 100)),
});

const finding = obj<Finding>({
  id: text,
  category: text,
  severity: oneOf(SEVERITIES),
  message: text,
  path: optional(text),
  pathBase64: optional(base64),
  layer: optional(count),
  remediation: text,
  env: optional(text),
  location: optional(obj<NonNullable<Finding['location']>>({ file: text, line: count })),
  docs: optional(text),
  vulnerability: optional(vulnerability),
});

const file = obj<ReportFile>({
  path: text,
  pathBase64: optional(base64),
  type: oneOf(FILE_TYPES),
  size: count,
  // Octal, as the engine writes it (`0755`, `4755`).
  mode: matching(/^[0-7]{1,18}$/, 'must be an octal mode such as 0755', 32),
  uid: count,
  gid: count,
  link: nullable(text),
  linkBase64: optional(base64),
  layer: count,
  owner: optional(count),
});

const layer = obj<ReportLayer>({
  digest: text,
  diffId: text,
  mediaType: text,
  compressedSize: count,
  uncompressedSize: count,
  createdBy: nullable(text),
  files: count,
  wastedBytes: count,
});

const base = obj<BaseVerdict>({
  verdict: oneOf(['scratch', 'distroless', 'os'] as const),
  image: nullable(text),
  evidence: texts,
  os: optional(
    obj<NonNullable<BaseVerdict['os']>>({
      id: nullable(text),
      versionId: nullable(text),
      prettyName: nullable(text),
    }),
  ),
  packages: optional(
    arr(
      obj<NonNullable<BaseVerdict['packages']>[number]>({
        manager: oneOf(['dpkg', 'apk', 'rpm'] as const),
        path: text,
        count: nullable(count),
      }),
    ),
  ),
  dockerfile: optional(obj<NonNullable<BaseVerdict['dockerfile']>>({ file: text, line: count, image: text })),
});

const check = obj<BudgetCheck>({
  name: text,
  limit: num,
  // max-growth's actual is negative when the image shrank.
  actual: num,
  passed: bool,
  unit: optional(oneOf(['bytes', 'layers'] as const)),
  skipped: optional(bool),
  detail: optional(text),
});

const entrypoint = obj<EntrypointInfo>({
  argv: texts,
  resolved: nullable(text),
  kind: oneOf(ENTRYPOINT_KINDS),
  interpreter: nullable(text),
  needed: nullable(texts),
  evidence: texts,
});

/** Strings read from a binary: 1,024 bytes in the engine, so 4,096 characters once stray bytes are escaped. */
const binText = str(4096);
const goModule = obj<ReportGoModule>({
  path: binText,
  pathBase64: optional(base64),
  version: binText,
  sum: optional(binText),
  replace: optional(
    obj<NonNullable<ReportGoModule['replace']>>({
      path: binText,
      pathBase64: optional(base64),
      version: binText,
      sum: optional(binText),
    }),
  ),
  purl: optional(str(16 * 1024)),
});
const binary = obj<ReportBinary>({
  path: text,
  pathBase64: optional(base64),
  size: count,
  kinds: nullable(
    obj<NonNullable<ReportBinary['kinds']>>({ code: count, debug: count, symbols: count, other: count }),
  ),
  stripped: nullable(bool),
  go: optional(
    obj<ReportGoInfo>({
      version: binText,
      path: nullable(binText),
      main: nullable(goModule),
      deps: arr(goModule, 5000),
      settings: arr(obj<ReportGoInfo['settings'][number]>({ key: binText, value: binText }), 200),
      truncated: optional(bool),
      stdlib: optional(obj<NonNullable<ReportGoInfo['stdlib']>>({ version: binText, purl: str(16 * 1024) })),
      depCount: optional(count),
      functions: optional(count),
    }),
  ),
  notes: optional(arr(str(200), 8)),
});

type ImageInfo = Report['image'];

/** Names and versions are cut at 256 characters by the scan; escaped, a stray byte takes 4. */
const NAME = str(4 * 256);
/** The engine lists at most 5000 packages (src/analysis/owners.ts); a few times that is still a bound. */
const MAX_PACKAGES = 20_000;
const MANAGERS = [
  'dpkg',
  'apk',
  'rpm',
  'npm',
  'python',
  'gem',
  'maven',
  'nuget',
  'composer',
  'cargo',
  'conda',
] as const;
const pkg = obj<ReportPackage>({
  manager: oneOf(MANAGERS),
  name: NAME,
  version: nullable(str(64 * 1024)),
  size: count,
  files: count,
  declaredSize: optional(count),
  copies: optional(count),
  purl: optional(str(16 * 1024)),
  source: optional(obj<NonNullable<ReportPackage['source']>>({ name: NAME, version: nullable(NAME) })),
  licenses: optional(str(4 * 1024)),
  layer: optional(count),
  arch: optional(NAME),
  supplier: optional(NAME),
  dependsOn: optional(arr(NAME, 5000)),
});
const totals = obj<Ownership['owned']>({ bytes: count, files: count });
const ownership = obj<Ownership>({
  owned: totals,
  unowned: totals,
  more: optional(obj<NonNullable<Ownership['more']>>({ packages: count, bytes: count })),
  notes: arr(text, 100),
});

const REPORT: Shape<Report> = obj<Report>({
  schemaVersion: oneOf([1] as const),
  image: obj<ImageInfo>({
    source: text,
    digest: text,
    configDigest: text,
    platform: text,
    tags: texts,
    config: obj<ImageInfo['config']>({
      user: nullable(text),
      entrypoint: nullable(texts),
      cmd: nullable(texts),
      env: texts,
      workingDir: nullable(text),
    }),
  }),
  size: obj<Report['size']>({ compressed: count, uncompressed: count, wasted: count, files: count }),
  layers: arr(layer),
  files: arr(file),
  base,
  findings: arr(finding),
  budget: obj<Report['budget']>({ passed: bool, checks: arr(check) }),
  passed: bool,
  entrypoint: optional(entrypoint),
  verdict: optional(
    obj<NonNullable<Report['verdict']>>({
      failOn: oneOf(FAIL_ON_LEVELS),
      preset: optional(oneOf(PRESETS)),
      errors: count,
      warnings: count,
      infos: count,
      newErrors: optional(count),
    }),
  ),
  history: optional(filtered(validPoints)),
  binaries: optional(arr(binary, 1_000_000)),
  packages: optional(arr(pkg, MAX_PACKAGES)),
  ownership: optional(ownership),
  vulnerabilities: optional(vulnerabilities),
});

const TOP: readonly (keyof Report)[] = ['image', 'size', 'layers', 'files', 'base', 'findings', 'budget'];

/**
 * A report read from JSON, checked whole and copied with the fields of the contract only; a ShapeError
 * names what is wrong (with an empty path, its problem reads on from the file's name: "is not a Slimgate
 * report (…)").
 */
export function validateReport(doc: unknown): Report {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    throw new ShapeError('is not a Slimgate report (expected a JSON object)');
  const d = doc as Record<string, unknown>;
  const version = Object.hasOwn(d, 'schemaVersion') ? d['schemaVersion'] : undefined;
  if (version !== 1) throw new ShapeError(`has schemaVersion ${quote(version)}; this version reads 1`);
  for (const k of TOP)
    if (!Object.hasOwn(d, k) || d[k] === null) throw new ShapeError(`is not a Slimgate report (no "${k}")`);
  return REPORT.read(doc);
}
