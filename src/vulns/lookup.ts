/**
 * One report's look-up: its subjects (packages, Go modules, Go's standard library) → OSV (through the cache)
 * → merged entries per subject, each with the package's coordinates and, for Go, the reachability judge's
 * answer. A failed look-up is an answer too: `checked: false` and why, never an empty list.
 */
import type { FindingVulnerability, Report } from '../types/report.js';
import { OsvCache } from './cache.js';
import { OsvClient, OsvUnavailable, type OsvClientOptions, type VulnRef } from './client.js';
import { queryKey, subjectsOf, type Subject } from './ecosystem.js';
import { mergeRecords, type GoImports, type OsvRecord } from './records.js';

type Reachability = NonNullable<FindingVulnerability['reachability']>;

/**
 * Judges whether a Go binary links the vulnerable symbols (a pure hook the engine passes in: the Go function
 * table reader). Without one, every Go entry is `unknown`.
 */
export type GoJudge = (
  binaryPath: string,
  symbols: readonly GoImports[],
) => { reachability: Reachability; why?: string };

/** Entries per report: far above a real image's, a bound on a service (or a double) that answers without end. */
const MAX_HITS = 50_000;

export interface LookupOptions extends OsvClientOptions {
  /** The folder to keep answers in (the layer cache's); null: none. */
  cacheDir?: string | null;
  judge?: GoJudge;
  /** A client shared by the image and its baseline (one deadline, one set of counts). */
  client?: OsvClient;
}

/** One vulnerability in one subject. */
export interface Hit {
  subject: Subject;
  vulnerability: FindingVulnerability;
}

export interface Lookup {
  checked: boolean;
  reason?: string;
  hits: Hit[];
  packages: { queried: number; skipped: number };
  notes: string[];
}

async function cachedRefs(
  keys: readonly string[],
  subjectsByKey: Map<string, Subject>,
  client: OsvClient,
  cache: OsvCache | null,
): Promise<Map<string, VulnRef[]>> {
  const refs = new Map<string, VulnRef[]>();
  const ask: string[] = [];
  for (const k of keys) {
    const hit = cache ? await cache.getQuery(k) : null;
    if (hit) refs.set(k, hit);
    else ask.push(k);
  }
  if (ask.length) {
    const answers = await client.queryBatch(ask.map((k) => (subjectsByKey.get(k) as Subject).query));
    await Promise.all(
      ask.map(async (k, i) => {
        const a = answers[i] ?? [];
        refs.set(k, a);
        await cache?.putQuery(k, a);
      }),
    );
  }
  return refs;
}

async function cachedRecords(
  refs: Iterable<VulnRef>,
  client: OsvClient,
  cache: OsvCache | null,
): Promise<Map<string, OsvRecord>> {
  const records = new Map<string, OsvRecord>();
  const ask = new Map<string, VulnRef>();
  for (const ref of refs) {
    if (records.has(ref.id) || ask.has(ref.id)) continue;
    const hit = cache ? await cache.getVuln(ref) : null;
    if (hit) records.set(ref.id, hit);
    else ask.set(ref.id, ref);
  }
  const fetched = await client.vulns([...ask.keys()]);
  for (const [id, r] of fetched) {
    records.set(id, r);
    await cache?.putVuln(r);
  }
  return records;
}

/** A Go entry's answer: the judge's, or unknown and why. */
function judged(
  binary: string,
  imports: readonly GoImports[],
  judge: GoJudge | undefined,
): Pick<FindingVulnerability, 'reachability' | 'reachabilityWhy'> {
  if (!judge) return { reachability: 'unknown', reachabilityWhy: 'not judged' };
  const j = judge(binary, imports);
  return { reachability: j.reachability, ...(j.why ? { reachabilityWhy: j.why } : {}) };
}

/** Looks up a report's packages. Never throws for the service: an unreachable one is `checked: false`. */
export async function lookUpReport(
  report: Pick<Report, 'base' | 'packages' | 'binaries' | 'ownership'>,
  opts: LookupOptions = {},
): Promise<Lookup> {
  const { subjects, skipped, notes } = subjectsOf(report);
  if (report.ownership?.more?.packages)
    notes.push(`${report.ownership.more.packages} packages beyond the report's list were not looked up`);
  const packages = { queried: subjects.length, skipped };
  const client = opts.client ?? new OsvClient(opts);
  const cache = opts.cacheDir ? new OsvCache(opts.cacheDir) : null;
  const byKey = new Map<string, Subject>();
  for (const s of subjects) if (!byKey.has(queryKey(s.query))) byKey.set(queryKey(s.query), s);
  try {
    const refs = await cachedRefs([...byKey.keys()], byKey, client, cache);
    const records = await cachedRecords([...refs.values()].flat(), client, cache);
    const hits: Hit[] = [];
    for (const s of subjects) {
      const found = (refs.get(queryKey(s.query)) ?? []).flatMap((r) => records.get(r.id) ?? []);
      for (const e of mergeRecords(found, s.query)) {
        const vulnerability: FindingVulnerability = {
          ...e.vulnerability,
          package: {
            ecosystem: s.query.ecosystem ?? '',
            name: s.query.name ?? s.display.name,
            version: s.query.version ?? s.display.version,
            ...(s.query.purl ? { purl: s.query.purl } : {}),
          },
        };
        if (s.binary !== undefined) Object.assign(vulnerability, judged(s.binary, e.imports, opts.judge));
        hits.push({ subject: s, vulnerability });
      }
      if (hits.length >= MAX_HITS) {
        notes.push(`more than ${MAX_HITS} entries: the rest were not listed`);
        break;
      }
    }
    return { checked: true, hits: hits.slice(0, MAX_HITS), packages, notes };
  } catch (err) {
    if (err instanceof OsvUnavailable)
      return { checked: false, reason: err.message, hits: [], packages, notes };
    throw err;
  }
}
