// The vulnerability look-up's bench: 1,000 packages against the OSV API double (__tests__/helpers/osv-double.ts,
// compiled here with tsc next to the look-up it measures), cold (an empty cache: every query and record asked)
// and warm (the one-day cache in place: nothing asked). Prints wall times and request counts; the targets are
// ≤ 2 batch queries cold and ≤ 1 s warm.
//
//   node scripts/bench-vulns.mjs        (npm run bench runs it after the scan benches)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = 1000;

/** The double and the look-up, compiled once into .bench/osv (both from this checkout). */
function compile(out) {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(
    process.execPath,
    [
      tsc,
      ...['--outDir', out, '--rootDir', root, '--module', 'NodeNext', '--moduleResolution', 'NodeNext'],
      ...['--target', 'ES2022', '--esModuleInterop', '--skipLibCheck', '--types', 'node', '--ignoreConfig'],
      join(root, '__tests__', 'helpers', 'osv-double.ts'),
      join(root, 'src', 'vulns', 'lookup.ts'),
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`tsc: ${r.stdout}${r.stderr}`);
}

export async function vulnBench(benchDir) {
  const out = join(benchDir, 'osv');
  compile(out);
  const { startOsvDouble } = await import(
    pathToFileURL(join(out, '__tests__', 'helpers', 'osv-double.js')).href
  );
  const { lookUpReport } = await import(pathToFileURL(join(out, 'src', 'vulns', 'lookup.js')).href);
  const { OsvClient } = await import(pathToFileURL(join(out, 'src', 'vulns', 'client.js')).href);
  // One package in ten has a record, and one in twenty a second one that aliases nothing.
  const records = [];
  for (let i = 0; i < PACKAGES; i += 10) {
    const affected = [
      {
        package: { ecosystem: 'npm', name: `bench-${i}` },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.1' }] }],
      },
    ];
    records.push({
      id: `GHSA-bench-${i}`,
      modified: '2026-11-01T00:00:00Z',
      aliases: [`CVE-2026-${10000 + i}`],
      affected,
    });
    if (i % 20 === 0) records.push({ id: `GHSA-bench-${i}-b`, modified: '2026-11-01T00:00:00Z', affected });
  }
  const osv = await startOsvDouble({ records });
  const cacheDir = mkdtempSync(join(tmpdir(), 'slimgate-osv-bench-'));
  const report = {
    base: { verdict: 'scratch', image: null, evidence: [] },
    packages: Array.from({ length: PACKAGES }, (_, i) => ({
      manager: 'npm',
      name: `bench-${i}`,
      version: '1.0.0',
      size: 0,
      files: 0,
    })),
    binaries: [],
  };
  try {
    const runOnce = async () => {
      osv.reset();
      const client = new OsvClient({ url: osv.url });
      const t0 = process.hrtime.bigint();
      const got = await lookUpReport(report, { client, cacheDir });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (!got.checked) throw new Error(`look-up not checked: ${got.reason}`);
      return { ms, hits: got.hits.length, batches: osv.count('querybatch'), details: osv.count('vulns') };
    };
    const cold = await runOnce();
    const warm = await runOnce();
    const row = (label, r, target) =>
      console.log(
        `${label.padEnd(44)} ${`${r.ms.toFixed(0)} ms`.padStart(9)}  ${r.batches} batch, ${r.details} detail requests, ${r.hits} entries  ${target}`,
      );
    row(`vulnerabilities: ${PACKAGES} packages, cold`, cold, 'target ≤ 2 batch queries');
    row(`vulnerabilities: ${PACKAGES} packages, warm cache`, warm, 'target ≤ 1 s, no request');
  } finally {
    await osv.stop();
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await vulnBench(process.env.BENCH_DIR || join(root, '.bench'));
}
