/**
 * Known vulnerabilities as findings (pure): each look-up hit is an SG801 finding, an error when the policy's
 * `max-new-vulnerabilities` reaches its severity (and no waiver covers it, and, for Go, it is linked or the
 * policy counts unlinked ones), else info. The verdict counts SG801 errors only when the baseline lacks them
 * (src/analysis/verdict.ts): main's backlog never fails a PR. An unchecked look-up with a budget set is
 * SG802; an expired waiver is SG803.
 */
import type {
  Finding,
  FindingVulnerability,
  Report,
  VulnerabilitySummary,
  VulnSeverity,
} from '../types/report.js';
import { showText } from '../util/names.js';
import type { Lookup } from '../vulns/lookup.js';
import { severityRank } from '../vulns/records.js';
import { complete } from './finding.js';

const VULN_SEVERITIES: readonly VulnSeverity[] = ['critical', 'high', 'medium', 'low', 'unknown'];

interface Waiver {
  id: string;
  reason: string;
  /** YYYY-MM-DD: the waiver covers the id up to and including this day (UTC). */
  until: string;
}

/** The policy's part for vulnerabilities (src/analysis/policy.ts holds it). */
export interface VulnPolicy {
  vulnerabilities?: 'on' | 'off';
  /** Entries this PR adds at this severity or above fail the check. */
  maxNewVulnerabilities?: Exclude<VulnSeverity, 'unknown'>;
  /** Go entries judged not linked count too. */
  countUnlinked?: boolean;
  vulnerabilitiesUnchecked?: 'warn' | 'fail';
  waivers?: Waiver[];
}

/** Look-ups are made when asked for, or when a vulnerability budget needs them. */
export function vulnerabilitiesWanted(p: VulnPolicy): boolean {
  return p.vulnerabilities === 'on' || (p.vulnerabilities !== 'off' && p.maxNewVulnerabilities !== undefined);
}

const today = (now: Date): string => now.toISOString().slice(0, 10);

function waiverFor(v: FindingVulnerability, waivers: readonly Waiver[], now: Date): Waiver | undefined {
  const ids = new Set(v.ids.map((i) => i.toUpperCase()));
  return waivers.find((w) => ids.has(w.id.toUpperCase()) && w.until >= today(now));
}

const label = (v: FindingVulnerability): string => showText(`${v.package.name} ${v.package.version}`);

function message(v: FindingVulnerability): string {
  const score = v.score !== undefined ? ` ${v.score.toFixed(1)}` : '';
  const fix = v.fixed ? `; fixed in ${showText(v.fixed)}` : '; no fix yet';
  const aka =
    v.ids.length > 1
      ? ` (${v.ids.slice(1, 4).map(showText).join(', ')}${v.ids.length > 4 ? ', …' : ''})`
      : '';
  const go = !v.reachability
    ? ''
    : v.reachability === 'unknown'
      ? `; ${reachabilityText(v)}`
      : `; ${reachabilityText(v)} into the binary`;
  return `${showText(v.ids[0] ?? '?')}${aka} in ${label(v)}: ${v.severity}${score}${fix}${go}`;
}

/** A Go entry's answer in words: "linked", "not linked", "unknown (why)"; '' for other entries. */
export function reachabilityText(v: Pick<FindingVulnerability, 'reachability' | 'reachabilityWhy'>): string {
  if (v.reachability === 'linked') return 'linked';
  if (v.reachability === 'not-linked') return 'not linked';
  if (v.reachability === 'unknown') return `linked: unknown (${showText(v.reachabilityWhy ?? 'not judged')})`;
  return '';
}

/** Whether an entry counts against `max-new-vulnerabilities`. */
function gated(v: FindingVulnerability, p: VulnPolicy): boolean {
  if (!p.maxNewVulnerabilities || v.waived) return false;
  if (v.reachability === 'not-linked' && !p.countUnlinked) return false;
  return severityRank(v.severity) >= severityRank(p.maxNewVulnerabilities);
}

export interface VulnContext {
  /** The layer each listed package came from, and each file's (for Go binaries). */
  packageLayer: (index: number) => number | undefined;
  fileLayer: (path: string) => number | undefined;
  now?: Date;
}

/**
 * A report's layer look-ups for vulnerability findings. A package without its own `layer` is placed in the
 * last layer that wrote one of its files: the layer that brought the version installed.
 */
export function contextOf(report: Pick<Report, 'packages' | 'files'>, now?: Date): VulnContext {
  let files: Map<string, number> | undefined;
  let owned: Map<number, number> | undefined;
  const ownedLayer = (i: number): number | undefined => {
    if (!owned) {
      owned = new Map();
      for (const f of report.files)
        if (f.owner !== undefined) owned.set(f.owner, Math.max(owned.get(f.owner) ?? 0, f.layer));
    }
    return owned.get(i);
  };
  return {
    packageLayer: (i) => report.packages?.[i]?.layer ?? ownedLayer(i),
    fileLayer: (path) => (files ??= new Map(report.files.map((f) => [f.path, f.layer]))).get(path),
    ...(now ? { now } : {}),
  };
}

/** The look-up's findings and the report's summary, under the policy. */
export function vulnerabilityFindings(
  lookup: Lookup,
  policy: VulnPolicy,
  ctx: VulnContext,
): { findings: Finding[]; summary: VulnerabilitySummary } {
  const now = ctx.now ?? new Date();
  const waivers = policy.waivers ?? [];
  const counts = Object.fromEntries(VULN_SEVERITIES.map((s) => [s, 0])) as Record<VulnSeverity, number>;
  let waived = 0;
  const findings: Finding[] = [];
  for (const { subject, vulnerability } of lookup.hits) {
    const w = waiverFor(vulnerability, waivers, now);
    const v: FindingVulnerability = w
      ? { ...vulnerability, waived: { reason: w.reason, until: w.until } }
      : vulnerability;
    if (w) waived++;
    else counts[v.severity]++;
    const layer =
      subject.binary !== undefined
        ? ctx.fileLayer(subject.binary)
        : subject.packageIndex !== undefined
          ? ctx.packageLayer(subject.packageIndex)
          : undefined;
    const f = complete({
      id: 'SG801',
      message: message(v),
      ...(subject.binary !== undefined ? { path: subject.binary } : {}),
      ...(layer !== undefined ? { layer } : {}),
    });
    findings.push({ ...f, severity: gated(v, policy) ? 'error' : 'info', vulnerability: v });
  }
  for (const w of waivers)
    if (w.until < today(now))
      findings.push(
        complete({
          id: 'SG803',
          message: `the waiver of ${showText(w.id)} expired on ${w.until} (${showText(w.reason)})`,
        }),
      );
  if (!lookup.checked && policy.maxNewVulnerabilities) {
    const f = complete({
      id: 'SG802',
      message: `vulnerabilities not checked: ${lookup.reason ?? 'unknown reason'}`,
    });
    findings.push(policy.vulnerabilitiesUnchecked === 'fail' ? { ...f, severity: 'error' } : f);
  }
  const total = VULN_SEVERITIES.reduce((n, s) => n + counts[s], 0);
  const summary: VulnerabilitySummary = {
    checked: lookup.checked,
    ...(lookup.reason ? { reason: lookup.reason } : {}),
    counts,
    total,
    ...(waived ? { waived } : {}),
    packages: lookup.packages,
    ...(lookup.notes.length ? { notes: lookup.notes.slice(0, 20) } : {}),
  };
  return { findings, summary };
}

/** The summary of a run that did not look (vulnerabilities: off): not checked, and why. */
export function notChecked(reason: string): VulnerabilitySummary {
  return {
    checked: false,
    reason,
    counts: Object.fromEntries(VULN_SEVERITIES.map((s) => [s, 0])) as Record<VulnSeverity, number>,
    total: 0,
    packages: { queried: 0, skipped: 0 },
  };
}
