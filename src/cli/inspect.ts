/** `slimgate inspect` and `slimgate build`: the report, judged by the defaults, as text or JSON. */
import { inspect, inspectBuild } from '../engine/engine.js';
import { renderInspect } from '../report/text.js';
import type { BuildOptions } from '../sources/docker-build.js';
import { ttyProgress, type RunOptions } from './access.js';
import type { Flags } from './flags.js';
import { writeSbom } from '../output/sbom-file.js';

export async function runInspect(
  source: string | undefined,
  build: BuildOptions | undefined,
  values: Flags,
  o: RunOptions,
): Promise<number> {
  const { platform, concurrency, access } = o;
  const progress = ttyProgress();
  const run = build
    ? inspectBuild(
        { ...build, onLog: (chunk) => process.stderr.write(chunk) },
        { platform, concurrency, progress: progress?.update, ...access },
      ).then((r) => r.reports)
    : inspect(source as string, { platform, concurrency, progress: progress?.update, ...access });
  const reports = await run.finally(() => progress?.clear());
  if (o.sbom) writeSbom(o.sbom.file, reports, { ...o.sbom, everyPlatform: platform === 'all' });
  if (values.json) {
    const doc = platform === 'all' ? reports : reports[0];
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  } else {
    process.stdout.write(reports.map(renderInspect).join('\n'));
  }
  return reports.every((r) => r.passed) ? 0 : 1;
}
