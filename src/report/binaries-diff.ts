/**
 * Binaries in the output (pure): the largest ELF executables for `inspect`, and what changed in them
 * against the baseline (size, Go version, Go modules added, removed and changed) for `check --baseline`
 * and the PR comment. Module paths and versions come from the binaries: image text, escaped by the caller's
 * renderer (printableLines for the terminal, the markdown kit for the comment).
 */
import type { Report, ReportBinary, ReportGoModule } from '../types/report.js';
import { formatBytes } from '../util/bytes.js';
import { truncate } from '../util/text.js';
import { nameKey } from '../util/names.js';

type Change = 'added' | 'removed' | 'changed';

interface ModuleChange {
  path: string;
  change: Change;
  /** The version, with its replacement (`v1.2.0 => ../local`); null when absent on that side. */
  before: string | null;
  after: string | null;
}

interface BinaryChange {
  path: string;
  change: Change;
  before: ReportBinary | null;
  after: ReportBinary | null;
  /** Uncompressed bytes of the binary. */
  delta: number;
  /** Go versions, when either side is a Go binary and they differ. */
  go?: { before: string | null; after: string | null };
  /** Go module changes of a binary on both sides; an added or removed binary lists none (see its deps). */
  modules: ModuleChange[];
}

export interface BinariesDiff {
  /** Largest |delta| first. */
  items: BinaryChange[];
  modules: { added: number; removed: number; changed: number };
}

function version(m: ReportGoModule): string {
  const r = m.replace;
  return r ? `${m.version} => ${r.path}${r.version ? ` ${r.version}` : ''}` : m.version;
}

function diffModules(before: ReportBinary, after: ReportBinary): ModuleChange[] {
  const old = new Map((before.go?.deps ?? []).map((d) => [d.path, d]));
  const out: ModuleChange[] = [];
  for (const a of after.go?.deps ?? []) {
    const b = old.get(a.path);
    old.delete(a.path);
    if (!b) out.push({ path: a.path, change: 'added', before: null, after: version(a) });
    else if (version(a) !== version(b))
      out.push({ path: a.path, change: 'changed', before: version(b), after: version(a) });
  }
  for (const b of old.values())
    out.push({ path: b.path, change: 'removed', before: version(b), after: null });
  const rank = { added: 0, changed: 1, removed: 2 };
  return out.sort((x, y) => rank[x.change] - rank[y.change] || (x.path < y.path ? -1 : 1));
}

/** What changed in the binaries; undefined when nothing did (or neither report lists binaries). */
export function diffBinaries(before: Report, after: Report): BinariesDiff | undefined {
  const key = (b: ReportBinary): string => nameKey(b.path, b.pathBase64);
  const old = new Map((before.binaries ?? []).map((b) => [key(b), b]));
  const items: BinaryChange[] = [];
  for (const a of after.binaries ?? []) {
    const b = old.get(key(a));
    old.delete(key(a));
    if (!b) {
      items.push({ path: a.path, change: 'added', before: null, after: a, delta: a.size, modules: [] });
      continue;
    }
    const modules = diffModules(b, a);
    const goBefore = b.go?.version ?? null;
    const goAfter = a.go?.version ?? null;
    if (a.size === b.size && !modules.length && goBefore === goAfter) continue;
    items.push({
      path: a.path,
      change: 'changed',
      before: b,
      after: a,
      delta: a.size - b.size,
      ...(goBefore !== goAfter ? { go: { before: goBefore, after: goAfter } } : {}),
      modules,
    });
  }
  for (const b of old.values())
    items.push({ path: b.path, change: 'removed', before: b, after: null, delta: -b.size, modules: [] });
  if (!items.length) return undefined;
  items.sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta) || (x.path < y.path ? -1 : 1));
  const all = items.flatMap((i) => i.modules);
  return {
    items,
    modules: {
      added: all.filter((m) => m.change === 'added').length,
      removed: all.filter((m) => m.change === 'removed').length,
      changed: all.filter((m) => m.change === 'changed').length,
    },
  };
}

const signed = (n: number): string => `${n >= 0 ? '+' : ''}${formatBytes(n)}`;

/** "debug 1.2 MB · symbols 300 kB" or "stripped". */
function extras(b: ReportBinary): string {
  if (!b.kinds) return b.notes?.[0] ?? 'sections unknown';
  if (b.stripped) return 'stripped';
  const parts = [
    b.kinds.debug ? `debug ${formatBytes(b.kinds.debug)}` : '',
    b.kinds.symbols ? `symbols ${formatBytes(b.kinds.symbols)}` : '',
  ].filter(Boolean);
  return parts.join(' · ') || 'not stripped';
}

function goLabel(b: ReportBinary): string {
  if (!b.go) return '';
  const main = b.go.main?.path ?? b.go.path;
  return ` · ${b.go.version}${main ? ` ${truncate(main, 60)}` : ''}`;
}

/** Lines for `inspect`: the largest ELF executables (bytes by kind, Go version and main module). */
export function binariesLines(r: Report, n = 5): string[] {
  const list = [...(r.binaries ?? [])].sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : 1));
  if (!list.length) return [];
  const rows = list
    .slice(0, n)
    .map((b) => `  ${formatBytes(b.size).padStart(9)}  ${b.path}  ${extras(b)}${goLabel(b)}`);
  const more = list.length > n ? ` (largest ${n} shown)` : '';
  return [
    '',
    `Binaries (${list.length} ELF executable${list.length === 1 ? '' : 's'}, uncompressed)${more}`,
    ...rows,
  ];
}

const SIGN = { added: '+', removed: '-', changed: '~' } as const;

/** "384 added", or "2 added, 1 removed, 3 changed": each kind said as what it is. */
function changeCounts(items: readonly { change: Change }[]): string {
  const n = (c: Change): number => items.filter((i) => i.change === c).length;
  const parts = (['added', 'removed', 'changed'] as const).filter((c) => n(c)).map((c) => `${n(c)} ${c}`);
  return parts.join(', ') || '0 changed';
}
const ICON = { added: '➕', removed: '➖', changed: '✏️' } as const;

function moduleLine(m: ModuleChange): string {
  if (m.change === 'changed') return `${m.path} ${m.before} → ${m.after}`;
  return `${m.path} ${m.after ?? m.before}`;
}

/** Lines for `check --baseline`: the binaries that changed, with their Go module changes. */
export function binariesDiffLines(baseline: Report, r: Report, n = 10, perBinary = 10): string[] {
  const d = diffBinaries(baseline, r);
  if (!d) return [];
  const m = d.modules;
  const out = [
    '',
    `Binaries    ${changeCounts(d.items)} vs baseline · Go modules: ${m.added} added, ${m.removed} removed, ${m.changed} changed`,
  ];
  for (const i of d.items.slice(0, n)) {
    const b = (i.after ?? i.before) as ReportBinary;
    const goChange = i.go ? ` · ${i.go.before ?? 'not Go'} → ${i.go.after ?? 'not Go'}` : '';
    const what =
      i.change === 'changed'
        ? ''
        : ` (${i.change}${b.go ? `, Go ${b.go.depCount ?? b.go.deps.length} modules` : ''})`;
    out.push(`  ${SIGN[i.change]} ${i.path}  ${signed(i.delta)}${what}${goChange}`);
    for (const mc of i.modules.slice(0, perBinary)) out.push(`      ${SIGN[mc.change]} ${moduleLine(mc)}`);
    if (i.modules.length > perBinary)
      out.push(`      … and ${i.modules.length - perBinary} more (--json lists them all)`);
  }
  if (d.items.length > n) out.push(`  … and ${d.items.length - n} more binaries`);
  return out;
}

/** What the comment's renderer lends: its escapers, so that image text stays inert. */
export interface MarkdownKit {
  code: (s: string, max?: number) => string;
  text: (s: string, max?: number) => string;
}

/** A `<details>` block for the comment: binaries that changed and their Go modules, largest first. */
export function binariesDiffMarkdown(d: BinariesDiff | undefined, kit: MarkdownKit, rows = 30): string[] {
  if (!d) return [];
  const m = d.modules;
  const summary =
    `Binaries: ${changeCounts(d.items)}` +
    (m.added || m.removed || m.changed
      ? `, Go modules ${m.added} added, ${m.removed} removed, ${m.changed} changed`
      : '');
  const body = [
    '|  | binary / Go module | before | after | Δ uncompressed |',
    '| :---: | --- | --- | --- | ---: |',
  ];
  let left = rows;
  for (const i of d.items) {
    if (left-- <= 0) break;
    const b = i.before;
    const a = i.after;
    const ver = (x: ReportBinary | null): string =>
      x ? `${formatBytes(x.size)}${x.go ? ` · ${kit.text(x.go.version, 40)}` : ''}` : '';
    body.push(
      `| ${ICON[i.change]} | ${kit.code(i.path, 120)} | ${ver(b)} | ${ver(a)} | ${signed(i.delta)} |`,
    );
    for (const mc of i.modules) {
      if (left-- <= 0) break;
      body.push(
        `| ${ICON[mc.change]} | ↳ ${kit.code(mc.path, 120)} | ${mc.before ? kit.text(mc.before, 80) : ''} | ${mc.after ? kit.text(mc.after, 80) : ''} |  |`,
      );
    }
  }
  const shown = body.length - 2;
  const total = d.items.length + d.items.reduce((n, i) => n + i.modules.length, 0);
  if (total > shown) body.push(`|  | … ${total - shown} more (see the JSON report) |  |  |  |`);
  return ['<details>', `<summary>${summary}</summary>`, '', ...body, '', '</details>', ''];
}
