/**
 * OSV records → Slimgate's entries (pure): withdrawn records dropped, records that alias each other merged
 * into one entry, severity from the CVSS vector (scored by ae-cvss-calculator) or the ecosystem's own word,
 * and the version that fixes it. Records are service text: every field is checked for its type.
 */
import cvss from 'ae-cvss-calculator';
import type { FindingVulnerability, VulnSeverity } from '../types/report.js';
import { comparatorFor } from './versions.js';
import type { OsvQuery } from './ecosystem.js';

/** The fields of an OSV record (schema 1.x) Slimgate reads. */
export interface OsvRecord {
  id: string;
  modified?: string;
  withdrawn?: string;
  aliases?: string[];
  upstream?: string[];
  summary?: string;
  severity?: { type: string; score: string }[];
  affected?: OsvAffected[];
  database_specific?: Record<string, unknown>;
}

export interface OsvAffected {
  package?: { ecosystem?: string; name?: string; purl?: string };
  severity?: { type: string; score: string }[];
  ranges?: { type?: string; events?: Record<string, string>[] }[];
  versions?: string[];
  ecosystem_specific?: Record<string, unknown>;
  database_specific?: Record<string, unknown>;
}

/** A Go record's vulnerable symbols, per package path (`affected[].ecosystem_specific.imports`). */
export interface GoImports {
  package: string;
  symbols: string[];
}

const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 1024;
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter(str).slice(0, 1000) : []);

/** A record as the service sent it, or null when it is not one (the entry is then left out, and noted). */
export function asRecord(v: unknown): OsvRecord | null {
  if (typeof v !== 'object' || v === null || !str((v as { id?: unknown }).id)) return null;
  return v as OsvRecord;
}

/** CVSS v4 first (the newer judgement), then v3.1 and v3.0; v2 is not scored. */
const CVSS_ORDER = ['CVSS_V4', 'CVSS_V3'];

function scoreVector(vector: string): number | null {
  try {
    const v = vector.startsWith('CVSS:4.0/')
      ? new cvss.Cvss4P0(vector)
      : vector.startsWith('CVSS:3.1/')
        ? new cvss.Cvss3P1(vector)
        : vector.startsWith('CVSS:3.0/')
          ? new cvss.Cvss3P0(vector)
          : null;
    const base = v?.calculateScores().base;
    return typeof base === 'number' && Number.isFinite(base) ? base : null;
  } catch {
    return null;
  }
}

/** CVSS's qualitative rating of a base score. */
function ratingOf(score: number): VulnSeverity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  return 'low';
}

/** The ecosystems' own words: GHSA's, Debian's urgency, Ubuntu's priority, Alpine's and others'. */
const WORDS: Record<string, VulnSeverity> = {
  critical: 'critical',
  high: 'high',
  important: 'high',
  moderate: 'medium',
  medium: 'medium',
  low: 'low',
  negligible: 'low',
  unimportant: 'low',
};

function ownWord(r: OsvRecord, a: OsvAffected | undefined): VulnSeverity | null {
  const candidates = [
    r.database_specific?.['severity'],
    a?.database_specific?.['severity'],
    a?.ecosystem_specific?.['severity'],
    a?.ecosystem_specific?.['urgency'],
    ...(r.severity ?? []).filter((s) => !s.type.startsWith('CVSS')).map((s) => s.score),
  ];
  for (const c of candidates) {
    if (typeof c !== 'string') continue;
    const w = WORDS[c.trim().toLowerCase().replace(/\*+$/, '')];
    if (w) return w;
  }
  return null;
}

export interface Severe {
  severity: VulnSeverity;
  score?: number;
  vector?: string;
}

/** One record's severity for one affected package: its CVSS vector, scored, else the ecosystem's word. */
export function severityOf(r: OsvRecord, a?: OsvAffected): Severe {
  const all = [...(a?.severity ?? []), ...(r.severity ?? [])].filter((s) => str(s?.type) && str(s?.score));
  for (const type of CVSS_ORDER)
    for (const s of all.filter((x) => x.type === type)) {
      const score = scoreVector(s.score);
      if (score !== null) return { severity: ratingOf(score), score, vector: s.score };
    }
  return { severity: ownWord(r, a) ?? 'unknown' };
}

const RANK: Record<VulnSeverity, number> = { critical: 4, high: 3, medium: 2, low: 1, unknown: 0 };

/** Worse first. */
export const severityRank = (s: VulnSeverity): number => RANK[s];

/** The record's affected entries for the package asked about (by name; OSV matched the version). */
function affectedFor(r: OsvRecord, q: OsvQuery): OsvAffected[] {
  const all = Array.isArray(r.affected) ? r.affected : [];
  const mine = all.filter(
    (a) =>
      (q.purl && a.package?.purl && q.purl.startsWith(a.package.purl)) ||
      (a.package?.name === q.name && (!q.ecosystem || a.package?.ecosystem === q.ecosystem)),
  );
  return mine.length ? mine : all.filter((a) => a.package?.name === q.name);
}

/** The lowest `fixed` above the installed version, in the ecosystem's order (null: no fix named). */
function fixedIn(
  affected: readonly OsvAffected[],
  version: string | undefined,
  ecosystem: string,
): string | null {
  const cmp = comparatorFor(ecosystem);
  const fixes: string[] = [];
  for (const a of affected)
    for (const r of Array.isArray(a.ranges) ? a.ranges : [])
      for (const e of Array.isArray(r.events) ? r.events : []) if (str(e['fixed'])) fixes.push(e['fixed']);
  const above = version ? fixes.filter((f) => cmp(f, version) > 0) : fixes;
  return above.sort(cmp)[0] ?? null;
}

/** The Go symbols a record names, for the reachability judge. */
function goImports(affected: readonly OsvAffected[]): GoImports[] {
  const out: GoImports[] = [];
  for (const a of affected) {
    const imports = a.ecosystem_specific?.['imports'];
    if (!Array.isArray(imports)) continue;
    for (const i of imports as { path?: unknown; symbols?: unknown }[])
      if (str(i?.path)) out.push({ package: i.path, symbols: strs(i.symbols) });
  }
  return out.slice(0, 1000);
}

/** The merged entry for one subject: ids, severity, fix, summary; and the Go imports for the judge. */
export interface MergedEntry {
  vulnerability: Omit<FindingVulnerability, 'package' | 'reachability' | 'waived'>;
  imports: GoImports[];
}

/** A CVE first (the id most tools share), then GHSA, GO-, then the distribution's own, each in order. */
function idRank(id: string): number {
  if (id.startsWith('CVE-')) return 0;
  if (id.startsWith('GHSA-')) return 1;
  if (id.startsWith('GO-')) return 2;
  return 3;
}

const byIdRank = (a: string, b: string): number => idRank(a) - idRank(b) || (a < b ? -1 : a > b ? 1 : 0);

/**
 * The records found for one subject, merged: records that name each other as aliases (or name a single
 * upstream) become one entry. An advisory that covers several upstream ids (a DSA for three CVEs) joins the
 * entries of those ids as an alias, and stands alone only when none of them was found. Withdrawn records are
 * dropped.
 */
export function mergeRecords(records: readonly OsvRecord[], q: OsvQuery): MergedEntry[] {
  const live = records.filter((r) => !r.withdrawn);
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r && parent.has(r)) r = parent.get(r) as string;
    parent.set(x, r);
    return r;
  };
  const union = (a: string, b: string): void => {
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    const [x, y] = [find(a), find(b)];
    if (x !== y) parent.set(x, y);
  };
  const umbrella: OsvRecord[] = [];
  for (const r of live) {
    union(r.id, r.id);
    for (const a of strs(r.aliases)) union(r.id, a);
    const up = strs(r.upstream);
    if (up.length === 1) union(r.id, up[0] as string);
    else if (up.length > 1) umbrella.push(r);
  }
  const groups = new Map<string, OsvRecord[]>();
  for (const r of live) {
    if (umbrella.includes(r) && strs(r.aliases).length === 0) continue;
    const root = find(r.id);
    groups.set(root, [...(groups.get(root) ?? []), r]);
  }
  for (const r of umbrella) {
    const roots = new Set(
      strs(r.upstream)
        .filter((u) => parent.has(u) && groups.has(find(u)))
        .map(find),
    );
    if (!roots.size) groups.set(find(r.id), [...(groups.get(find(r.id)) ?? []), r]);
    for (const root of roots) (groups.get(root) as OsvRecord[]).push(r);
  }
  return [...groups.values()].map((rs) => entryOf(rs, q));
}

function entryOf(rs: readonly OsvRecord[], q: OsvQuery): MergedEntry {
  const ids = new Set<string>();
  for (const r of rs) {
    ids.add(r.id);
    for (const a of strs(r.aliases)) ids.add(a);
    if (strs(r.upstream).length === 1) ids.add(strs(r.upstream)[0] as string);
  }
  let fixed: string | null = null;
  let summary: string | undefined;
  const imports: GoImports[] = [];
  const severities: Severe[] = [];
  for (const r of rs) {
    const affected = affectedFor(r, q);
    for (const a of affected.length ? affected : [undefined]) severities.push(severityOf(r, a));
    const f = fixedIn(affected, q.version, q.ecosystem ?? '');
    if (f && (!fixed || comparatorFor(q.ecosystem ?? '')(f, fixed) > 0)) fixed = f;
    summary ??= str(r.summary) ? r.summary.slice(0, 200) : undefined;
    imports.push(...goImports(affected));
  }
  // A scored vector outranks a word; among either, the worst.
  const scored = severities.filter((s) => s.score !== undefined);
  const best = (scored.length ? scored : severities).reduce<Severe>(
    (x, y) => (RANK[y.severity] > RANK[x.severity] ? y : x),
    { severity: 'unknown' },
  );
  return {
    vulnerability: {
      ids: [...ids].sort(byIdRank),
      ...best,
      fixed,
      ...(summary ? { summary } : {}),
    },
    imports,
  };
}
