/**
 * The ELF executables of the final file system (pure): the report's `binaries` list, and SG620, which
 * fires when an executable carries debug info or symbols the process never reads.
 */
import type { FlatFile } from '../flatten/flatten.js';
import { goModulePurl, goStdlib } from '../formats/golang.js';
import type { ElfFacts } from '../scan/elf-probe.js';
import type { ReportBinary, ReportGoModule } from '../types/report.js';
import { formatBytes } from '../util/bytes.js';
import type { RawFinding } from './finding.js';
import { buildSettingSecrets, withArticle, redactBuildSetting } from '../util/secret-shapes.js';

/** SG620 fires when debug info and symbols take at least this many bytes… */
const DEBUG_MIN_BYTES = 256 * 1024;
/** …and at least this share of the file. */
const DEBUG_MIN_SHARE = 0.1;

/** Regular files with ELF facts (each inode once: a hard link shares its target's bytes). */
function elfFiles(files: readonly FlatFile[]): (FlatFile & { elf: ElfFacts })[] {
  return files.filter((f): f is FlatFile & { elf: ElfFacts } => f.type === 'file' && f.elf !== undefined);
}

/**
 * Go modules listed per binary and per image: a report of hundreds of Go binaries with thousands of
 * modules each would take gigabytes to render. Each binary keeps its module count (`depCount`) when its
 * list is cut, and `truncated` says so.
 */
export const REPORT_DEPS_PER_BINARY = 500;
export const REPORT_DEPS_PER_IMAGE = 10_000;

export function listBinaries(files: readonly FlatFile[]): ReportBinary[] {
  let left = REPORT_DEPS_PER_IMAGE;
  return elfFiles(files).map((f) => {
    const b: ReportBinary = {
      path: f.path,
      size: f.size,
      kinds: f.elf.kinds ? { ...f.elf.kinds } : null,
      stripped: f.elf.stripped,
    };
    const go = f.elf.go;
    if (go) {
      const stdlib = goStdlib(go.version);
      const keep = Math.min(go.deps.length, REPORT_DEPS_PER_BINARY, left);
      left -= keep;
      const cut = keep < go.deps.length;
      const depCount = go.depCount ?? go.deps.length;
      b.go = {
        version: go.version,
        path: go.path,
        main: go.main ? withPurl(go.main) : null,
        deps: go.deps.slice(0, keep).map(withPurl),
        // Values passed with -ldflags "-X …" may be secrets (SG510): shown redacted, as on every surface.
        settings: go.settings.map((s) => ({ key: s.key, value: redactBuildSetting(s.value) })),
        ...(go.truncated || cut ? { truncated: true } : {}),
        ...(depCount > keep ? { depCount } : {}),
        ...(stdlib ? { stdlib } : {}),
        ...(f.elf.goFunctions ? { functions: f.elf.goFunctions.count } : {}),
      };
    }
    if (f.elf.notes?.length) b.notes = [...f.elf.notes];
    return b;
  });
}

function withPurl(m: ReportGoModule): ReportGoModule {
  const purl = goModulePurl(m.path, m.version);
  return purl ? { ...m, purl } : { ...m };
}

/** The debug and symbol bytes of an executable, when they are worth a finding. */
function strippable(size: number, kinds: ReportBinary['kinds']): number {
  if (!kinds) return 0;
  const extra = kinds.debug + kinds.symbols;
  return extra >= DEBUG_MIN_BYTES && extra >= size * DEBUG_MIN_SHARE ? extra : 0;
}

export function debugRules(files: readonly FlatFile[]): RawFinding[] {
  const out: RawFinding[] = [];
  for (const f of elfFiles(files)) {
    const k = f.elf.kinds;
    const extra = strippable(f.size, k);
    if (!k || !extra) continue;
    const parts = [
      k.debug ? `${formatBytes(k.debug)} of debug info` : '',
      k.symbols ? `${formatBytes(k.symbols)} of symbols` : '',
    ].filter(Boolean);
    const how = f.elf.go ? ' (Go: build with -ldflags="-s -w")' : ' (strip it, or link with -s)';
    out.push({
      id: 'SG620',
      path: f.path,
      layer: f.layer,
      message:
        `${f.path} carries ${parts.join(' and ')}: ${Math.round((extra / f.size) * 100)}% of its ` +
        `${formatBytes(f.size)} uncompressed${how}`,
    });
  }
  return out;
}

/** SG510: a Go binary whose build settings hold a secret (`-ldflags "-X main.token=…"`). */
export function goSecretRules(files: readonly FlatFile[]): RawFinding[] {
  const out: RawFinding[] = [];
  for (const f of elfFiles(files)) {
    for (const s of f.elf.go?.settings ?? []) {
      const hit = buildSettingSecrets(s.value)[0];
      if (!hit) continue;
      out.push({
        id: 'SG510',
        path: f.path,
        layer: f.layer,
        message: `${f.path}: the Go build setting ${s.key} holds ${withArticle(hit.kind)} (value not shown)`,
      });
      break;
    }
  }
  return out;
}
