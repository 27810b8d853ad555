/**
 * The HTML report (pure): one self-contained page per check, for `slimgate check --html FILE` and the
 * action's artifact. A zoomable treemap of the final file system (by layer, or PR vs main), the changes,
 * the layers and the findings, and a search box. No network: the layout library (d3-hierarchy) and the
 * page's script are inline, and a Content-Security-Policy allows those two scripts and nothing else.
 *
 * Image text is data here too. Every string from an image goes into one JSON block, escaped so that no
 * name can end the block (`</script>`) or a line of the script that reads it (U+2028); the page puts it
 * on screen with textContent only. The few strings written into the markup itself are HTML-escaped.
 */
import { layersStoredUncompressed } from '../sources/model/image.js';
import { createHash } from 'node:crypto';
import type { Finding, Report, ReportLayer, ReportPackage, VulnSeverity } from '../types/report.js';
import { queryKey, subjectsOf } from '../vulns/ecosystem.js';
import { severityRank } from '../vulns/records.js';
import type { Verdict } from '../analysis/verdict.js';
import { SEVERITY_RANK } from '../analysis/verdict.js';
import { escapeInvisible } from '../util/text.js';
import { VERSION } from '../util/version.js';
import { diffReports, type FileDelta, type ReportDiff } from './diff.js';
import { buildTree, type PageNode, type TreeOptions, type TreeStats } from './html-tree.js';
import { PAGE_SCRIPT, PAGE_STYLE } from './html-page.js';
import { goVulnLines } from './vulns-text.js';
import { D3_HIERARCHY } from './vendor/d3-hierarchy.js';

export interface HtmlOptions extends TreeOptions {
  /** main's report: enables the main and changes views. */
  baseline?: Report;
  /** The diff of baseline → report (computed from the two when not given). */
  diff?: ReportDiff;
  /** The verdict as the caller decided it (fail-on, override label); default: the report's `passed`. */
  verdict?: Verdict;
}

interface PageLayer {
  createdBy: string;
  size: number;
  compressed: number;
  files: number;
  wasted: number;
  /** Against main's layers: unchanged, changed or added. */
  change?: string;
}

interface PageFinding {
  severity: string;
  id: string;
  category: string;
  message: string;
  remediation: string;
  path?: string;
  /** With a baseline: `new` (main does not have it) or `fixed` (only main has it). */
  state?: 'new' | 'fixed';
}

interface PageChange {
  path: string;
  before: number | null;
  after: number | null;
  delta: number;
}

/** A package the treemap can colour by: the tree's `o`/`q` index into its side's list. Image text. */
interface PageOwner {
  manager: string;
  name: string;
  version?: string;
  purl?: string;
  /** The source package, "name version". */
  source?: string;
  licenses?: string;
  /** The worst known vulnerability in it, when the report looked them up and found one. */
  v?: VulnSeverity;
}

function pageOwner(p: ReportPackage, v: VulnSeverity | undefined): PageOwner {
  const o: PageOwner = { manager: text(p.manager), name: text(p.name) };
  if (p.version) o.version = text(p.version);
  if (p.purl) o.purl = text(p.purl);
  if (p.source) o.source = text(`${p.source.name}${p.source.version ? ` ${p.source.version}` : ''}`);
  if (p.licenses) o.licenses = text(p.licenses);
  if (v) o.v = v;
  return o;
}

type ChangeKind = 'grew' | 'added' | 'removed' | 'shrank';

/** Everything the page shows, as one JSON document. */
export interface PageData {
  generator: string;
  image: { source: string; digest: string; platform: string; tags: string[] };
  size: Report['size'];
  /** Every layer is stored uncompressed (docker save): the stored size is not a compressed size. */
  stored: boolean;
  verdict: { status: 'pass' | 'warn' | 'fail'; line: string };
  baseline?: { source: string; digest: string; size: Report['size'] };
  layers: PageLayer[];
  baselineLayers?: PageLayer[];
  /** The report's packages, in its order (largest first); present when it lists at least one. */
  owners?: PageOwner[];
  /** The baseline's packages, likewise. */
  baselineOwners?: PageOwner[];
  findings: PageFinding[];
  changes?: Record<ChangeKind, { count: number; bytes: number; items: PageChange[] }>;
  tree: PageNode;
  stats: TreeStats;
}

/** Rows per list of changes: the largest first. */
const CHANGES_SHOWN = 200;

const text = (s: string | null | undefined): string => escapeInvisible(s ?? '');

function pageLayer(l: ReportLayer): PageLayer {
  return {
    createdBy: text((l.createdBy ?? '').replace(/\s+/g, ' ').trim()),
    size: l.uncompressedSize,
    compressed: l.compressedSize,
    files: l.files,
    wasted: l.wastedBytes,
  };
}

function pageFinding(f: Finding, state?: 'new' | 'fixed'): PageFinding {
  return {
    severity: f.severity,
    id: text(f.id),
    category: text(f.category),
    message: text(f.message),
    remediation: text(f.remediation),
    ...(f.path !== undefined ? { path: text(f.path) } : {}),
    ...(state ? { state } : {}),
  };
}

function verdictLine(report: Report, v?: Verdict): PageData['verdict'] {
  const counts = v ?? {
    errors: report.findings.filter((f) => f.severity === 'error').length,
    warnings: report.findings.filter((f) => f.severity === 'warning').length,
  };
  const status = v ? v.status : report.passed ? 'pass' : 'fail';
  const word =
    v?.blocking === false && status === 'fail'
      ? 'failed (not blocking)'
      : { pass: 'passed', warn: 'passed with warnings', fail: 'failed' }[status];
  return {
    status,
    line: `${word}: ${counts.errors} error${counts.errors === 1 ? '' : 's'}, ${counts.warnings} warning${counts.warnings === 1 ? '' : 's'}`,
  };
}

/** The file changes in four lists (grew, new, removed, shrank), each the largest first. */
export function changeLists(diff: ReportDiff): NonNullable<PageData['changes']> {
  const all: Record<ChangeKind, FileDelta[]> = { grew: [], added: [], removed: [], shrank: [] };
  for (const d of diff.files.directories)
    for (const f of d.files) {
      if (f.change === 'added') all.added.push(f);
      else if (f.change === 'removed') all.removed.push(f);
      else if (f.delta > 0) all.grew.push(f);
      else if (f.delta < 0) all.shrank.push(f);
    }
  const list = (files: FileDelta[]): { count: number; bytes: number; items: PageChange[] } => {
    const sorted = [...files].sort(
      (a, b) => Math.abs(b.delta) - Math.abs(a.delta) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
    );
    return {
      count: files.length,
      bytes: files.reduce((n, f) => n + f.delta, 0),
      items: sorted.slice(0, CHANGES_SHOWN).map((f) => ({
        path: text(f.path),
        before: f.before ? bytesOf(f.before) : null,
        after: f.after ? bytesOf(f.after) : null,
        delta: f.delta,
      })),
    };
  };
  return {
    grew: list(all.grew),
    added: list(all.added),
    removed: list(all.removed),
    shrank: list(all.shrank),
  };
}

const bytesOf = (f: { type: string; size: number }): number => (f.type === 'file' ? f.size : 0);

/** The owners list of one side, or nothing when its report has no packages (the page then colours by layer). */
function pageOwners(r: Report): PageOwner[] | undefined {
  const packages = r.packages;
  if (!packages?.length) return undefined;
  const worst = worstByPackage(r);
  const out = packages.map((p, i) => pageOwner(p, worst.get(i)));
  // Files of the packages past the listed ones point one past the list (src/engine/assemble.ts).
  const more = r.ownership?.more;
  if (more) out.push({ manager: 'other', name: `packages (${more.packages} not listed)` });
  return out;
}

/**
 * Each package's worst known vulnerability: an entry names the coordinates it was asked under (a Debian
 * source package for its binaries), which lead back to the packages through the same naming (vulns/ecosystem).
 */
function worstByPackage(report: Report): Map<number, VulnSeverity> {
  const out = new Map<number, VulnSeverity>();
  const entries = report.findings.filter(
    (f) => f.vulnerability && !f.vulnerability.waived && f.path === undefined,
  );
  if (!entries.length) return out;
  const bySubject = new Map<string, number[]>();
  for (const s of subjectsOf({ ...report, binaries: [] }).subjects)
    if (s.packageIndex !== undefined) {
      const k = queryKey(s.query);
      bySubject.set(k, [...(bySubject.get(k) ?? []), s.packageIndex]);
    }
  for (const f of entries) {
    const v = f.vulnerability as NonNullable<Finding['vulnerability']>;
    const key = queryKey({
      ecosystem: v.package.ecosystem,
      name: v.package.name,
      version: v.package.version,
      ...(v.package.purl ? { purl: v.package.purl } : {}),
    });
    for (const i of bySubject.get(key) ?? []) {
      const was = out.get(i);
      if (!was || severityRank(v.severity) > severityRank(was)) out.set(i, v.severity);
    }
  }
  return out;
}

/** The page's data: pure, and what the unit tests check (the page only draws it). */
export function pageData(report: Report, o: HtmlOptions = {}): PageData {
  const { root, stats } = buildTree(report, o.baseline, o);
  const diff = o.diff ?? (o.baseline ? diffReports(o.baseline, report) : undefined);
  const layers = report.layers.map(pageLayer);
  if (diff)
    diff.layers.items.forEach((item, i) => {
      if (i < layers.length) layers[i]!.change = item.change;
    });
  const rank = (f: PageFinding): number => SEVERITY_RANK[f.severity as Finding['severity']] ?? 3;
  const findings = diff
    ? [
        ...diff.findings.added.map((f) => pageFinding(f, 'new')),
        ...diff.findings.unchanged.map((f) => pageFinding(f)),
        ...diff.findings.resolved.map((f) => pageFinding(f, 'fixed')),
      ]
    : report.findings.map((f) => pageFinding(f));
  findings.sort((a, b) => Number(a.state === 'fixed') - Number(b.state === 'fixed') || rank(a) - rank(b));
  const owners = pageOwners(report);
  const baselineOwners = o.baseline ? pageOwners(o.baseline) : undefined;
  return {
    generator: `Slimgate ${VERSION}`,
    image: {
      source: text(report.image.source),
      digest: text(report.image.digest),
      platform: text(report.image.platform),
      tags: report.image.tags.map(text),
    },
    size: report.size,
    stored: layersStoredUncompressed(report.layers),
    verdict: verdictLine(report, o.verdict),
    ...(o.baseline
      ? {
          baseline: {
            source: text(o.baseline.image.source),
            digest: text(o.baseline.image.digest),
            size: o.baseline.size,
          },
          baselineLayers: o.baseline.layers.map(pageLayer),
        }
      : {}),
    layers,
    ...(owners ? { owners } : {}),
    ...(baselineOwners ? { baselineOwners } : {}),
    findings,
    ...(diff ? { changes: changeLists(diff) } : {}),
    tree: root,
    stats,
  };
}

/**
 * JSON that can sit inside a `<script type="application/json">`: `<`, `>` and `&` as \u escapes, so that
 * nothing in it can close the element or open a comment; U+2028/2029 too, for any reader that takes it as
 * script. JSON.parse reads the escapes back as the same characters.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Text for HTML element content and quoted attributes. */
export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

const sha256 = (s: string): string => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

/** The page, one HTML document with everything inline. */
export function renderHtml(report: Report, o: HtmlOptions = {}): string {
  const data = pageData(report, o);
  const title = escapeHtml(`Slimgate: ${data.image.source} (${data.image.platform})`);
  const d3 = `/*! d3-hierarchy ${D3_HIERARCHY.version}\n${D3_HIERARCHY.license}\n*/\n${D3_HIERARCHY.script}\n`;
  // Our own words and base64 hashes: nothing to escape in the attribute.
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(d3)} ${sha256(PAGE_SCRIPT)}`,
    `style-src ${sha256(PAGE_STYLE)}`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const s = data.stats;
  const notes = [
    'Sizes are uncompressed bytes of regular files; a hard link shares its target’s bytes and counts 0.',
    s.folds
      ? `In a directory with more than ${s.foldOver} files, the smaller ones share one tile: ${s.folds.toLocaleString('en-US')} such tiles hold ${s.folded.toLocaleString('en-US')} files, still found by the search.`
      : `No directory has more than ${s.foldOver} files: every file is a tile of its own.`,
    ...(s.unnamed
      ? [
          `${s.unnamed.toLocaleString('en-US')} names of the smallest files are left out to keep this page small: the search does not find them.`,
        ]
      : []),
    ...goVulnLines(report),
    data.owners
      ? 'Coloured by the package that owns each file, or by the layer that added it (a directory by the one that holds most of its bytes).'
      : 'Coloured by the layer that added each file (a directory by the layer that holds most of its bytes); this report lists no packages to colour by owner.',
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${escapeHtml(data.generator)}">
<title>${title}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(data.image.source)}</h1>
<div id="summary"></div>
</header>
<div class="bar">
<span class="seg" id="views"><button data-view="pr" aria-pressed="true">This PR</button><button data-view="main" aria-pressed="false">main</button><button data-view="changes" aria-pressed="false">Changes</button></span>
<span class="muted">Colour by:</span><span class="seg" id="colour-by"><button data-by="layer" aria-pressed="false">layer</button><button data-by="owner" aria-pressed="false">owner</button><button data-by="vulnerability" aria-pressed="false">vulnerability</button></span>
<input type="search" id="search" placeholder="Search a path, e.g. /usr/lib or libssl" aria-label="Search a path">
<span class="legend" id="legend"></span>
</div>
<nav class="crumbs" id="crumbs" aria-label="Breadcrumb"></nav>
<main>
<div id="map" role="img" aria-label="Treemap of the image's file system"></div>
<aside>
<div class="card" id="details"><h2>Details</h2><div class="muted">Click a directory to zoom in, a file for its details; hover for sizes.</div></div>
<div class="card" id="results"></div>
</aside>
</main>
${notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('\n')}
<section id="changes"><h2>This PR against main</h2></section>
<section><h2>Layers</h2><table id="layers"></table></section>
<section id="findings"><h2>Findings</h2></section>
<p class="note">${escapeHtml(data.generator)} · layout by d3-hierarchy ${escapeHtml(D3_HIERARCHY.version)} (ISC)</p>
<div id="tip" role="tooltip"></div>
<script type="application/json" id="slimgate-data">${scriptJson(data)}</script>
<script>${d3}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
