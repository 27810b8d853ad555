/**
 * SARIF 2.1.0 for code scanning (pure): a report → one SARIF log with one run, which
 * github/codeql-action/upload-sarif accepts (tests validate it with Microsoft's SARIF Multitool, with and
 * without GitHub's ingestion rules).
 *
 * - Every catalog rule is a reportingDescriptor (so an alert can show the rule even when it is rare).
 * - Where a result points:
 *   1. the Dockerfile line that causes it (`finding.location`);
 *   2. else, with a Dockerfile, its final stage's FROM (the image is built there), with the image path (or
 *      ENV name) as a logical location;
 *   3. else the archive or OCI layout that was checked, relative to the root (the workspace), on line 1,
 *      with the image path as a logical location;
 *   4. else (a registry or daemon image, or a file outside the root) only logical locations: the image
 *      reference and the image path. SARIF allows that; GitHub lists such results only in the SARIF it
 *      keeps, not on a file, so give a Dockerfile for registry images.
 *   Paths outside the root are never written as absolute URIs, which GitHub would reject.
 * - `partialFingerprints` hash the rule id and the subject (image path, or ENV name), never the message, so
 *   code scanning tracks a finding across runs rather than reopening it.
 * - `automationDetails.id` is `KEY/`: the comment key is the whole category (a key may hold a `/`), so a
 *   matrix uploads one category per image.
 * - Text from the image is redacted (token shapes) as on every surface, control characters are escaped, and
 *   brackets are escaped so that it cannot form SARIF's embedded links.
 */
import { escapeInvisible } from '../util/text.js';
import { createHash } from 'node:crypto';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { RULES, ruleDocUrl, type RuleDef } from '../analysis/catalog.js';
import { redactSecrets } from '../util/secret-shapes.js';
import { VERSION } from '../util/version.js';
import { REPO_URL } from '../util/version.js';
import type { Finding, Report, Severity } from '../types/report.js';

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** The partialFingerprints key; bump its version if what is hashed ever changes. */
export const FINGERPRINT_KEY = 'slimgateFinding/v1';

export interface SarifOptions {
  /** The comment key (automationDetails.id): one code-scanning category per image. */
  commentKey: string;
  /** The directory that artifact URIs are relative to: the repository checkout (GITHUB_WORKSPACE, or the cwd). */
  root: string;
  /** The archive or OCI layout that was checked; absent for a registry or daemon image. */
  checkedPath?: string;
}

type Level = 'error' | 'warning' | 'note';
interface Message {
  text: string;
}
interface LogicalLocation {
  name?: string;
  fullyQualifiedName: string;
  kind: string;
}
interface Location {
  physicalLocation?: { artifactLocation: { uri: string }; region: { startLine: number } };
  logicalLocations?: LogicalLocation[];
}
interface SarifRule {
  id: string;
  name: string;
  shortDescription: Message;
  fullDescription: Message;
  help: { text: string; markdown: string };
  helpUri: string;
  defaultConfiguration: { level: Level };
  properties: { tags: string[]; 'security-severity'?: string; category: string };
}
interface SarifResult {
  ruleId: string;
  ruleIndex?: number;
  level: Level;
  message: Message;
  locations: Location[];
  partialFingerprints: Record<string, string>;
  properties?: Record<string, unknown>;
}
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: {
    tool: {
      driver: {
        name: string;
        version: string;
        semanticVersion: string;
        informationUri: string;
        rules: SarifRule[];
      };
    };
    automationDetails: { id: string };
    results: SarifResult[];
    properties: Record<string, unknown>;
  }[];
}

const LEVEL: Record<Severity, Level> = { error: 'error', warning: 'warning', info: 'note' };

/**
 * GitHub's security-severity (0–10: ≥9 critical, ≥7 high, ≥4 medium, else low), for the rules that are a
 * security problem rather than a size or hygiene one. Rules not listed get none and no `security` tag.
 */
const SECURITY_SEVERITY: Readonly<Record<string, string>> = {
  SG301: '7.5', // setuid/setgid: a way to root inside the container
  SG302: '7.0', // sudo, su, doas
  SG310: '5.0', // world-writable
  SG320: '5.0', // runs as root
  SG501: '9.0', // private key
  SG502: '9.0', // credential file
  SG503: '8.0', // secret-looking ENV
  SG504: '9.0', // token-shaped ENV value
  SG505: '8.0', // secret in the build history
  SG507: '9.0', // a token in a file's content
  SG508: '7.0', // a URL with a password in a file's content
  SG509: '2.0', // a toolchain's test-fixture key
  SG510: '8.0', // a secret in a Go binary's build settings
  SG901: '8.0', // a tar entry that escapes the root
  SG905: '5.0', // a symlink out of the root
};

function sarifRule(def: RuleDef): SarifRule {
  const url = ruleDocUrl(def.id);
  const security = SECURITY_SEVERITY[def.id];
  return {
    id: def.id,
    // A PascalCase friendly name, as SARIF suggests: "shell present" → "ShellPresent".
    name: def.title
      .replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))
      .replace(/^./, (c) => c.toUpperCase()),
    shortDescription: { text: sentence(def.title) },
    fullDescription: {
      text: `Slimgate rule ${def.id} (${def.category}, ${def.severity} by default): ${def.title}.`,
    },
    help: {
      text: `${def.remediation} See ${url}`,
      markdown: `**${def.id}: ${def.title}** (${def.category})\n\n${def.remediation}\n\n[Documentation of ${def.id}](${url})`,
    },
    helpUri: url,
    defaultConfiguration: { level: LEVEL[def.severity] },
    properties: {
      tags: ['container', def.category, ...(security ? ['security'] : [])],
      ...(security ? { 'security-severity': security } : {}),
      category: def.category,
    },
  };
}

function sentence(s: string): string {
  const t = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/** Image text as data: token shapes redacted, control characters escaped (`\n`, `\x1b`), long text cut. */
function sarifName(s: string, max = 500): string {
  const t = escapeInvisible(redactSecrets(String(s)));
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/**
 * Image text for a SARIF plain-text message: as sarifName, and `[`/`]` escaped (SARIF's own escape) so
 * that no embedded link `[text](url)` can be formed.
 */
export function sarifText(s: string, max = 1000): string {
  return sarifName(s, max).replace(/[[\]]/g, (c) => `\\${c}`);
}

/** A path under `root` as a relative URI with `/` separators and percent-encoding; undefined outside it. */
export function relativeUri(file: string, root: string): string | undefined {
  const abs = resolve(root, file);
  const rel = relative(resolve(root), abs);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined;
  return rel.split(sep).map(encodeURIComponent).join('/');
}

/** An archive has no lines: its results sit on line 1, as container scanners' do, since SARIF wants a region. */
function physical(file: string, root: string, line = 1): Location['physicalLocation'] | undefined {
  const uri = relativeUri(file, root);
  if (!uri) return undefined;
  return { artifactLocation: { uri }, region: { startLine: line } };
}

function locationOf(f: Finding, report: Report, opts: SarifOptions): Location {
  const root = opts.root;
  const logical: LogicalLocation[] = [];
  if (f.path !== undefined)
    logical.push({ name: sarifName(f.path), fullyQualifiedName: sarifName(f.path), kind: 'resource' });
  if (f.env !== undefined)
    logical.push({ name: sarifName(f.env), fullyQualifiedName: sarifName(f.env), kind: 'variable' });
  const from = report.base.dockerfile;
  const phys =
    (f.location && physical(f.location.file, root, f.location.line)) ||
    (from && physical(from.file, root, from.line)) ||
    (opts.checkedPath !== undefined ? physical(opts.checkedPath, root) : undefined);
  if (!phys || !logical.length)
    logical.push({ fullyQualifiedName: sarifName(report.image.source), kind: 'module' });
  return { ...(phys ? { physicalLocation: phys } : {}), logicalLocations: logical };
}

function fingerprint(f: Finding, seen: Map<string, number>): string {
  const v = f.vulnerability;
  const subject = v
    ? `vuln:${v.ids[0] ?? ''}\0${v.package.ecosystem}\0${v.package.name}\0${f.path ?? ''}`
    : (f.path ?? (f.env !== undefined ? `env:${f.env}` : ''));
  const base = `${f.id}\0${subject}`;
  // Two findings of one rule on one subject (rare: e.g. SG603 on two layers) stay distinct, in report order.
  const n = (seen.get(base) ?? 0) + 1;
  seen.set(base, n);
  return createHash('sha256')
    .update(n === 1 ? base : `${base}\0${n}`)
    .digest('hex');
}

/** A result's layer, and for a known vulnerability its ids, package, fix and CVSS score (security-severity). */
function resultProperties(f: Finding): { properties?: Record<string, unknown> } {
  const v = f.vulnerability;
  const p: Record<string, unknown> = {
    ...(f.layer !== undefined ? { layer: f.layer } : {}),
    ...(v
      ? {
          vulnerability: {
            ids: v.ids.map((i) => sarifName(i, 200)),
            severity: v.severity,
            package: sarifName(`${v.package.ecosystem} ${v.package.name} ${v.package.version}`),
            fixed: v.fixed === null ? null : sarifName(v.fixed, 200),
            ...(v.reachability ? { reachability: v.reachability } : {}),
            ...(v.reachabilityWhy ? { reachabilityWhy: sarifName(v.reachabilityWhy, 200) } : {}),
          },
          ...(v.score !== undefined ? { 'security-severity': v.score.toFixed(1) } : {}),
        }
      : {}),
  };
  return Object.keys(p).length ? { properties: p } : {};
}

export function renderSarif(report: Report, opts: SarifOptions): SarifLog {
  const defs = [...RULES.values()];
  const index = new Map(defs.map((d, i) => [d.id, i]));
  const seen = new Map<string, number>();
  const results: SarifResult[] = report.findings.map((f) => ({
    ruleId: f.id,
    ...(index.has(f.id) ? { ruleIndex: index.get(f.id) as number } : {}),
    level: LEVEL[f.severity] ?? 'warning',
    message: { text: sarifText(f.message) },
    locations: [locationOf(f, report, opts)],
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(f, seen) },
    ...resultProperties(f),
  }));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Slimgate',
            version: VERSION,
            semanticVersion: VERSION,
            informationUri: REPO_URL,
            rules: defs.map(sarifRule),
          },
        },
        automationDetails: { id: `${opts.commentKey.replace(/[\r\n]/g, ' ')}/` },
        results,
        properties: {
          image: sarifName(report.image.source),
          digest: report.image.digest,
          platform: report.image.platform,
          passed: report.passed,
        },
      },
    ],
  };
}

/**
 * Several platforms (`--platform all`) in one log: one run per platform, each in its own category (its
 * comment key), and every result names its platform in `properties.platform`.
 */
export function renderSarifPlatforms(
  entries: readonly { report: Report; commentKey: string }[],
  opts: Omit<SarifOptions, 'commentKey'>,
): SarifLog {
  const runs = entries.flatMap(({ report, commentKey }) =>
    renderSarif(report, { ...opts, commentKey }).runs.map((run) => ({
      ...run,
      results: run.results.map((r) => ({
        ...r,
        properties: { ...r.properties, platform: report.image.platform },
      })),
    })),
  );
  return { $schema: SARIF_SCHEMA, version: '2.1.0', runs };
}
