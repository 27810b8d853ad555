/**
 * The engine's vulnerability step: a check report's packages looked up in OSV (when the policy wants it),
 * their findings added under the policy, and the report's `vulnerabilities` summary set: checked, or not
 * checked and why. A baseline whose vulnerabilities were not looked up (a report saved before, or with them
 * off) is looked up the same way, so that main's backlog is known and never counted as new.
 */
import { join } from 'node:path';
import { applyPolicy, sortFindings, type Policy } from '../analysis/policy.js';
import {
  contextOf,
  notChecked,
  vulnerabilitiesWanted,
  vulnerabilityFindings,
} from '../analysis/vulnerabilities.js';
import type { LayerCache } from '../scan/cache.js';
import type { Report } from '../types/report.js';
import { OsvClient, type OsvClientOptions } from '../vulns/client.js';
import type { GoJudge } from '../analysis/go-reach.js';
import { lookUpReport, type GoJudge as LookupJudge } from '../vulns/lookup.js';

export interface VulnerabilityOptions extends OsvClientOptions {
  /** The Go reachability judge over the image's own binaries (a function table against a record's symbols). */
  judge?: GoJudge;
  /** Where answers are kept: a folder, or false for none (default: the layer cache's folder, `osv/`). */
  cacheDir?: string | false | null;
  /** One client for the image and its baselines: one deadline, and request counts for the caller. */
  client?: OsvClient;
}

/** The endpoint from the environment, when the caller did not name one (SLIMGATE_OSV_URL). */
export function osvUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env['SLIMGATE_OSV_URL']?.trim() || undefined;
}

/** The folder answers are kept in: the layer cache's own (its Actions cache entry carries it). */
export function osvCacheDir(opts: VulnerabilityOptions, cache: LayerCache | undefined): string | null {
  if (opts.cacheDir === false || opts.cacheDir === null) return null;
  if (typeof opts.cacheDir === 'string') return opts.cacheDir;
  return cache ? join(cache.dir, 'osv') : null;
}

/** The report with its vulnerability findings and summary (unchanged when the policy does not ask). */
export async function withVulnerabilities(
  report: Report,
  policy: Policy,
  opts: VulnerabilityOptions,
  cacheDir: string | null,
): Promise<Report> {
  if (policy.vulnerabilities === 'off')
    return { ...report, vulnerabilities: notChecked('vulnerabilities: off (nothing was sent)') };
  if (!vulnerabilitiesWanted(policy)) return report;
  const client = opts.client ?? new OsvClient({ ...opts, url: opts.url ?? osvUrlFromEnv() });
  const { judge, ...rest } = opts;
  const lookup = await lookUpReport(report, {
    ...rest,
    client,
    cacheDir,
    ...(judge ? { judge: recordJudge(judge) } : {}),
  });
  const { findings, summary } = vulnerabilityFindings(lookup, policy, contextOf(report));
  const kept = report.findings.filter((f) => f.category !== 'vulnerability');
  return {
    ...report,
    findings: sortFindings([...kept, ...applyPolicy(findings, policy)]),
    vulnerabilities: summary,
  };
}

/** The look-up's hook: a record's imports (by package) handed to the judge (by path). */
function recordJudge(judge: GoJudge): LookupJudge {
  return (binary, imports) =>
    judge(
      binary,
      imports.map((i) => ({ path: i.package, symbols: i.symbols })),
    );
}

/** A baseline needs its own look-up when the image was looked up and the baseline was not. */
export function baselineNeedsLookup(image: Report, baseline: Report | null | undefined): baseline is Report {
  return !!baseline && image.vulnerabilities?.checked === true && baseline.vulnerabilities?.checked !== true;
}
