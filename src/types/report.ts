/** Report JSON, schemaVersion 1: the contract users and tests rely on (at least these fields; more may be added). */
export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  id: string;
  category: string;
  severity: Severity;
  message: string;
  path?: string;
  /** The exact bytes of `path`, base64, when they are not valid UTF-8 (see src/report/names.ts). */
  pathBase64?: string;
  layer?: number;
  remediation: string;
  /** The environment variable a secret-in-ENV finding is about (its value is never shown). */
  env?: string;
  /** The Dockerfile line that causes the finding, when a Dockerfile was given (for annotations). */
  location?: { file: string; line: number };
  /** Link to the rule's entry in docs/rules.md. */
  docs?: string;
  /** A known vulnerability (category `vulnerability`, SG801): its ids, severity, package and fix. */
  vulnerability?: FindingVulnerability;
}

/** A vulnerability's severity, from its CVSS vector when it has one, else its ecosystem's own word. */
export type VulnSeverity = 'critical' | 'high' | 'medium' | 'low' | 'unknown';

/** One known vulnerability in one package (or one Go binary's module): OSV's records merged by alias. */
export interface FindingVulnerability {
  /** The primary id first (a CVE when there is one), then the aliases (DSA/DLA, GHSA, GO-, DEBIAN-CVE-…). */
  ids: string[];
  severity: VulnSeverity;
  /** The CVSS base score and vector the severity came from; absent when it is the ecosystem's own. */
  score?: number;
  vector?: string;
  /** The package as it was looked up: coordinates only. */
  package: { ecosystem: string; name: string; version: string; purl?: string };
  /** The first version that fixes it, when the record names one. */
  fixed: string | null;
  /** The record's one-line summary (its text; shown escaped). */
  summary?: string;
  /** Go only: whether the vulnerable functions are linked into the binary (`path`). */
  reachability?: 'linked' | 'not-linked' | 'unknown';
  /** Why it is unknown, in a few words (no function table, a record without symbols, …). */
  reachabilityWhy?: string;
  /** A waiver from the policy that covers it: it is listed, and never counted. */
  waived?: { reason: string; until: string };
}

/** Whether the image's packages were looked up, and what was found: "not checked" is never 0. */
export interface VulnerabilitySummary {
  checked: boolean;
  /** Why they were not checked (off, the service unreachable, …), or what was left out. */
  reason?: string;
  /** Entries (SG801 findings) by severity; waived ones are in `waived`, not here. */
  counts: Record<VulnSeverity, number>;
  total: number;
  waived?: number;
  /** Packages looked up, and packages no OSV ecosystem covers (not looked up). */
  packages: { queried: number; skipped: number };
  /** Ecosystems with no OSV data, and other limits, in a sentence each. */
  notes?: string[];
}

export interface ReportFile {
  /** Valid UTF-8 as is; other names escaped, with their exact bytes in `pathBase64` (src/report/names.ts). */
  path: string;
  pathBase64?: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';
  size: number;
  mode: string;
  uid: number;
  gid: number;
  link: string | null;
  linkBase64?: string;
  layer: number;
  /**
   * The package that owns it: an index into `packages`; `packages.length` for one of the packages not
   * listed (`ownership.more`). Absent: no package (in reports written before 0.x, also one not listed).
   */
  owner?: number;
}

export interface ReportLayer {
  digest: string;
  diffId: string;
  mediaType: string;
  compressedSize: number;
  uncompressedSize: number;
  createdBy: string | null;
  files: number;
  wastedBytes: number;
}

export interface BaseVerdict {
  verdict: 'scratch' | 'distroless' | 'os';
  image: string | null;
  evidence: string[];
  /** os-release fields, when the image has one. */
  os?: { id: string | null; versionId: string | null; prettyName: string | null };
  /** Package databases found, with their record counts. */
  packages?: { manager: 'dpkg' | 'apk' | 'rpm'; path: string; count: number | null }[];
  /** The final stage's FROM, when a Dockerfile was given. */
  dockerfile?: { file: string; line: number; image: string };
}

export interface BudgetCheck {
  name: string;
  limit: number;
  actual: number;
  passed: boolean;
  /** What limit and actual count: bytes (uncompressed or compressed, as the name says) or layers. */
  unit?: 'bytes' | 'layers';
  /** True when the check could not be made (no baseline for max-growth); it then counts as passed. */
  skipped?: boolean;
  /** A human line: how the limit was worked out, or why the check was skipped. */
  detail?: string;
}

/** What the container will execute, as Slimgate resolved it. */
export interface EntrypointInfo {
  /** ENTRYPOINT + CMD as the runtime joins them. */
  argv: string[];
  /** argv[0] resolved inside the image (PATH, WORKDIR and symlinks), or null when it is not there. */
  resolved: string | null;
  kind: 'static' | 'dynamic' | 'script' | 'shell-form' | 'unknown' | 'missing' | 'none';
  /** The ELF loader, or the script interpreter. */
  interpreter: string | null;
  /** DT_NEEDED libraries, when the dynamic section lies within the bytes Slimgate reads. */
  needed: string[] | null;
  evidence: string[];
}

export interface Report {
  schemaVersion: 1;
  image: {
    source: string;
    digest: string;
    configDigest: string;
    platform: string;
    tags: string[];
    config: {
      user: string | null;
      entrypoint: string[] | null;
      cmd: string[] | null;
      env: string[];
      workingDir: string | null;
    };
  };
  size: { compressed: number; uncompressed: number; wasted: number; files: number };
  layers: ReportLayer[];
  files: ReportFile[];
  base: BaseVerdict;
  findings: Finding[];
  budget: { passed: boolean; checks: BudgetCheck[] };
  passed: boolean;
  /** Present in `check` reports: what will run. */
  entrypoint?: EntrypointInfo;
  /**
   * Present in `check` reports: the policy's fail-on (and preset), and the findings counted by severity.
   * `newErrors` counts the error findings the baseline does not have (all of them without a baseline).
   */
  verdict?: {
    failOn: 'error' | 'warning' | 'never' | 'new-error';
    preset?: 'budgets-only';
    errors: number;
    warnings: number;
    infos: number;
    newErrors?: number;
  };
  /** Saved default-branch reports only: the sizes of the last main commits, oldest first, this one last. */
  history?: SizePoint[];
  /** The ELF executables of the final file system, by path: their bytes by kind and Go build info. */
  binaries?: ReportBinary[];
  /** Who brought the bytes: the packages of the final file system, largest first (src/analysis/owners.ts). */
  packages?: ReportPackage[];
  /** What the packages own and what nobody does; absent in reports written before it existed. */
  ownership?: Ownership;
  /** Known vulnerabilities (OSV): whether they were checked, and their counts; the entries are findings. */
  vulnerabilities?: VulnerabilitySummary;
}

/** An ELF executable, as the scan read it from its section headers and build info (strings are image text). */
export interface ReportBinary {
  path: string;
  pathBase64?: string;
  /** Uncompressed bytes. */
  size: number;
  /** Bytes by kind (they add up to size); null when the section headers could not be read (see notes). */
  kinds: { code: number; debug: number; symbols: number; other: number } | null;
  /** No symbol table and no debug sections; null when unknown. */
  stripped: boolean | null;
  go?: ReportGoInfo;
  /** What could not be read, and why. */
  notes?: string[];
}

/** Go build info, as `go version -m` prints it. */
export interface ReportGoInfo {
  version: string;
  /** The main package. */
  path: string | null;
  main: ReportGoModule | null;
  deps: ReportGoModule[];
  /** -ldflags, -trimpath, CGO_ENABLED, GOOS, GOARCH, vcs.*, … in the binary's order. */
  settings: { key: string; value: string }[];
  /** Part of the module list was cut at a bound or not understood. */
  truncated?: boolean;
  /** The Go standard library it was built with (`go1.21.5` → 1.21.5), as a package. */
  stdlib?: { version: string; purl: string };
  /** How many modules the binary lists, when `deps` holds fewer (cut at a bound of the scan or the report). */
  depCount?: number;
  /**
   * Names read from the binary's function table (functions and the functions inlined into them); absent
   * when the table was not read (the binary's notes say why). The names themselves stay in the scan.
   */
  functions?: number;
}

export interface ReportGoModule {
  path: string;
  pathBase64?: string;
  version: string;
  sum?: string;
  replace?: { path: string; pathBase64?: string; version: string; sum?: string };
  /** `pkg:golang/<module path>@<version>`. */
  purl?: string;
}

export type PackageManager =
  'dpkg' | 'apk' | 'rpm' | 'npm' | 'python' | 'gem' | 'maven' | 'nuget' | 'composer' | 'cargo' | 'conda';

/** One package (all its copies, for language packages installed more than once), as its database says. */
export interface ReportPackage {
  manager: PackageManager;
  /** dpkg names a Multi-Arch: same package NAME:ARCH, as dpkg-query's ${binary:Package}. */
  name: string;
  /** The version; several copies with different versions are joined by ", ". Null when unknown. */
  version: string | null;
  /** Bytes of the regular files it owns in the final file system (uncompressed, each inode once). */
  size: number;
  /** Paths it owns in the final file system (not directories). */
  files: number;
  /** The installed size its database declares, in bytes (dpkg Installed-Size, apk I:). */
  declaredSize?: number;
  /** Language packages: how many copies (node_modules trees, site-packages) hold it, when more than one. */
  copies?: number;
  /** Its package-url (github.com/package-url/purl-spec), canonical; OS packages carry os-release's distro. */
  purl?: string;
  /** The source package it was built from (dpkg Source:, rpm SOURCERPM), when the database names one. */
  source?: { name: string; version: string | null };
  /** Its license as an SPDX expression, when the database has one that is valid SPDX. */
  licenses?: string;
  /** Index of the layer whose database record brought it. */
  layer?: number;
  arch?: string;
  /** Who supplies it, as the database says (dpkg Maintainer, apk m:, npm author). */
  supplier?: string;
  /** Names of packages of the same manager it depends on, where the database records them. */
  dependsOn?: string[];
}

export interface Ownership {
  /** Regular files (bytes, uncompressed) and paths owned by some package. */
  owned: { bytes: number; files: number };
  /** Your own files: what no package database claims. */
  unowned: { bytes: number; files: number };
  /** Packages left out of `packages` (the smallest) when there are too many to list. */
  more?: { packages: number; bytes: number };
  /** What the databases could not say: cut, malformed or escaping entries, databases not read (rpm). */
  notes: string[];
}

/** One main commit's image size, for the size history. */
export interface SizePoint {
  commit: string;
  /** ISO 8601. */
  date: string;
  compressed: number;
  uncompressed: number;
}

/** What the manifests alone say: compressed size and layer count, with no layer read. */
export interface ManifestSummary {
  source: string;
  /** The chosen platform's manifest digest. */
  digest: string;
  /** The platform, when the index or the config says it (null for a single manifest not checked). */
  platform: string | null;
  /** Sum of the layer blobs' sizes, as the manifest says. */
  compressedSize: number;
  layers: number;
  /**
   * Every layer is stored uncompressed (docker save, an OCI image with uncompressed layers): the stored size
   * is not a compressed size, and max-compressed-size is skipped over it, as in a full check.
   */
  storedUncompressed: boolean;
  /** True when the numbers came from manifests alone, with no layer read. */
  manifestOnly: boolean;
}

/** What `check --manifest-only` answers: budgets the manifests alone settle, with no layer downloaded. */
export interface ManifestCheck {
  schemaVersion: 1;
  kind: 'manifest-check';
  summary: ManifestSummary;
  budget: { passed: boolean; checks: BudgetCheck[] };
  passed: boolean;
}
