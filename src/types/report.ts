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
  /** The package that owns it: an index into `packages` (absent: no package, or one not listed). */
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
}

export interface ReportGoModule {
  path: string;
  pathBase64?: string;
  version: string;
  sum?: string;
  replace?: { path: string; pathBase64?: string; version: string; sum?: string };
}

export type PackageManager = 'dpkg' | 'apk' | 'npm' | 'python' | 'gem';

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
