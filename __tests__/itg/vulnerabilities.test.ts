// Known vulnerabilities of a real image against the OSV API double: a rootfs with this Debian host's
// os-release and its dpkg database for a few packages, imported into the test world's Docker and saved. The
// versions are dpkg-query's; the records are written here around them (affected at the installed source
// version, fixed at it, withdrawn, another release), so what must be found is known from the host alone.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkImage } from '../helpers/check.js';
import { startOsvDouble, type OsvDouble } from '../helpers/osv-double.js';
import { mergePolicy } from '../../src/config/merge.js';
import { LayerCache } from '../../src/scan/cache.js';
import type { OsvRecord } from '../../src/vulns/records.js';
import { docker, run } from '../helpers/world.js';

const CHOSEN = ['bash', 'coreutils'];
/** The image has no command: its entrypoint findings are not what these tests judge. */
const NO_ENTRYPOINT = { entrypoint: { enabled: false } };

interface Installed {
  name: string;
  version: string;
  source: string;
  sourceVersion: string;
}

function installed(pkg: string): Installed {
  const out = execFileSync(
    'dpkg-query',
    ['-W', '-f', '${Package}|${Version}|${source:Package}|${source:Version}', pkg],
    {
      encoding: 'utf8',
    },
  );
  const [name, version, source, sourceVersion] = out.split('|') as [string, string, string, string];
  return { name, version, source, sourceVersion };
}

/** The host's release, as OSV names Debian's. */
function release(): string {
  const text = readFileSync('/etc/os-release', 'utf8');
  return /^VERSION_ID="?(\d+)/m.exec(text)?.[1] as string;
}

function recordsFor(pkgs: readonly Installed[], rel: string): OsvRecord[] {
  const eco = `Debian:${rel}`;
  const at = (
    id: string,
    name: string,
    events: Record<string, string>[],
    extra: Partial<OsvRecord> = {},
  ): OsvRecord => ({
    id,
    modified: '2026-11-01T00:00:00Z',
    affected: [{ package: { ecosystem: eco, name }, ranges: [{ type: 'ECOSYSTEM', events }] }],
    ...extra,
  });
  return pkgs.flatMap((p, i) => [
    // Affected: the installed source version is the last affected one.
    at(`DEBIAN-CVE-2026-9${i}01`, p.source, [{ introduced: '0' }, { last_affected: p.sourceVersion }], {
      upstream: [`CVE-2026-9${i}01`],
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
    }),
    // Fixed at the installed version: not an entry.
    at(`DEBIAN-CVE-2026-9${i}02`, p.source, [{ introduced: '0' }, { fixed: p.sourceVersion }]),
    // Withdrawn: not an entry.
    { ...at(`DEBIAN-CVE-2026-9${i}03`, p.source, [{ introduced: '0' }]), withdrawn: '2026-10-01T00:00:00Z' },
  ]);
}

let work = '';
let archive = '';
let osv: OsvDouble;
let pkgs: Installed[];
const tags: string[] = [];

beforeAll(async () => {
  pkgs = CHOSEN.map(installed);
  osv = await startOsvDouble({ records: recordsFor(pkgs, release()) });
  work = mkdtempSync(path.join(tmpdir(), 'slimgate-vulns-'));
  const root = path.join(work, 'rootfs');
  mkdirSync(path.join(root, 'etc'), { recursive: true });
  mkdirSync(path.join(root, 'var/lib/dpkg/info'), { recursive: true });
  cpSync('/etc/os-release', path.join(root, 'etc/os-release'), { dereference: true });
  // The status stanzas of the chosen packages, as the host's dpkg database has them.
  const status = readFileSync('/var/lib/dpkg/status', 'utf8')
    .split('\n\n')
    .filter((s) => CHOSEN.some((c) => s.startsWith(`Package: ${c}\n`)));
  writeFileSync(path.join(root, 'var/lib/dpkg/status'), status.join('\n\n') + '\n');
  for (const c of CHOSEN)
    cpSync(`/var/lib/dpkg/info/${c}.list`, path.join(root, `var/lib/dpkg/info/${c}.list`));
  const tag = `sg-vulns-${process.pid}:1`;
  tags.push(tag);
  const tarball = run('tar', ['-C', root, '--sort=name', '--numeric-owner', '-c', '.']).stdoutBuffer;
  docker(['import', '-', tag], { input: tarball, timeout: 180_000 });
  archive = path.join(work, 'image.tar');
  docker(['save', '-o', archive, tag], { timeout: 180_000 });
}, 600_000);

afterAll(async () => {
  for (const t of tags) docker(['rmi', '--force', t], { allowFailure: true });
  await osv?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('a Debian image from this host', () => {
  it('finds each package’s affected record by source package and release, and only those', async () => {
    osv.reset();
    const p = await checkImage(`docker-archive:${archive}`, {
      cache: false,
      policy: mergePolicy({ maxNewVulnerabilities: 'high', rules: NO_ENTRYPOINT }),
      vulnerabilities: { url: osv.url },
    });
    const found = p.report.findings
      .filter((f) => f.vulnerability)
      .map((f) => [
        f.vulnerability?.package.name,
        f.vulnerability?.package.version,
        f.vulnerability?.ids.join(' '),
      ]);
    expect(found.sort()).toEqual(
      pkgs.map((x, i) => [x.source, x.sourceVersion, `CVE-2026-9${i}01 DEBIAN-CVE-2026-9${i}01`]).sort(),
    );
    expect(p.report.vulnerabilities).toMatchObject({
      checked: true,
      total: CHOSEN.length,
      counts: { critical: CHOSEN.length },
    });
    // No baseline: every entry is new, and critical is above high.
    expect(p.verdict).toMatchObject({ blocking: true, judgedErrors: CHOSEN.length });
    // The queries carried the release and the source coordinates only.
    const queries = osv.requests.flatMap((r) =>
      r.path === 'querybatch' ? (r.body as { queries: unknown[] }).queries : [],
    );
    expect(queries).toContainEqual({
      package: { ecosystem: `Debian:${release()}`, name: 'bash' },
      version: pkgs[0]?.sourceVersion,
    });
  });

  it('against itself as the baseline (main’s backlog) it passes; SLIMGATE_OSV_URL names the endpoint', async () => {
    process.env['SLIMGATE_OSV_URL'] = osv.url;
    try {
      const p = await checkImage(`docker-archive:${archive}`, {
        cache: false,
        policy: mergePolicy({ maxNewVulnerabilities: 'low', rules: NO_ENTRYPOINT }),
        baseline: `docker-archive:${archive}`,
      });
      expect(p.baseline?.vulnerabilities).toMatchObject({ checked: true, total: CHOSEN.length });
      expect(p.verdict).toMatchObject({ blocking: false, status: 'warn', judgedErrors: 0 });
      expect(p.verdict.debt).toHaveLength(CHOSEN.length);
    } finally {
      delete process.env['SLIMGATE_OSV_URL'];
    }
  });

  it('a second run on the unchanged image makes no request: answers are kept in the layer cache’s folder', async () => {
    const dir = path.join(work, 'cache');
    const opts = () => ({
      cache: LayerCache.open({ cache: dir }) ?? false,
      policy: mergePolicy({ vulnerabilities: 'on' }),
      vulnerabilities: { url: osv.url },
    });
    osv.reset();
    const first = await checkImage(`docker-archive:${archive}`, opts());
    expect(osv.count('vulns')).toBeGreaterThan(0);
    osv.reset();
    const second = await checkImage(`docker-archive:${archive}`, opts());
    expect(osv.requests).toEqual([]);
    expect(second.report.vulnerabilities).toEqual(first.report.vulnerabilities);
  });
});
