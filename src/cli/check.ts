/** `slimgate check`: the policy's verdict on an image, as text, JSON, markdown, SARIF or HTML. */
import { check, checkManifest, sourceBaseline, type CheckRun } from '../engine/engine.js';
import type { Policy } from '../analysis/policy.js';
import { InputError } from '../util/errors.js';
import { renderManifestCheck, platformsVerdictLine, renderCheck } from '../report/text.js';
import { printableLines } from '../util/text.js';
import { parseBuildArgs } from '../sources/build-args.js';
import { flagLabel, resolvePolicy } from '../config/resolve.js';
import { renderComment } from '../report/markdown.js';
import { diffReports } from '../report/diff.js';
import { defaultCommentKey } from '../report/comment-key.js';
import { writeSarif } from '../output/sarif-file.js';
import { writeHtml } from '../output/html-file.js';
import { writeSbom } from '../output/sbom-file.js';
import { checkNoBuildFlags } from './build-flags.js';
import { policyRecordFromFlags } from './policy-flags.js';
import { ttyProgress, type RunOptions } from './access.js';
import type { Flags } from './flags.js';

/** Flag combinations check refuses: each is one usage line, before anything is read. */
function refuseCombinations(values: Flags, o: RunOptions): void {
  if (values.json && values.markdown) throw new InputError('--json and --markdown cannot be used together');
  checkNoBuildFlags(values, 'check');
  if (!values.dockerfile && (values['build-arg']?.length || values.target)) {
    throw new InputError('--build-arg and --target describe the Dockerfile: give it with --dockerfile');
  }
  if (values.write && !values['fix-dockerfile']) throw new InputError('--write goes with --fix-dockerfile');
  if (values['fix-dockerfile']) {
    if (o.platform === 'all')
      throw new InputError(
        '--fix-dockerfile fixes the Dockerfile for one platform: choose it with --platform os/arch',
      );
    if (!values.dockerfile)
      throw new InputError('--fix-dockerfile needs the Dockerfile: give it with --dockerfile');
    if (values.json || values.markdown || values['manifest-only'])
      throw new InputError(
        '--fix-dockerfile prints a diff: it cannot be used with --json, --markdown or --manifest-only',
      );
  }
}

/** `slimgate check`: exit 0 when the policy passes, 1 when it fails, 2 on bad input. */
export async function runCheck(source: string, values: Flags, o: RunOptions): Promise<number> {
  refuseCombinations(values, o);
  const policy = await resolvePolicy(policyRecordFromFlags(values), { label: flagLabel });
  if (values['manifest-only']) return runManifestCheck(source, values, o, policy);
  const dockerfile = values.dockerfile
    ? {
        path: values.dockerfile,
        buildArgs: parseBuildArgs(values['build-arg'] ?? [], process.env),
        ...(values.target ? { target: values.target } : {}),
      }
    : undefined;
  const progress = ttyProgress();
  const engine = {
    concurrency: o.concurrency,
    progress: progress?.update,
    ...o.access,
    ...(values['osv-url'] ? { vulnerabilities: { url: values['osv-url'] } } : {}),
  };
  const run = await check(source, {
    ...engine,
    platform: o.platform,
    policy,
    ...(values.baseline ? { baseline: sourceBaseline(values.baseline, engine) } : {}),
    ...(dockerfile ? { dockerfile } : {}),
  }).finally(() => progress?.clear());
  writeFiles(source, values, run, o.platform === 'all');
  if (o.sbom)
    writeSbom(
      o.sbom.file,
      run.platforms.map((p) => p.report),
      { ...o.sbom, everyPlatform: o.platform === 'all' },
    );
  const [first] = run.platforms;
  if (values['fix-dockerfile'] && dockerfile && first) {
    // Loaded on demand, as the engine loads the Dockerfile parser: most runs never need it.
    const { emitFixes, planFixes } = await import(/* webpackMode: "eager" */ '../output/fix-dockerfile.js');
    emitFixes(planFixes(first.report, dockerfile), values.write === true, process.stdout, process.stderr);
  } else process.stdout.write(printed(values, run, o.platform === 'all'));
  return run.platforms.every((p) => p.report.passed) ? 0 : 1;
}

/** --manifest-only: the budgets the manifests answer, with no layer read. */
async function runManifestCheck(
  source: string,
  values: Flags,
  o: RunOptions,
  policy: Policy,
): Promise<number> {
  if (values.markdown) throw new InputError('--manifest-only prints text or --json, not --markdown');
  if (values.sarif)
    throw new InputError('--sarif needs the full check: it cannot be used with --manifest-only');
  if (values.html)
    throw new InputError('--html needs the full check: it cannot be used with --manifest-only');
  if (o.sbom)
    throw new InputError('--sbom-file needs the full check: it cannot be used with --manifest-only');
  const everyPlatform = o.platform === 'all';
  const all = await checkManifest(source, {
    platform: o.platform,
    ...o.access,
    policy,
    ...(values.baseline ? { baseline: sourceBaseline(values.baseline, o.access) } : {}),
    ...(values.dockerfile ? { dockerfile: { path: values.dockerfile } } : {}),
  });
  const results = all.map((r) => ({ platform: r.summary.platform, passed: r.passed }));
  const json = everyPlatform ? all : all[0];
  process.stdout.write(
    values.json
      ? JSON.stringify(json, null, 2) + '\n'
      : all.map(renderManifestCheck).join('') + (everyPlatform ? platformsVerdictLine(results) : ''),
  );
  return all.every((r) => r.passed) ? 0 : 1;
}

/** --sarif and --html: written whatever the verdict (a failing check is when they are needed most). */
function writeFiles(source: string, values: Flags, run: CheckRun, everyPlatform: boolean): void {
  const { platforms } = run;
  if (values.sarif)
    writeSarif(
      values.sarif,
      platforms.map(({ report }) => ({
        report,
        commentKey: defaultCommentKey(source, report.image.platform),
      })),
      { root: process.cwd(), everyPlatform },
    );
  if (values.html)
    writeHtml(
      values.html,
      platforms.map(({ report, baseline, verdict }) => ({
        report,
        ...(baseline ? { baseline } : {}),
        verdict,
      })),
      { everyPlatform },
    );
}

/** What check prints on stdout: the JSON, the comment's markdown, or the text. */
function printed(values: Flags, run: CheckRun, everyPlatform: boolean): string {
  const { platforms, missing } = run;
  const reports = platforms.map((p) => p.report);
  if (values.json) return JSON.stringify(everyPlatform ? reports : reports[0], null, 2) + '\n';
  if (values.markdown) {
    const baselineSource = platforms.find((p) => p.baseline)?.baselineSource;
    return renderComment(
      platforms.map(({ report, baseline, verdict, baselineNote }) => ({
        report,
        ...(baseline ? { diff: diffReports(baseline, report) } : {}),
        verdict,
        baselineNote,
      })),
      { ...(baselineSource ? { baselineSource } : {}), missing },
    );
  }
  const notes = [
    ...(everyPlatform ? platforms.flatMap((p) => (p.baselineNote ? [`note: ${p.baselineNote}`] : [])) : []),
    ...missing.map(
      (m) => `note: the baseline ${values.baseline ?? ''} also has ${m}, which this image does not`,
    ),
  ];
  const results = reports.map((r) => ({ platform: r.image.platform, passed: r.passed }));
  return (
    platforms.map((p) => renderCheck(p.report, p.baseline)).join('\n') +
    (notes.length ? printableLines(notes) : '') +
    (everyPlatform ? platformsVerdictLine(results) : '')
  );
}
