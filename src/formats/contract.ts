/**
 * The contract of a format module: one package manager (or one archive or binary format) that the scan,
 * the owners and base detection walk as one list (src/formats/index.ts). A module owns, for its world:
 *
 * 1. its paths: `match`, a cheap test that runs for every file of every layer;
 * 2. its bounded streaming parser: `parser`, fed the body of a matched file as it streams past, once, and
 *    returning a plain JSON value (`ParsedDb`) that the layer cache stores and reads back;
 * 3. its package assembly: `assemble`, from the parsed files of the final file system to packages, each
 *    with the paths (or the directory) it owns;
 * 4. its base-detection evidence: `evidence`, the databases that mark an OS.
 *
 * Adding a manager is one new module (and its tests) added to the list in index.ts. A module imports only
 * util/, types/ and formats/ (the layer below the scan): it sees the image through `FileView`, never
 * through flatten's or analysis' types. Everything it reads is hostile: names are bytes (decodeName in
 * src/util/names.ts), every collection that grows with the input is bounded, and what a bound drops is
 * counted in `cut` (the report says so), never silently lost.
 */
import type { PackageManager } from '../types/report.js';

/** The modules' ids: a package manager's name, or a format that is not one (elf). */
type FormatId = PackageManager;

/**
 * A matched file: which of the module's files it is. Kinds are unique across modules (the module's id, or
 * the id and a suffix: "dpkg-status", "rpm-sqlite"), at most 32 characters, and listed in `kinds`.
 */
export interface FileMatch {
  kind: string;
  /**
   * Count lines that start with this marker (a database's records, for base detection), with no parse.
   * Only for the few databases that mark an OS (dpkg status, apk installed).
   */
  countLines?: string;
}

/** Counts of what a parser did not keep: the owners turn them into one note per database. */
export interface Counts {
  /** Lines, fields, records or paths not kept because of a bound. */
  cut: number;
  /** Listed paths that climb out of the image's root. */
  outside: number;
  /** Lines or documents that do not parse. */
  bad: number;
}

/**
 * One package as its database records it. Every string is image text, cut at MAX_FIELD characters (a
 * dependency list at MAX_DEPENDS names). All optional fields are left out when the database has none:
 * never invented.
 */
export interface PackageRecord {
  name: string;
  /** The version as the ecosystem writes it (rpm: VERSION-RELEASE; dpkg: with its epoch "1:2.3-4"). */
  version: string | null;
  /** rpm's epoch, when it has one (the purl's `epoch` qualifier). */
  epoch?: string;
  arch?: string;
  /** The installed size the database declares, in bytes (dpkg Installed-Size × 1024, apk I:, rpm SIZE). */
  declaredSize?: number;
  /** The paths it installed, absolute and cleaned, joined by "\n" (apk, rpm: inside their one database). */
  files?: string;
  /** The source package (dpkg Source:, rpm SOURCERPM); version null means "the binary's own". */
  source?: { name: string; version: string | null };
  /** The license as the database writes it; the assembly keeps it only when it is a valid SPDX expression. */
  license?: string;
  /** Who supplies it (dpkg Maintainer, rpm Vendor/Packager, npm author). */
  supplier?: string;
  /** Names of packages of the same manager it depends on (no versions; the first of alternatives). */
  dependsOn?: string[];
  /** The purl namespace where the ecosystem has one (Maven groupId, Composer vendor, npm @scope is in name). */
  namespace?: string;
  /** A platform that is not part of the version (a platform gem's "x86_64-linux"). */
  platform?: string;
  /**
   * The purl, when the reader built it itself (the language worlds of lang.ts, whose readers know their
   * ecosystem's name rules: a Maven groupId, a Composer vendor); the module's `purl` hands it back.
   */
  purl?: string;
  /** The one directory it owns whole (a Composer package's vendor directory). */
  dir?: string;
  /** Inside an archive: the nested archive it came from ("a.jar!/b.jar"). */
  inside?: string;
}

/**
 * What a parser hands back: plain JSON (the layer cache stores it), checked on the way back in by
 * `isParsedDb` (index.ts), so it holds only the fields below.
 */
export interface ParsedDb extends Partial<Counts> {
  /** The `FileMatch.kind` it was parsed as (which names its module). */
  kind: string;
  /** The packages it records (a database), or the one package it describes (a package.json, a METADATA). */
  packages?: PackageRecord[];
  /** A file list's paths, absolute and cleaned, joined by "\n" (dpkg info/*.list, Python RECORD). */
  files?: string;
  /** Names it lists that are not packages of their own (an application's devDependencies). */
  names?: string[];
  /** A second list of names (an application's production dependencies). */
  more?: string[];
  /** Files of one package split over several files (an .egg-info directory) share this key. */
  key?: string;
  /** Paths a part of a package owns besides `files` (an egg's top-level modules), joined by "\n". */
  dirs?: string;
  /** What a reader did not read, in Slimgate's own words (at most a few). */
  notes?: string[];
}

/** A streaming parser: `write` per body chunk (the chunk's memory is not yours after it returns). */
export interface StreamParser {
  write(chunk: Uint8Array): void;
  end(): ParsedDb;
}

/** Characters of paths and records one image may keep; `take` says no once it is spent. */
export interface Budget {
  take(n: number): boolean;
}

/** A file of the final file system, as a module sees it. */
interface ViewFile {
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';
  size: number;
  /** The layer whose entry put it here. */
  layer: number;
  /** `countLines`' count. */
  records?: number;
  /** The parsed body, when a module matched it. */
  pkg?: ParsedDb;
}

/** The final file system, read-only; symlinks are followed inside the image only. */
export interface FileView {
  /** Every path, sorted (parents before children). */
  readonly files: readonly ViewFile[];
  /** The entry at exactly this path (no symlink followed). */
  get(path: string): ViewFile | undefined;
  /** Direct children of a directory, as stored. */
  children(dir: string): readonly ViewFile[];
  /** The regular file this path leads to, symlinks followed, with the path it resolved to. */
  resolveFile(path: string): { path: string; file: ViewFile } | undefined;
  /** True when the path leads to a directory. */
  isDir(path: string): boolean;
}

/** A parsed file of the final file system, handed to its module's `assemble`. */
export interface FoundDb {
  path: string;
  db: ParsedDb;
  layer: number;
}

/** A package as a module assembled it. The owners give it its files and bytes. */
export interface AssembledPackage {
  manager: PackageManager;
  record: PackageRecord;
  /** The paths it owns, absolute, joined by "\n"; the owners resolve their directories' symlinks. */
  listed?: string;
  /** Or the one directory it owns whole (npm, gems). */
  dir?: string;
  /** The layer of the database record that brought it. */
  layer?: number;
}

/** An application manifest that names dependencies (SG403 reads it). */
export interface AppManifest {
  path: string;
  devDependencies: string[];
  dependencies: string[];
}

export interface Assembled {
  packages: AssembledPackage[];
  /** One line each, image text left raw (the report escapes it). */
  notes: string[];
  apps?: AppManifest[];
}

/** A database that marks an OS, for base detection ("/var/lib/dpkg/status: 92 packages"). */
export interface BaseEvidence {
  manager: 'dpkg' | 'apk' | 'rpm';
  path: string;
  count: number | null;
  /** The evidence line. */
  text: string;
}

/** What a purl needs besides the record: the distro qualifier from os-release ("debian-12"). */
export interface PurlContext {
  /** os-release ID, lowercased ("debian", "alpine", "rhel"), or null. */
  distroId: string | null;
  /** os-release VERSION_ID, or null. */
  distroVersion: string | null;
}

export interface FormatModule {
  readonly id: FormatId;
  /** OS packages claim a path before language packages do. */
  readonly tier: 'os' | 'lang';
  /** Every `FileMatch.kind` that `match` may give. */
  readonly kinds: readonly string[];
  /** Which of its files a path is. Cheap: this runs for every file of every layer. */
  match(path: string): FileMatch | undefined;
  /** A bounded parser for a matched file's body. */
  parser(match: FileMatch, path: string, budget: Budget): StreamParser;
  /** Packages from its parsed files (and whatever else it needs from the view). */
  assemble(found: readonly FoundDb[], view: FileView): Assembled;
  /** The package-url of one of its packages, canonical (packageurl-js), or undefined. */
  purl?(rec: PackageRecord, ctx: PurlContext): string | undefined;
  /** Base-detection evidence: the databases that mark an OS. */
  evidence?(view: FileView): BaseEvidence[];
}
