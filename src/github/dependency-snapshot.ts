/**
 * GitHub's dependency graph sees a repository's manifests, never what ships in its image. This submits the
 * image's packages through the dependency submission API (`POST /repos/{owner}/{repo}/dependency-graph/
 * snapshots`): one manifest per image key and platform, each package by its purl, `direct` or `indirect`
 * where its database records dependencies, Go modules of the image's binaries too.
 *
 * Optional, like the comment on a fork: a token without contents write (403), a repository without the
 * dependency graph (404) or any other failure is one warning, never a failed check.
 */
import * as core from '@actions/core';
import type { Report, ReportPackage } from '../types/report.js';
import { oneLine } from '../util/errors.js';
import { VERSION } from '../util/version.js';
import { statusOf, type Octokit } from './github-api.js';

const DETECTOR_URL = 'https://github.com/slimgate/slimgate';
/** GitHub allows 8 metadata properties; these are the ones kept. */
type Metadata = Record<string, string | number>;

interface Resolved {
  package_url: string;
  relationship?: 'direct' | 'indirect';
  scope: 'runtime';
  dependencies: string[];
}

interface Manifest {
  name: string;
  metadata: Metadata;
  resolved: Record<string, Resolved>;
}

export interface Snapshot {
  version: 0;
  sha: string;
  ref: string;
  job: { id: string; correlator: string; html_url?: string };
  detector: { name: string; version: string; url: string };
  scanned: string;
  metadata: Metadata;
  manifests: Record<string, Manifest>;
}

export interface SnapshotRun {
  sha: string;
  ref: string;
  runId: string;
  /** The run's page, when known. */
  runUrl: string | undefined;
  /** Groups the snapshots of one workflow job and key over time: GitHub keeps the latest. */
  correlator: string;
  scanned: Date;
}

const isPurl = (s: string | undefined): s is string => s !== undefined && /^pkg:[a-z]/.test(s);

/** Purls of the packages `p` depends on, within its manager, that have one. */
function dependencyPurls(p: ReportPackage, byName: Map<string, ReportPackage>): string[] {
  const out = new Set<string>();
  for (const n of p.dependsOn ?? []) {
    const d = byName.get(`${p.manager}\0${n}`);
    if (d && d !== p && isPurl(d.purl)) out.add(d.purl);
  }
  return [...out];
}

function packagesResolved(report: Report): { resolved: Record<string, Resolved>; unnamed: number } {
  const packages = report.packages ?? [];
  const byName = new Map(packages.map((p) => [`${p.manager}\0${p.name}`, p]));
  const needed = new Set<ReportPackage>();
  const recorded = new Set<string>();
  for (const p of packages) {
    if (p.dependsOn === undefined) continue;
    recorded.add(p.manager);
    for (const n of p.dependsOn) {
      const d = byName.get(`${p.manager}\0${n}`);
      if (d && d !== p) needed.add(d);
    }
  }
  const resolved: Record<string, Resolved> = {};
  let unnamed = 0;
  for (const p of packages) {
    if (!isPurl(p.purl)) {
      unnamed++;
      continue;
    }
    resolved[p.purl] = {
      package_url: p.purl,
      // Known only when the package's database records dependencies (dpkg Depends, npm's tree, rpm Requires).
      ...(recorded.has(p.manager) ? { relationship: needed.has(p) ? 'indirect' : 'direct' } : {}),
      scope: 'runtime',
      dependencies: dependencyPurls(p, byName),
    };
  }
  for (const b of report.binaries ?? []) {
    const go = b.go;
    if (!go) continue;
    for (const m of [...go.deps, ...(go.stdlib ? [go.stdlib] : [])]) {
      if (isPurl(m.purl) && !resolved[m.purl])
        resolved[m.purl] = { package_url: m.purl, scope: 'runtime', dependencies: [] };
    }
  }
  return { resolved, unnamed };
}

/** The manifest's name: the image's key, with its platform when the key does not say it. */
function manifestName(key: string, platform: string): string {
  return key.includes(platform) ? key : `${key} (${platform})`;
}

/** The snapshot of a run's images: one manifest per key and platform. */
export function dependencySnapshot(
  entries: readonly { key: string; report: Report }[],
  run: SnapshotRun,
): Snapshot {
  const manifests: Record<string, Manifest> = {};
  for (const { key, report } of entries) {
    const name = manifestName(key, report.image.platform);
    const { resolved, unnamed } = packagesResolved(report);
    manifests[name] = {
      name,
      metadata: {
        image: report.image.source.slice(0, 1000),
        digest: report.image.digest.slice(0, 200),
        platform: report.image.platform.slice(0, 200),
        // Not checked is not clean: packages without a purl are not in the graph, and the count says so.
        'packages without purl': unnamed,
      },
      resolved,
    };
  }
  return {
    version: 0,
    sha: run.sha,
    ref: run.ref,
    job: { id: run.runId, correlator: run.correlator, ...(run.runUrl ? { html_url: run.runUrl } : {}) },
    detector: { name: 'slimgate', version: VERSION, url: DETECTOR_URL },
    scanned: run.scanned.toISOString(),
    metadata: {},
    manifests,
  };
}

function failureReason(err: unknown): string {
  const status = statusOf(err);
  if (status === 403)
    return 'GitHub answered 403: the token needs "contents: write" (a fork or a read-only token has not)';
  if (status === 404)
    return 'GitHub answered 404: the repository has no dependency graph, or the token cannot see it';
  return oneLine(err);
}

/**
 * Submits the snapshot; returns its id, or undefined after one warning. Never throws: the dependency graph
 * is an extra, and the verdict never depends on it.
 */
export async function submitDependencySnapshot(
  octokit: Octokit,
  target: { owner: string; repo: string },
  snapshot: Snapshot,
): Promise<number | undefined> {
  try {
    const r = await octokit.rest.dependencyGraph.createRepositorySnapshot({ ...target, ...snapshot });
    const count = Object.values(snapshot.manifests).reduce((n, m) => n + Object.keys(m.resolved).length, 0);
    core.info(
      `dependency graph: submitted ${count} packages (snapshot ${r.data.id}, ${oneLine(r.data.result)})`,
    );
    return r.data.id;
  } catch (err) {
    core.warning(
      `Slimgate: the image's packages were not sent to the dependency graph: ${failureReason(err)}`,
    );
    return undefined;
  }
}
