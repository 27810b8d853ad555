/**
 * The PR comment and job summary body (pure): a report, and optionally its diff against the baseline, to
 * GitHub-flavoured markdown.
 *
 * Layout: the verdict with the headline numbers on the first line; a baseline | this PR | Δ table; the
 * budgets; the new findings with their remediation; `<details>` blocks for everything else; a footer that
 * links the docs of each rule that fired; and a hidden marker that carries the comment key.
 *
 * Everything that comes from an image (paths, messages that quote paths, `createdBy`) is data: it is
 * escaped (escapeText) so that it can neither break the layout, nor @mention anyone, nor link or reference
 * anything, nor hide or reorder text, nor forge the marker.
 */
import { layersStoredUncompressed } from '../sources/model/image.js';
import { budgetSpec } from '../analysis/budget-table.js';
import { combineVerdicts, decideVerdict, SEVERITY_RANK, type Verdict } from '../analysis/verdict.js';
import { formatBytes as formatBytesRaw } from '../util/bytes.js';
import { escapeInvisible } from '../util/text.js';
import { VERSION } from '../util/version.js';
import type { Delta, DirectoryDelta, FileDelta, LayerDelta, ReportDiff } from './diff.js';
import type { BudgetCheck, Finding, Report, Severity } from '../types/report.js';
import { largestDirectories } from './text.js';
import { versionChange, type PackageChange } from './packages-diff.js';
import { trendMarkdown, type Trend } from './trend.js';
import { binariesDiffMarkdown } from './binaries-diff.js';
import { isVulnFinding, vulnChanges, vulnMarkdown } from './vulns-text.js';

/** GitHub rejects an issue comment body over 65,536 characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;
export const REPO_URL = 'https://github.com/slimgate/slimgate';
const DOCS_URL = `${REPO_URL}/blob/main/docs`;

export interface MarkdownOptions {
  /** Appends the hidden marker `<!-- slimgate-comment:KEY -->` (see commentMarker). */
  commentKey?: string;
  /** The baseline column's heading, e.g. the base branch (default `baseline`). */
  baselineLabel?: string;
  /** Where the baseline came from (a source, a saved report), shown under the verdict. */
  baselineSource?: string;
  /** Without a diff: why there is no baseline. */
  baselineNote?: string;
  /** Show the platform (when the image has several). */
  showPlatform?: boolean;
  /** The verdict, as the caller decided it (fail-on, override label); default: fail-on error. */
  verdict?: Verdict;
  /** The override label, when the action has one: the comment says who can apply it. */
  overrideLabel?: string;
  /** Notes shown under the verdict, e.g. that the comment could not be posted. Plain text. */
  notes?: string[];
  /** Character budget of the body (default GitHub's comment limit). */
  maxLength?: number;
  /** Base URL of the docs folder (rules.md anchors). */
  docsUrl?: string;
  /** One-click fixes to the Dockerfile on lines outside the PR's diff, as a unified diff. */
  fixesDiff?: string;
  /** The size history on main (and the PR's point), drawn as a chart in the details. */
  trend?: Trend;
  /** The commit this run checked and a link to the run: the footer tells the comment's age. */
  checked?: { sha: string; runUrl?: string };
  /** Platforms the baseline has and the image does not. */
  missing?: string[];
  /** The HTML report as a workflow artifact: one line above the footer links it. */
  htmlUrl?: string;
  /** The SBOM, in the same workflow artifact: one line links it. */
  sbom?: { url: string; format: 'cyclonedx-json' | 'spdx-json' };
}

// ---------------------------------------------------------------------------------------------- escaping

/** A zero-width space: breaks a pattern GitHub would act on, and shows nothing. */
const ZWSP = '&#8203;';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '|': '&#124;',
  '*': '&#42;',
  _: '&#95;',
  '`': '&#96;',
  '[': '&#91;',
  ']': '&#93;',
  '\\': '&#92;',
  '~': '&#126;',
  '@': `@${ZWSP}`, // no @mentions, no user/repo@sha, no email autolinks
  ':': '&#58;', // no :emoji: shortcodes
  '#': '&#35;', // no headings
  $: '&#36;', // no $math$
};

/**
 * What GitHub would turn live, matched in the plain text: markdown's special characters, a `www.` or a
 * `scheme://` autolink, a `#1` or `owner/repo#1` reference, a `GH-1` reference, and a commit SHA (a word
 * of 7 to 40 hex digits). Each is entity-escaped and broken with a zero-width space; GitHub decodes the
 * entities before it looks for links and references, so an entity alone does not stop those.
 */
const LIVE = /\b[0-9a-f]{7,40}\b|www(?=\.)|\bgh(?=-\d)|[&<>"|*_`[\]\\~@:#$]/gi;

function inert(m: string, at: number, s: string): string {
  if (m.length >= 7) return m.replace(/.{6}(?=.)/g, `$&${ZWSP}`); // each piece shorter than a SHA
  if (m.length > 1) return `${m}${ZWSP}`; // www. and GH-
  const e = ENTITIES[m] ?? m;
  if (m === ':' && s.startsWith('//', at + 1)) return `${e}${ZWSP}`;
  if (m === '#' && /[0-9a-z]/i.test(s.charAt(at + 1))) return `${e}${ZWSP}`;
  return e;
}

/**
 * Makes untrusted text inert in markdown, in table cells and inside HTML alike: no layout, no links, no
 * mentions or references, no math, and nothing invisible or reordering (escaped visibly, util/text.ts).
 */
export function escapeText(text: string, max = 300): string {
  let t = escapeInvisible(String(text ?? ''));
  if (t.length > max) t = `${t.slice(0, max - 1)}…`;
  return t.replace(LIVE, inert);
}

/** A path or other literal: `<code>` (not a backtick span, whose content entities cannot reach). */
export function code(s: string, max = 200): string {
  return `<code>${escapeText(s, max)}</code>`;
}

/** The hidden marker that finds the sticky comment; the key is URI-encoded, so it cannot close the comment. */
export function commentMarker(key: string): string {
  return `<!-- slimgate-comment:${encodeURIComponent(key)} -->`;
}

/** A second hidden tag: the commit the comment is about (hex only, so it cannot close the comment). */
function headTag(sha: string): string {
  return `<!-- slimgate-head:${sha.replace(/[^0-9a-f]/gi, '').slice(0, 64)} -->`;
}

/** The one line a failing comment gives to adopt Slimgate on an existing image. */
const RATCHET_HINT =
  'Adopting Slimgate on an existing image? `fail-on: new-error` fails only on errors that the base branch does not have, and budget breaches';

// ---------------------------------------------------------------------------------------------- numbers

/**
 * A report may come from an artifact that a fork's run wrote (the fork-safe recipe), so even its numbers
 * are data: anything that is not a finite number renders as 0 instead of reaching the markdown.
 */
function num(x: unknown): number {
  return typeof x === 'number' && Number.isFinite(x) ? x : 0;
}

function formatBytes(x: unknown): string {
  return formatBytesRaw(num(x));
}

function signed(n: number, fmt: (n: number) => string): string {
  return n > 0 ? `+${fmt(n)}` : n < 0 ? `-${fmt(-n)}` : '±0';
}

function signedBytes(n: number): string {
  return n === 0 ? '±0 B' : signed(n, formatBytes);
}

function percent(d: Delta): string {
  if (d.percent === null) return d.after === 0 ? '±0%' : 'new';
  const p = d.percent;
  const abs = Math.abs(p);
  if (abs < 0.05) return '±0%';
  const s = abs >= 10 ? abs.toFixed(0) : abs.toFixed(1);
  return `${p > 0 ? '+' : '-'}${s}%`;
}

function deltaCell(d: Delta, bytes: boolean, bold = false): string {
  if (d.delta === 0) return bytes ? '±0 B' : '±0';
  const v = bytes ? signedBytes(d.delta) : signed(d.delta, String);
  const s = bold ? `**${v}**` : v;
  return bytes ? `${s} (${percent(d)})` : s;
}

function budgetLabel(name: string): string {
  return budgetSpec(name)?.label ?? escapeText(name);
}

/** Budget values are bytes (sizes, growth, waste) or plain counts (layers); `unit` says so when present. */
function budgetValue(check: Pick<BudgetCheck, 'name' | 'unit'>, n: number): string {
  const bytes = check.unit ? check.unit === 'bytes' : /size|growth|wasted|bytes/.test(check.name);
  return bytes ? formatBytes(n) : String(num(n));
}

// ---------------------------------------------------------------------------------------------- findings

const SEVERITY_ICON: Record<Severity, string> = { error: '❌', warning: '⚠️', info: 'ℹ️' };

function bySeverity(a: Finding, b: Finding): number {
  return SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity];
}

function ruleAnchor(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9-]/g, '');
}

function ruleLink(id: string, docs: string): string {
  return `[${escapeText(id)}](${docs}/rules.md#${ruleAnchor(id)})`;
}

function findingLine(f: Finding, docs: string, remediation: boolean): string {
  const head = `- ${SEVERITY_ICON[f.severity]} ${ruleLink(f.id, docs)} ${escapeText(f.message)}`;
  return remediation && f.remediation ? `${head}<br>↳ ${escapeText(f.remediation)}` : head;
}

/** Which finding the verdict line names when several share the top severity: what breaks or leaks first. */
const HEADLINE_ORDER = ['entrypoint', 'secret', 'shell', 'privilege', 'base', 'package-manager'];

function headlineRank(f: Finding): number {
  const i = HEADLINE_ORDER.indexOf(f.category);
  return SEVERITY_RANK[f.severity] * 100 + (i < 0 ? HEADLINE_ORDER.length : i);
}

/** What the verdict line says about findings: the most telling one, e.g. `new shell /bin/sh`. */
function headlineFinding(report: Report, findings: Finding[], isNew: boolean): string | null {
  const ranked = findings
    .filter((f) => f.severity !== 'info' && f.category !== 'size') // budgets have their own place
    .map((f, i) => ({ f, i }))
    .sort((a, b) => headlineRank(a.f) - headlineRank(b.f) || a.i - b.i);
  const top = ranked[0]?.f;
  if (!top) return null;
  const what =
    top.category === 'base' && report.base.image
      ? code(report.base.image, 80)
      : top.path
        ? code(top.path, 80)
        : escapeText(top.message, 80);
  const first = `${isNew ? 'new ' : ''}${escapeText(top.category)} ${what}`;
  const more = ranked.length - 1;
  return more > 0 ? `${first} (+${more} more)` : first;
}

// ---------------------------------------------------------------------------------------------- sections

interface Level {
  /** New findings listed in the body; the rest go in a details block. */
  findings: number;
  /** Items in each details list (findings, layers, directories). */
  listed: number;
  /** Directories in the files roll-up, and files shown under each. */
  dirs: number;
  filesPerDir: number;
}

const LEVELS: Level[] = [
  { findings: 20, listed: 200, dirs: 20, filesPerDir: 30 },
  { findings: 20, listed: 100, dirs: 15, filesPerDir: 15 },
  { findings: 15, listed: 50, dirs: 10, filesPerDir: 5 },
  { findings: 15, listed: 20, dirs: 10, filesPerDir: 0 },
  { findings: 10, listed: 0, dirs: 0, filesPerDir: 0 },
];

function details(summary: string, body: string[]): string[] {
  // The blank lines let GitHub render the markdown inside the HTML block.
  return ['<details>', `<summary>${summary}</summary>`, '', ...body, '', '</details>', ''];
}

function capped<T>(items: readonly T[], n: number, render: (t: T) => string, what: string): string[] {
  const out = items.slice(0, n).map(render);
  if (items.length > n) out.push(`- … and ${items.length - n} more ${what} (see the JSON report)`);
  return out;
}

const STATUS_ICON = { fail: '❌', warn: '⚠️', pass: '✅' } as const;

/** The footnote of a "compressed" size that is not one. */
const STORED_NOTE =
  '¹ As stored: `docker save` (Docker 20.10) stores layers uncompressed, so for such an archive this is not a compressed size.';

function sizesTable(report: Report, diff: ReportDiff | undefined, baseLabel: string): string[] {
  const baseLayers = diff ? diff.layers.items.flatMap((l) => (l.before ? [l.before] : [])) : [];
  const stored = layersStoredUncompressed(report.layers) || layersStoredUncompressed(baseLayers);
  const compressedLabel = stored ? 'compressed¹' : 'compressed';
  const note = stored ? ['', STORED_NOTE] : [];
  const base = (b: Report['base']): string =>
    `${escapeText(String(b.verdict), 20)}${b.image ? ` (${escapeText(b.image, 60)})` : ''}`;
  if (!diff) {
    return [
      '|  | this PR |',
      '| --- | ---: |',
      `| **size (uncompressed)** | **${formatBytes(report.size.uncompressed)}** |`,
      `| ${compressedLabel} | ${formatBytes(report.size.compressed)} |`,
      `| layers | ${num(report.layers.length)} |`,
      `| files | ${num(report.size.files)} |`,
      `| wasted (uncompressed) | ${formatBytes(report.size.wasted)} |`,
      `| base | ${base(report.base)} |`,
      ...note,
      '',
    ];
  }
  const s = diff.size;
  const row = (label: string, d: Delta, bytes: boolean, bold = false): string => {
    const v = (n: number): string => (bytes ? formatBytes(n) : String(num(n)));
    const b = (x: string): string => (bold ? `**${x}**` : x);
    return `| ${b(label)} | ${v(d.before)} | ${b(v(d.after))} | ${deltaCell(d, bytes, bold)} |`;
  };
  return [
    `|  | ${escapeText(baseLabel, 60)} | this PR | Δ |`,
    '| --- | ---: | ---: | ---: |',
    row('size (uncompressed)', s.uncompressed, true, true),
    row(compressedLabel, s.compressed, true),
    row('layers', diff.layers.count, false),
    row('files', s.files, false),
    row('wasted (uncompressed)', s.wasted, true),
    `| base | ${base(diff.base.before)} | ${base(diff.base.after)} | ${diff.base.changed ? '**changed**' : 'same'} |`,
    ...note,
    '',
  ];
}

function budgetsSection(report: Report, diff: ReportDiff | undefined): string[] {
  const checks = report.budget.checks;
  if (!checks.length) return [];
  const prev = new Map((diff?.budget.checks ?? []).map((c) => [c.name, c.before]));
  const out = ['**Budgets**', '', '| budget | limit | this PR |  |', '| --- | ---: | ---: | :---: |'];
  for (const c of checks) {
    const was = prev.get(c.name);
    if (c.skipped) {
      out.push(
        `| ${budgetLabel(c.name)} | ${budgetValue(c, c.limit)} | skipped${c.detail ? `: ${escapeText(c.detail, 120)}` : ''} | ➖ |`,
      );
      continue;
    }
    const flip = was && was.passed && !c.passed ? ' (newly over)' : '';
    out.push(
      `| ${budgetLabel(c.name)} | ${budgetValue(c, c.limit)} | ${budgetValue(c, c.actual)} | ${c.passed ? '✅' : `❌${flip}`} |`,
    );
  }
  out.push('');
  return out;
}

function findingsSection(report: Report, diff: ReportDiff | undefined, docs: string, lv: Level): string[] {
  const out: string[] = [];
  // Known vulnerabilities have their own section (vulns-text.ts).
  const list = [...(diff ? diff.findings.added : report.findings)]
    .filter((f) => !isVulnFinding(f))
    .sort(bySeverity);
  const title = diff ? 'New findings' : 'Findings';
  if (!list.length) {
    if (diff) out.push('**No new findings.**', '');
    else out.push('**No findings.**', '');
    return out;
  }
  out.push(`**${title} (${list.length})**`, '');
  out.push(...list.slice(0, lv.findings).map((f) => findingLine(f, docs, true)));
  out.push('');
  const rest = list.slice(lv.findings);
  if (rest.length) {
    if (lv.listed > 0)
      out.push(
        ...details(
          `${rest.length} more ${title.toLowerCase()}`,
          capped(rest, lv.listed, (f) => findingLine(f, docs, true), 'findings'),
        ),
      );
    else
      out.push(
        `… and ${rest.length} more ${title.toLowerCase()} (see the job summary or the JSON report)`,
        '',
      );
  }
  return out;
}

function fileRow(f: FileDelta): string {
  const sign = { added: '➕', removed: '➖', changed: '✏️' }[f.change];
  let what: string;
  if (f.change === 'changed') {
    const b = f.before!;
    const a = f.after!;
    const parts = f.attributes.map((k) => {
      switch (k) {
        case 'size':
          return `${formatBytes(b.size)} → ${formatBytes(a.size)}`;
        case 'mode':
          return `mode ${b.mode} → ${a.mode}`;
        case 'owner':
          return `owner ${b.uid}:${b.gid} → ${a.uid}:${a.gid}`;
        case 'type':
          return `${b.type} → ${a.type}`;
        default:
          return 'link target';
      }
    });
    what = parts.join(', ');
  } else {
    const f0 = (f.after ?? f.before)!;
    what = f0.type === 'file' ? '' : f0.type;
  }
  return `| ${sign} | ${code(f.path, 120)} | ${f.delta ? signedBytes(f.delta) : ''} | ${escapeText(what)} |`;
}

/** `/usr/lib` → `/usr/lib/`: a directory reads as one. */
function dirLabel(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}

function dirSummary(d: DirectoryDelta): string {
  const counts = [
    d.added ? `${d.added} added` : '',
    d.removed ? `${d.removed} removed` : '',
    d.changed ? `${d.changed} changed` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `${code(dirLabel(d.path), 100)} ${signedBytes(d.delta)} · ${counts}`;
}

/** " <sub>largest: golang-1.19-go</sub>": who owns a directory's largest change (image text, escaped). */
function ownerNote(owner: string | undefined): string {
  return owner === undefined ? '' : ` <sub>largest: ${escapeText(owner, 100)}</sub>`;
}

function filesSection(diff: ReportDiff, lv: Level): string[] {
  const f = diff.files;
  if (!f.added && !f.removed && !f.changed) return [];
  const body: string[] = [];
  const dirs = f.directories.slice(0, lv.dirs);
  body.push(
    '| directory | Δ uncompressed | added | removed | changed |',
    '| --- | ---: | ---: | ---: | ---: |',
  );
  for (const d of dirs)
    body.push(
      `| ${code(dirLabel(d.path), 100)}${ownerNote(d.owner)} | ${signedBytes(d.delta)} | ${d.added} | ${d.removed} | ${d.changed} |`,
    );
  if (f.directories.length > dirs.length)
    body.push(`| … ${f.directories.length - dirs.length} more directories |  |  |  |  |`);
  body.push('');
  if (lv.filesPerDir > 0) {
    for (const d of dirs) {
      const rows = d.files.slice(0, lv.filesPerDir).map(fileRow);
      if (d.files.length > rows.length) rows.push(`|  | … ${d.files.length - rows.length} more |  |  |`);
      body.push(
        ...details(dirSummary(d), [
          '|  | path | Δ uncompressed |  |',
          '| :---: | --- | ---: | --- |',
          ...rows,
        ]),
      );
    }
  }
  const summary = `Files: ${f.added} added, ${f.removed} removed, ${f.changed} changed, by directory`;
  return details(summary, body);
}

function layerRow(l: LayerDelta, i: number): string {
  const icon = { unchanged: '', changed: '✏️ changed', added: '➕ added', removed: '➖ removed' }[l.change];
  const size = l.after ? formatBytes(l.after.uncompressedSize) : '';
  return `| ${l.after ? i + 1 : ''} | ${icon} | ${code(l.label, 100)} | ${size} | ${l.delta ? signedBytes(l.delta) : ''} |`;
}

function layersSection(report: Report, diff: ReportDiff | undefined, lv: Level): string[] {
  const head = ['| # |  | created by | uncompressed | Δ |', '| ---: | --- | --- | ---: | ---: |'];
  if (diff) {
    const L = diff.layers;
    const parts = [
      L.added ? `${L.added} added` : '',
      L.removed ? `${L.removed} removed` : '',
      L.changed ? `${L.changed} changed` : '',
    ]
      .filter(Boolean)
      .join(', ');
    const rows = L.items.slice(0, lv.listed).map(layerRow);
    if (L.items.length > rows.length) rows.push(`|  |  | … ${L.items.length - rows.length} more |  |  |`);
    return details(`Layers: ${report.layers.length}${parts ? ` (${parts})` : ''}`, [...head, ...rows]);
  }
  const rows = report.layers
    .slice(0, lv.listed)
    .map(
      (l, i) =>
        `| ${i + 1} |  | ${code(l.createdBy ?? l.diffId, 100)} | ${formatBytes(l.uncompressedSize)} | |`,
    );
  return details(`Layers: ${report.layers.length}`, [...head, ...rows]);
}

const PACKAGE_ROWS = 10;
const PACKAGE_ICON = { added: '➕', removed: '➖', changed: '✏️' } as const;

function packageCell(name: string, manager: string): string {
  return `${code(name, 100)} <sub>${escapeText(manager, 10)}</sub>`;
}

/**
 * Who brought the bytes: with a baseline, the packages added, removed and changed, largest change first;
 * without one, the largest packages. Names and versions are image text.
 */
function packagesSection(report: Report, diff: ReportDiff | undefined, lv: Level): string[] {
  const n = lv.listed > 0 ? PACKAGE_ROWS : 0;
  if (diff?.packages) {
    const d = diff.packages;
    if (!d.items.length) return [];
    const parts = [
      d.added ? `${d.added} added` : '',
      d.removed ? `${d.removed} removed` : '',
      d.changed ? `${d.changed} changed` : '',
    ].filter(Boolean);
    const out = [`**Packages: ${parts.join(', ')} (${signedBytes(num(d.delta))} uncompressed)**`, ''];
    if (!n) return out;
    const row = (c: PackageChange): string =>
      `| ${PACKAGE_ICON[c.change]} | ${packageCell(c.name, c.manager)} | ${escapeText(versionChange(c), 100)} | ${signedBytes(num(c.delta))} |`;
    out.push('|  | package | version | Δ uncompressed |', '| :---: | --- | --- | ---: |');
    out.push(...d.items.slice(0, n).map(row));
    if (d.items.length > n) out.push(`|  | … and ${d.items.length - n} more (see the JSON report) |  |  |`);
    out.push('');
    if (d.unlisted)
      out.push(
        `<sub>${num(d.unlisted)} smaller packages are listed on one side only (a report lists its largest): not compared.</sub>`,
        '',
      );
    return out;
  }
  if (diff || !n || !report.packages?.length) return [];
  const own = report.ownership;
  const rows = report.packages
    .slice(0, n)
    .map(
      (p) =>
        `| ${packageCell(p.name, p.manager)} | ${escapeText(p.version ?? '', 100)} | ${formatBytes(p.size)} |`,
    );
  const more = report.packages.length - rows.length + num(own?.more?.packages);
  if (more > 0) rows.push(`| … and ${more} more (see the JSON report) |  |  |`);
  const owned = own
    ? ` · ${formatBytes(own.owned.bytes)} owned, ${formatBytes(own.unowned.bytes)} your own`
    : '';
  return details(`Largest packages (uncompressed)${owned}`, [
    '| package | version | uncompressed |',
    '| --- | --- | ---: |',
    ...rows,
  ]);
}

function largestSection(report: Report, lv: Level): string[] {
  const dirs = largestDirectories(report, Math.min(lv.dirs, 10));
  if (!dirs.length) return [];
  return details('Largest directories (uncompressed)', [
    '| directory | uncompressed |',
    '| --- | ---: |',
    ...dirs.map((d) => `| ${code(`${d.path}/`, 100)} | ${formatBytes(d.size)} |`),
  ]);
}

function baseSection(report: Report): string[] {
  const b = report.base;
  if (!b.evidence.length) return [];
  return details(
    `Base: ${escapeText(String(b.verdict), 20)}${b.image ? ` (${escapeText(b.image, 60)})` : ''}`,
    [...b.evidence.map((e) => `- ${escapeText(e)}`)],
  );
}

// ---------------------------------------------------------------------------------------------- header

/** `against` names the baseline as the comment's header does ("main", or "the baseline" for the CLI). */
function verdictLine(
  report: Report,
  diff: ReportDiff | undefined,
  v: Verdict,
  against = 'the baseline',
): string {
  const icon = STATUS_ICON[v.status];
  const size = `**${formatBytes(report.size.uncompressed)}** uncompressed`;
  const parts: string[] = [];
  if (diff) {
    const d = diff.size.uncompressed;
    parts.push(`${size} (${d.delta === 0 ? 'no change' : `${signedBytes(d.delta)}, ${percent(d)}`})`);
  } else parts.push(size);
  const finding = diff
    ? headlineFinding(report, diff.findings.added, true)
    : headlineFinding(report, report.findings, false);
  if (finding) parts.push(finding);
  else if (diff && v.debt.length) parts.push('no new errors');
  else if (diff && (v.errors || v.warnings))
    parts.push(`no new findings (${v.errors ? `${v.errors} errors` : `${v.warnings} warnings`} as before)`);
  else if (!v.errors && !v.warnings) parts.push('no findings');
  const breach = v.breaches[0];
  const maxSize = report.budget.checks.find((c) => c.name === 'max-size' && !c.skipped);
  if (breach) {
    const more = v.breaches.length > 1 ? ` (+${v.breaches.length - 1} more)` : '';
    parts.push(
      `over budget: ${budgetLabel(breach.name)} ${budgetValue(breach, breach.actual)} > ${budgetValue(breach, breach.limit)}${more}`,
    );
  } else if (maxSize) parts.push(`budget ${formatBytes(maxSize.limit)}`);
  if (v.debt.length)
    parts.push(
      `${v.debt.length} error${v.debt.length === 1 ? '' : 's'} of debt from ${escapeText(against, 60)}`,
    );
  if (v.ratchet === 'no-baseline') parts.push('no baseline: judged as fail-on error');
  return `${icon} ${parts.join(' · ')}`;
}

function blockingSentence(v: Verdict): string {
  const preset = v.preset
    ? ` (preset ${escapeText(v.preset, 20)}: rule findings are reported, not judged)`
    : '';
  return policySentence(v) + preset;
}

function policySentence(v: Verdict): string {
  if (v.status !== 'fail') {
    if (v.debt.length) return 'passes: no new errors (fail-on: new-error)';
    return v.status === 'warn' ? 'passes, with warnings' : 'passes';
  }
  if (v.overriddenBy) return `fails, but the label ${code(v.overriddenBy)} overrides it: not blocking`;
  if (!v.blocking) return `fails, not blocking (fail-on: ${escapeText(String(v.failOn), 10)})`;
  return `fails the check (fail-on: ${escapeText(String(v.failOn), 10)})`;
}

/** "against main (`docker://…`)": what the sizes were diffed with. */
function againstBit(o: MarkdownOptions): string {
  return `against ${escapeText(o.baselineLabel ?? 'baseline', 60)}${o.baselineSource ? ` (${code(o.baselineSource, 120)})` : ''}`;
}

function noBaselineLines(note: string | undefined): string[] {
  return [
    `> **No baseline.** ${escapeText(note ?? 'No baseline image or report was given.')} Growth budgets were skipped, not failed. ` +
      `[Set up a baseline](${REPO_URL}#baseline-from-main).`,
    '',
  ];
}

const NOTHING_TO_COMPARE = [
  "> **Nothing to compare with**: fail-on new-error needs the base branch's report, so every error finding counted, as under fail-on error.",
  '',
];

/** The platforms the baseline has and the image lacks: said, never judged (the verdict alone decides). */
function missingLines(missing: readonly string[] | undefined): string[] {
  if (!missing?.length) return [];
  return [
    `> The baseline also has ${missing.map((p) => escapeText(p, 60)).join(', ')}, which this image does not.`,
    '',
  ];
}

function overrideLines(label: string): string[] {
  return [
    `To merge anyway, someone with triage or write access to this repository can add the label ${code(label)} to the pull request.`,
    '',
  ];
}

function header(report: Report, diff: ReportDiff | undefined, v: Verdict, o: MarkdownOptions): string[] {
  const bits = [`<b>Slimgate</b>`, code(report.image.source, 120)];
  if (o.showPlatform) bits.push(escapeText(report.image.platform));
  if (diff) bits.push(againstBit(o));
  bits.push(blockingSentence(v));
  const out = [verdictLine(report, diff, v, o.baselineLabel), '', `<sub>${bits.join(' · ')}</sub>`, ''];
  if (!diff) out.push(...noBaselineLines(o.baselineNote));
  out.push(...missingLines(o.missing));
  if (v.ratchet === 'no-baseline') out.push(...NOTHING_TO_COMPARE);
  if (v.status === 'fail' && v.blocking && o.overrideLabel) out.push(...overrideLines(o.overrideLabel));
  // Once, in one line: only where every error counts, and some of them are not budget breaches.
  if (v.blocking && v.failOn === 'error' && !v.preset && v.judgedErrors > v.breaches.length)
    out.push(`<sub>${RATCHET_HINT} ([how](${REPO_URL}#adopting-on-an-existing-image)).</sub>`, '');
  for (const n of o.notes ?? []) out.push(`> ${escapeText(n, 500)}`, '');
  return out;
}

/**
 * A URL the comment may link: https, and only characters that cannot end the link or start markup (no
 * spaces, parentheses, brackets, quotes, angle brackets, backslashes, backticks or non-ASCII).
 */
export function isLinkUrl(url: string): boolean {
  return /^https:\/\/[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::\d{1,5})?(?:\/[A-Za-z0-9\-._~/?#&=%+,;:@!$*]*)?$/.test(
    url,
  );
}

/** The link to the HTML report (a workflow artifact), when there is one. */
function htmlLine(url: string | undefined): string[] {
  if (!url || !isLinkUrl(url)) return [];
  return [`📊 [Where the bytes are: the HTML report](${url}) (a workflow artifact)`, ''];
}

function sbomLine(sbom: MarkdownOptions['sbom']): string[] {
  if (!sbom || !isLinkUrl(sbom.url)) return [];
  const format = sbom.format === 'spdx-json' ? 'SPDX 2.3' : 'CycloneDX 1.6';
  return [`🧾 [The image's SBOM, ${format} JSON](${sbom.url}) (in the same workflow artifact)`, ''];
}

function footer(findings: readonly Finding[], docs: string, trimmed: boolean, o: MarkdownOptions): string[] {
  const ids = [...new Set(findings.map((f) => f.id))].sort();
  const out: string[] = [...htmlLine(o.htmlUrl), ...sbomLine(o.sbom)];
  if (trimmed)
    out.push(
      `> Details were trimmed to stay under GitHub's ${GITHUB_COMMENT_LIMIT.toLocaleString('en-US')}-character comment limit; the job summary and the JSON report have everything.`,
      '',
    );
  const rules = ids.length ? ` · rules: ${ids.map((id) => ruleLink(id, docs)).join(' · ')}` : '';
  const sha = o.checked?.sha.replace(/[^0-9a-f]/gi, '').slice(0, 40);
  const runUrl = o.checked?.runUrl;
  // The run URL is built from the runner's environment, never from the image; still, only an https URL.
  const run = runUrl && /^https:\/\/[^\s()<>]+$/.test(runUrl) ? ` · [run](${runUrl})` : '';
  const checked = sha ? ` · checked <code>${sha.slice(0, 7)}</code>${run}` : '';
  out.push(`<sub>[Slimgate](${REPO_URL}) ${VERSION}${checked}${rules}</sub>`);
  return out;
}

function render(
  report: Report,
  diff: ReportDiff | undefined,
  o: MarkdownOptions,
  lv: Level,
  trimmed: boolean,
): string {
  const docs = o.docsUrl ?? DOCS_URL;
  const v = o.verdict ?? decideVerdict(report, 'error');
  const out: string[] = [...header(report, diff, v, o), ...imageSections(report, diff, v, o, docs, lv)];
  if (o.fixesDiff) out.push(...fixesSection(o.fixesDiff));
  out.push(...footer(report.findings, docs, trimmed, o));
  return withMarkers(out, o);
}

function withMarkers(out: string[], o: MarkdownOptions): string {
  if (o.commentKey !== undefined) out.push('', commentMarker(o.commentKey));
  if (o.checked?.sha) out.push(headTag(o.checked.sha));
  return out.join('\n') + '\n';
}

/** Everything about one image below its verdict: sizes, history, budgets, findings, files, layers, base. */
function imageSections(
  report: Report,
  diff: ReportDiff | undefined,
  v: Verdict,
  o: MarkdownOptions,
  docs: string,
  lv: Level,
  trend = o.trend,
): string[] {
  const out: string[] = [
    ...sizesTable(report, diff, o.baselineLabel ?? 'baseline'),
    ...(trend ? details(`Size history on main (${trend.main.length} commits)`, trendMarkdown(trend)) : []),
    ...budgetsSection(report, diff),
    ...findingsSection(report, diff, docs, lv),
    ...vulnMarkdown(
      report,
      diff ? { vulnerabilities: diff.baselineVulnerabilities } : null,
      diff ? vulnChanges(diff.findings) : null,
      { text: escapeText, code },
      Math.max(5, Math.min(lv.listed, 50)),
    ),
    ...packagesSection(report, diff, lv),
  ];
  if (lv.listed > 0) {
    if (diff) {
      const resolved = diff.findings.resolved.filter((f) => !isVulnFinding(f));
      const debtAll = v.debt.filter((f) => !isVulnFinding(f));
      const debt = new Set(v.debt);
      const unchanged = diff.findings.unchanged.filter((f) => !debt.has(f) && !isVulnFinding(f));
      if (debtAll.length)
        out.push(
          ...details(
            `Debt: ${debtAll.length} error finding${debtAll.length === 1 ? '' : 's'} ${escapeText(o.baselineLabel ?? 'the baseline', 60)} already has (not blocking)`,
            capped(debtAll, lv.listed, (f) => findingLine(f, docs, true), 'findings'),
          ),
        );
      if (resolved.length)
        out.push(
          ...details(
            `Resolved findings (${resolved.length})`,
            capped([...resolved].sort(bySeverity), lv.listed, (f) => findingLine(f, docs, false), 'findings'),
          ),
        );
      if (unchanged.length)
        out.push(
          ...details(
            `Unchanged findings (${unchanged.length})`,
            capped(
              [...unchanged].sort(bySeverity),
              lv.listed,
              (f) => findingLine(f, docs, false),
              'findings',
            ),
          ),
        );
      out.push(...filesSection(diff, lv));
      out.push(...binariesDiffMarkdown(diff.binaries, { code, text: escapeText }, Math.min(lv.listed, 60)));
    } else {
      out.push(...largestSection(report, lv));
    }
    out.push(...layersSection(report, diff, lv));
    out.push(...baseSection(report));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- platforms

/** One platform of a `--platform all` check: its report, its diff against the same platform, its verdict. */
export interface PlatformMarkdown {
  report: Report;
  diff?: ReportDiff | undefined;
  verdict: Verdict;
  /** Without a diff: why this platform has no baseline (e.g. the baseline lacks it). Plain text. */
  baselineNote?: string | undefined;
  /** The size history on main and this platform's point. */
  trend?: Trend | undefined;
}

export type PlatformsMarkdownOptions = Omit<MarkdownOptions, 'verdict' | 'showPlatform' | 'trend'>;

function countsCell(v: Verdict): string {
  const n = (k: number, what: string): string => `${num(k)} ${what}${k === 1 ? '' : 's'}`;
  const parts = [v.status === 'fail' ? (v.blocking ? 'fails' : 'fails, not blocking') : 'passes'];
  if (v.breaches[0]) parts.push(`over ${budgetLabel(v.breaches[0].name)}`);
  if (v.errors) parts.push(n(v.errors, 'error'));
  if (v.warnings) parts.push(n(v.warnings, 'warning'));
  if (!v.errors && !v.warnings) parts.push('no findings');
  return `${STATUS_ICON[v.status]} ${parts.join(' · ')}`;
}

/** One row per platform: the headline of a multi-platform comment. */
function platformsTable(entries: readonly PlatformMarkdown[], baseLabel: string): string[] {
  const stored = entries.some((e) => layersStoredUncompressed(e.report.layers));
  const rows = entries.map(({ report, diff, verdict }) => {
    const delta = diff ? deltaCell(diff.size.uncompressed, true) : 'no baseline';
    return `| ${escapeText(report.image.platform, 60)} | **${formatBytes(report.size.uncompressed)}** | ${delta} | ${formatBytes(report.size.compressed)} | ${countsCell(verdict)} |`;
  });
  return [
    `| platform | size (uncompressed) | Δ vs ${escapeText(baseLabel, 60)} | ${stored ? 'compressed¹' : 'compressed'} | verdict |`,
    '| --- | ---: | ---: | ---: | --- |',
    ...rows,
    ...(stored ? ['', STORED_NOTE] : []),
    '',
  ];
}

/** The verdict that speaks for all: the first blocking failure, else the first failure, warning, or pass. */
function representative(entries: readonly PlatformMarkdown[]): Verdict | undefined {
  const vs = entries.map((e) => e.verdict);
  return (
    vs.find((v) => v.status === 'fail' && v.blocking) ??
    vs.find((v) => v.status === 'fail') ??
    vs.find((v) => v.status === 'warn') ??
    vs[0]
  );
}

function renderPlatforms(
  entries: readonly PlatformMarkdown[],
  o: PlatformsMarkdownOptions,
  lv: Level,
  trimmed: boolean,
): string {
  const docs = o.docsUrl ?? DOCS_URL;
  const combined = combineVerdicts(
    entries.map((e) => ({ platform: e.report.image.platform, verdict: e.verdict })),
  );
  const n = entries.length;
  const plural = n === 1 ? 'platform' : 'platforms';
  const pass = n === 1 ? 'passes' : 'pass';
  const failing = combined.failing.map((p) => escapeText(p, 60)).join(', ');
  const first =
    combined.status === 'fail'
      ? `❌ **${n} ${plural}**: ${failing} ${combined.failing.length === 1 ? 'fails' : 'fail'}`
      : combined.status === 'warn'
        ? `⚠️ **${n} ${plural}** ${pass}, with warnings`
        : `✅ **${n} ${plural}** ${pass}`;
  const rep = representative(entries);
  const bits = [`<b>Slimgate</b>`, code(entries[0]?.report.image.source ?? '', 120)];
  if (entries.some((e) => e.diff)) bits.push(againstBit(o));
  if (rep) bits.push(blockingSentence(rep));
  const out = [first, '', `<sub>${bits.join(' · ')}</sub>`, ''];
  if (!entries.some((e) => e.diff)) out.push(...noBaselineLines(o.baselineNote));
  out.push(...missingLines(o.missing));
  if (combined.blocking && o.overrideLabel) out.push(...overrideLines(o.overrideLabel));
  for (const note of o.notes ?? []) out.push(`> ${escapeText(note, 500)}`, '');
  out.push(...platformsTable(entries, o.baselineLabel ?? 'baseline'));
  for (const e of entries) {
    const { report, diff, verdict } = e;
    const body = [verdictLine(report, diff, verdict, o.baselineLabel), ''];
    if (!diff && entries.some((x) => x.diff))
      body.push(`> **No baseline for this platform.** ${escapeText(e.baselineNote ?? '')}`.trimEnd(), '');
    if (verdict.ratchet === 'no-baseline') body.push(...NOTHING_TO_COMPARE);
    body.push(...imageSections(report, diff, verdict, o, docs, lv, e.trend));
    const summary = `${STATUS_ICON[verdict.status]} ${escapeText(report.image.platform, 60)} · ${formatBytes(report.size.uncompressed)} uncompressed`;
    out.push(...details(summary, body));
  }
  if (o.fixesDiff) out.push(...fixesSection(o.fixesDiff));
  out.push(
    ...footer(
      entries.flatMap((e) => e.report.findings),
      docs,
      trimmed,
      o,
    ),
  );
  return withMarkers(out, o);
}

/**
 * The comment for `--platform all`: one headline table with a row per platform, one verdict (it fails when
 * any platform fails), and each platform's details in its own collapsible section. Trimmed as the
 * one-image comment is.
 */
export function renderPlatformsMarkdown(
  entries: readonly PlatformMarkdown[],
  opts: PlatformsMarkdownOptions = {},
): string {
  return fitToLimit((lv, trimmed) => renderPlatforms(entries, opts, lv, trimmed), opts);
}

/** The comment for a check: a set of judged platforms, and how to present them. */
export interface CommentOptions extends PlatformsMarkdownOptions {
  /** Show the platform in the one-image layout (when the image has several, or one was chosen). */
  showPlatform?: boolean;
}

/**
 * The comment (and job summary, and `--markdown`) for a check: the compact one-image layout for one entry,
 * else a headline row per platform with each platform's details below.
 */
export function renderComment(entries: readonly PlatformMarkdown[], opts: CommentOptions = {}): string {
  const [only, ...more] = entries;
  if (!only || more.length) return renderPlatformsMarkdown(entries, opts);
  return renderMarkdown(only.report, only.diff, {
    ...opts,
    verdict: only.verdict,
    ...(only.trend ? { trend: only.trend } : {}),
    ...(only.baselineNote !== undefined ? { baselineNote: only.baselineNote } : {}),
  });
}

/** The fixes outside the PR's diff: a fenced diff (a fence longer than any backtick run in it), inert. */
function fixesSection(diff: string): string[] {
  const fence = '`'.repeat(Math.max(2, ...[...diff.matchAll(/`+/g)].map((m) => m[0].length)) + 1);
  return [
    '',
    "**Suggested changes to the Dockerfile** (on lines outside this PR's diff; `git apply` takes them):",
    '',
    `${fence}diff`,
    diff.replace(/\n$/, ''),
    fence,
  ];
}

/**
 * The comment body. Keeps under `maxLength` (GitHub's 65,536 by default) by trimming the details first,
 * and says so; as a last resort it cuts the body and keeps the marker.
 */
export function renderMarkdown(report: Report, diff?: ReportDiff, opts: MarkdownOptions = {}): string {
  return fitToLimit((lv, trimmed) => render(report, diff, opts, lv, trimmed), opts);
}

/** Renders at each level of detail until the body fits; as a last resort, cuts it and keeps the marker. */
function fitToLimit(renderAt: (lv: Level, trimmed: boolean) => string, opts: MarkdownOptions): string {
  const max = opts.maxLength ?? GITHUB_COMMENT_LIMIT;
  let body = '';
  for (let i = 0; i < LEVELS.length; i++) {
    body = renderAt(LEVELS[i]!, i > 0);
    if (body.length <= max) return body;
  }
  const tail =
    '\n\n> Cut to stay under the comment limit; the job summary and the JSON report have everything.\n' +
    (opts.commentKey !== undefined ? `\n${commentMarker(opts.commentKey)}\n` : '') +
    (opts.checked?.sha ? `${headTag(opts.checked.sha)}\n` : '');
  // Cut on a line boundary so that no entity or tag is split.
  const room = Math.max(0, max - tail.length);
  const cut = body.lastIndexOf('\n', room);
  return body.slice(0, cut > 0 ? cut : room) + tail;
}
