/**
 * The language worlds whose readers (lang.ts) give a `LangResult`, as format modules: one small adapter
 * maps a result to the `ParsedDb` the layer cache stores, and its packages to `PackageRecord`s.
 *
 * | module   | file                                   | a package owns                                      |
 * | -------- | -------------------------------------- | --------------------------------------------------- |
 * | maven    | *.jar, *.war, *.ear (nested ones too)  | the archive file in the image (nested: the outer)   |
 * | nuget    | *.deps.json                            | its runtime and native assets next to the deps.json |
 * | composer | …/vendor/composer/installed.json       | its vendor directory                                |
 * | conda    | …/conda-meta/*.json                    | the files it lists                                  |
 * | cargo    | an ELF's .dep-v0 (the ELF probe reads it) | the binary (the first crate claims it)           |
 *
 * Rust crates are the binary's, as Go modules are, but they are listed as packages (manager cargo) so
 * that each has its purl and its crates.io name next to the other ecosystems' packages: the root crate
 * (the program itself) claims the binary file where no OS package does, the others count it as a copy
 * they are in. A crate that is not from crates.io (local, git) has no purl: it names nothing a registry
 * can resolve.
 * A .deps.json names assemblies by file name only: an asset that `dotnet publish` did not put next to
 * the deps.json (a shared framework, a NuGet cache) is owned by nobody, and the package is still listed
 * with its purl. Python's egg-info is read by the python module (python.ts), with dist-info.
 */
import type {
  Assembled,
  FileMatch,
  FormatModule,
  FoundDb,
  PackageRecord,
  ParsedDb,
  StreamParser,
} from './contract.js';
import type { PackageManager } from '../types/report.js';
import { composerReader, isComposerInstalled } from './composer.js';
import { condaReader, isCondaMeta } from './conda.js';
import { depsJsonReader, isDepsJson } from './deps-json.js';
import type { CargoDeps } from './cargo-auditable.js';
import { cargoPackages } from './cargo-packages.js';
import { isJavaArchive, jarReader } from './jar.js';
import { emptyResult, type LangPackage, type LangReader, type LangResult } from './lang.js';

/**
 * A `LangPackage` as the record the owners and the report read. Its name is the one the ecosystem's own
 * tools print and depend on: Composer's "vendor/name", Maven's "groupId:artifactId" (two artifacts of
 * one name in different groups are two packages, not copies of one).
 */
function toRecord(p: LangPackage): PackageRecord {
  const ns = p.namespace;
  const name = ns === undefined ? p.name : `${ns}${p.manager === 'maven' ? ':' : '/'}${p.name}`;
  const rec: PackageRecord = { name, version: p.version };
  if (p.namespace !== undefined) rec.namespace = p.namespace;
  if (p.purl !== undefined) rec.purl = p.purl;
  if (p.license !== undefined) rec.license = p.license;
  if (p.dependsOn?.length) rec.dependsOn = p.dependsOn;
  if (p.files?.length) rec.files = p.files.join('\n');
  if (p.dirs?.length) rec.dir = p.dirs[0];
  if (p.inside !== undefined) rec.inside = p.inside;
  return rec;
}

/** A `LangResult` as plain JSON for the layer cache. */
function toParsed(kind: string, r: LangResult): ParsedDb {
  const db: ParsedDb = { kind };
  if (r.packages.length) db.packages = r.packages.map(toRecord);
  if (r.key !== undefined) db.key = r.key;
  if (r.files?.length) db.files = r.files.join('\n');
  if (r.dirs?.length) db.dirs = r.dirs.join('\n');
  if (r.dependsOn?.length) db.names = r.dependsOn;
  if (r.cut) db.cut = r.cut;
  if (r.bad) db.bad = r.bad;
  if (r.notes.length) db.notes = r.notes;
  return db;
}

export function langParser(kind: string, reader: LangReader): StreamParser {
  return { write: (chunk) => reader.write(chunk), end: () => toParsed(kind, reader.end()) };
}

/** One note per file a reader noted something in: the path is image text, the report escapes it. */
export function notesOf(d: FoundDb, out: string[]): void {
  for (const n of d.db.notes ?? []) out.push(`${d.path}: ${n}`);
}

function assembleEach(manager: PackageManager, found: readonly FoundDb[]): Assembled {
  const packages: Assembled['packages'] = [];
  const notes: string[] = [];
  for (const d of found) {
    notesOf(d, notes);
    for (const record of d.db.packages ?? []) {
      const p: Assembled['packages'][number] = { manager, record, layer: d.layer };
      if (record.files !== undefined) p.listed = record.files;
      if (record.dir !== undefined) p.dir = record.dir;
      packages.push(p);
    }
  }
  return { packages, notes };
}

function langModule(
  id: PackageManager,
  kind: string,
  test: (path: string) => boolean,
  reader: (path: string) => LangReader,
): FormatModule {
  const hit: FileMatch = { kind };
  return {
    id,
    tier: 'lang',
    kinds: [kind],
    match: (path) => (test(path) ? hit : undefined),
    parser: (_m, path) => langParser(kind, reader(path)),
    assemble: (found) => assembleEach(id, found),
    purl: (rec) => rec.purl,
  };
}

export const maven = langModule('maven', 'maven-archive', isJavaArchive, jarReader);
export const nuget = langModule('nuget', 'nuget-deps', isDepsJson, depsJsonReader);
export const composer = langModule('composer', 'composer-installed', isComposerInstalled, composerReader);
export const conda = langModule('conda', 'conda-meta', isCondaMeta, condaReader);

/** A binary's `.dep-v0` crates as the parsed file of the cargo module (the ELF probe read the section). */
export function cargoDb(deps: CargoDeps, path: string): ParsedDb {
  const r = emptyResult();
  r.packages = cargoPackages(deps, path);
  r.cut = deps.cut;
  r.bad = deps.bad;
  r.notes = [...deps.notes];
  return toParsed(CARGO_KIND, r);
}

const CARGO_KIND = 'cargo-dep-v0';

export const cargo: FormatModule = {
  id: 'cargo',
  tier: 'lang',
  kinds: [CARGO_KIND],
  // No path of its own: the ELF probe finds the section in any executable as it streams past.
  match: () => undefined,
  parser: () => {
    throw new Error('a .dep-v0 section is read by the ELF probe');
  },
  assemble: (found) => assembleEach('cargo', found),
  purl: (rec) => rec.purl,
};
