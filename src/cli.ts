#!/usr/bin/env node
/** The `slimgate` CLI. Exit codes: 0 passed, 1 policy failed, 2 usage or input error. */
import { parseArgs } from 'node:util';
import { check, checkManifest, inspect, inspectBuild, sourceBaseline } from './engine/engine.js';
import { failureLine, InputError, oneLine } from './util/errors.js';
import { parsePlatform, type PlatformChoice } from './sources/platform.js';
import { renderInspect, renderManifestCheck } from './report/text.js';
import { isScanWorker, startScanWorker } from './scan/pool.js';
import { VERSION } from './util/version.js';
import { cancelled, cancelOnSignals } from './util/interrupt.js';
import { escapeControls, printableLines } from './util/text.js';
import { registryOfSource } from './sources/source.js';
import { LayerCache } from './scan/cache.js';
import type { RegistryOptions } from './sources/registry/client.js';
import { REGISTRY_FLAGS, REGISTRY_USAGE, registryOptionsFromFlags } from './cli/registry-flags.js';
import { BUILD_FLAGS, BUILD_USAGE, buildOptionsFromFlags, checkNoBuildFlags } from './cli/build-flags.js';
import { parseReference } from './sources/registry/reference.js';
import { parseBuildArgs } from './sources/build-args.js';
import { flagLabel, resolvePolicy } from './config/resolve.js';
import { CHECK_FLAGS, CHECK_USAGE, checkNoCheckFlags, policyRecordFromFlags } from './cli/policy-flags.js';
import { platformsVerdictLine, renderCheck } from './report/text.js';
import { renderComment } from './report/markdown.js';
import { diffReports } from './report/diff.js';
import { defaultCommentKey } from './report/comment-key.js';
import { writeSarif } from './output/sarif-file.js';
import { writeHtml } from './output/html-file.js';
import { writeSbom } from './output/sbom-file.js';
import { SBOM_FLAGS, SBOM_USAGE, sbomRequest, type SbomRequest } from './cli/sbom-flags.js';

const USAGE = `Usage:
  slimgate inspect SOURCE [--platform os/arch[/variant]|all] [--json] [--sbom-file FILE [--sbom-format F]]
  slimgate check SOURCE [--platform os/arch[/variant]|all] [--baseline SOURCE] [--dockerfile PATH] [--config FILE] [policy flags…] [--json|--markdown]
                 [--sarif FILE] [--html FILE] [--sbom-file FILE [--sbom-format F]] [--fix-dockerfile [--write]]
  slimgate build [--context DIR] [--file PATH] [--target STAGE] [--build-arg K=V]… [--tags T]… [--push] [build options…] [--json]

SOURCE is one of:
  docker://REF                       an image in a registry, read with no daemon (REF as docker pull takes it)
  docker-daemon:REF                  an image in the local Docker engine (docker save, streamed)
  docker-archive:PATH[:REF|@INDEX]   docker save output (legacy or OCI layout; gzip allowed)
  oci-archive:PATH[:REF]             an OCI layout in a tar
  oci:DIR[:REF]                      an OCI layout directory
  PATH                               an existing archive or layout, format sniffed
  REF                                anything else is a registry reference: alpine, ghcr.io/o/app:tag

Options:
  --platform P   os/arch[/variant], or "all" (default linux/amd64, else the only platform)
  --json         print the report JSON (schemaVersion 1) on stdout
  -h, --help     show this help
  -v, --version  show the version

${REGISTRY_USAGE}
${BUILD_USAGE}
${CHECK_USAGE}
${SBOM_USAGE}
Exit codes: 0 passed, 1 policy failed, 2 usage or input error.
`;

/** Progress goes to stderr, and only when it is a terminal: logs and pipes stay clean. */
function ttyProgress(): { update: (m: string) => void; clear: () => void } | undefined {
  if (!process.stderr.isTTY) return undefined;
  return {
    update: (m) => process.stderr.write(`\r\x1b[K${escapeControls(m)}`),
    clear: () => process.stderr.write('\r\x1b[K'),
  };
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        platform: { type: 'string' },
        json: { type: 'boolean', default: false },
        concurrency: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
        ...REGISTRY_FLAGS,
        ...BUILD_FLAGS,
        ...CHECK_FLAGS,
        ...SBOM_FLAGS,
      },
    });
  } catch (err) {
    throw new InputError(`${oneLine(err)} (see slimgate --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`slimgate ${VERSION}\n`);
    return 0;
  }
  const [command, source, ...extra] = positionals;
  if (!command) throw new InputError('no command given (see slimgate --help)');
  if (command !== 'inspect' && command !== 'build' && command !== 'check') {
    throw new InputError(`unknown command "${command}" (see slimgate --help)`);
  }
  if (command === 'build' && source) {
    throw new InputError(`build takes no SOURCE ("${source}"); set the context with --context`);
  }
  if ((command === 'inspect' || command === 'check') && !source) {
    throw new InputError(`${command} needs a SOURCE (see slimgate --help)`);
  }
  if (command === 'inspect') checkNoBuildFlags(values, command);
  if (extra.length) throw new InputError(`unexpected argument "${extra[0]}"`);
  const sbom = sbomRequest(values, command);
  const build = command === 'build' ? buildOptionsFromFlags(values) : undefined;
  // Explicit credentials go to the source's registry only (for build: the registry of the first tag).
  const credentialRegistry = build
    ? build.tags?.[0] !== undefined
      ? parseReference(build.tags[0]).registry
      : undefined
    : registryOfSource(source as string);
  const flags = await registryOptionsFromFlags(values, credentialRegistry);
  // The layer cache is opened once, and serves the image and its baseline.
  const cache = LayerCache.open(flags.cache === false ? { cache: false } : {});
  const access: EngineAccess = { registry: flags.registry, cache: cache ?? false };
  const platform: PlatformChoice =
    values.platform === undefined
      ? undefined
      : values.platform === 'all'
        ? 'all'
        : parsePlatform(values.platform);
  let concurrency: number | undefined;
  if (values.concurrency !== undefined) {
    concurrency = Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
      throw new InputError(`--concurrency must be a whole number from 1 to 64, not "${values.concurrency}"`);
    }
  }
  if (command === 'check') return runCheck(source, values, { platform, concurrency, access, sbom });
  checkNoCheckFlags(values, command);
  const progress = ttyProgress();
  const run = build
    ? inspectBuild(
        { ...build, onLog: (chunk) => process.stderr.write(chunk) },
        { platform, concurrency, progress: progress?.update, ...access },
      ).then((r) => r.reports)
    : inspect(source as string, { platform, concurrency, progress: progress?.update, ...access });
  const reports = await run.finally(() => progress?.clear());
  if (sbom) writeSbom(sbom.file, reports, { ...sbom, everyPlatform: platform === 'all' });
  if (values.json) {
    const doc = platform === 'all' ? reports : reports[0];
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  } else {
    process.stdout.write(reports.map(renderInspect).join('\n'));
  }
  return reports.every((r) => r.passed) ? 0 : 1;
}

/** How the engine reaches images: registry access and the layer cache, opened once. */
interface EngineAccess {
  registry: RegistryOptions;
  cache: LayerCache | false;
}

type Values = Parameters<typeof policyRecordFromFlags>[0] & {
  baseline?: string;
  dockerfile?: string;
  'build-arg'?: string[];
  target?: string;
  json?: boolean;
  markdown?: boolean;
  sarif?: string;
  html?: string;
  'fix-dockerfile'?: boolean;
  write?: boolean;
  [k: string]: unknown;
};

/** `slimgate check`: exit 0 when the policy passes, 1 when it fails, 2 on bad input. */
async function runCheck(
  source: string | undefined,
  values: Values,
  o: {
    platform: PlatformChoice;
    concurrency: number | undefined;
    access: EngineAccess;
    sbom: SbomRequest | undefined;
  },
): Promise<number> {
  if (!source) throw new InputError('check needs a SOURCE (see slimgate --help)');
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
  const policy = await resolvePolicy(policyRecordFromFlags(values), { label: flagLabel });
  const everyPlatform = o.platform === 'all';
  if (values['manifest-only']) {
    if (values.markdown) throw new InputError('--manifest-only prints text or --json, not --markdown');
    if (values.sarif)
      throw new InputError('--sarif needs the full check: it cannot be used with --manifest-only');
    if (values.html)
      throw new InputError('--html needs the full check: it cannot be used with --manifest-only');
    if (o.sbom)
      throw new InputError('--sbom-file needs the full check: it cannot be used with --manifest-only');
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
  const { platforms, missing } = await check(source, {
    ...engine,
    platform: o.platform,
    policy,
    ...(values.baseline ? { baseline: sourceBaseline(values.baseline, engine) } : {}),
    ...(dockerfile ? { dockerfile } : {}),
  }).finally(() => progress?.clear());
  const reports = platforms.map((p) => p.report);
  // Written whatever the verdict: code scanning needs the findings most when the check fails.
  if (values.sarif)
    writeSarif(
      values.sarif,
      reports.map((report) => ({ report, commentKey: defaultCommentKey(source, report.image.platform) })),
      { root: process.cwd(), everyPlatform },
    );
  // --html: the page, whatever the verdict (a failing check is when people look at it).
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
  if (o.sbom) writeSbom(o.sbom.file, reports, { ...o.sbom, everyPlatform });
  const [first] = platforms;
  if (values['fix-dockerfile'] && dockerfile && first) {
    // Loaded on demand, as the engine loads the Dockerfile parser: most runs never need it.
    const { emitFixes, planFixes } = await import(/* webpackMode: "eager" */ './output/fix-dockerfile.js');
    emitFixes(planFixes(first.report, dockerfile), values.write === true, process.stdout, process.stderr);
  } else if (values.json)
    process.stdout.write(JSON.stringify(everyPlatform ? reports : reports[0], null, 2) + '\n');
  else if (values.markdown) {
    const baselineSource = platforms.find((p) => p.baseline)?.baselineSource;
    process.stdout.write(
      renderComment(
        platforms.map(({ report, baseline, verdict, baselineNote }) => ({
          report,
          ...(baseline ? { diff: diffReports(baseline, report) } : {}),
          verdict,
          baselineNote,
        })),
        { ...(baselineSource ? { baselineSource } : {}), missing },
      ),
    );
  } else {
    const notes = [
      ...(everyPlatform ? platforms.flatMap((p) => (p.baselineNote ? [`note: ${p.baselineNote}`] : [])) : []),
      ...missing.map(
        (m) => `note: the baseline ${values.baseline ?? ''} also has ${m}, which this image does not`,
      ),
    ];
    const results = reports.map((r) => ({ platform: r.image.platform, passed: r.passed }));
    process.stdout.write(
      platforms.map((p) => renderCheck(p.report, p.baseline)).join('\n') +
        (notes.length ? printableLines(notes) : '') +
        (everyPlatform ? platformsVerdictLine(results) : ''),
    );
  }
  return reports.every((r) => r.passed) ? 0 : 1;
}

function start(): void {
  // Ctrl-C stops docker save or the build, and removes temp files, before the exit (130, as shells say).
  cancelOnSignals((line) => process.stderr.write(`slimgate: ${line}\n`), 130);
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      // Cancelled: the children were stopped on purpose, and the cancellation is the one line.
      if (cancelled()) return;
      process.stderr.write(`slimgate: ${failureLine(err)}\n`);
      if (process.env['SLIMGATE_DEBUG'] && err instanceof Error) process.stderr.write(`${err.stack}\n`);
      process.exitCode = 2;
    },
  );
}

// The bundle is also its own scan worker (see src/scan/pool.ts).
if (isScanWorker()) startScanWorker();
else start();
