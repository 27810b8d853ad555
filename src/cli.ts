#!/usr/bin/env node
/** The `slimgate` CLI. Exit codes: 0 passed, 1 policy failed, 2 usage or input error. */
import { parseArgs } from 'node:util';
import { inspect } from './engine.js';
import { InputError, oneLine } from './errors.js';
import { parsePlatform, type PlatformChoice } from './image/platform.js';
import { renderInspect } from './report/text.js';
import { isScanWorker, startScanWorker } from './inventory/scan-pool.js';
import { VERSION } from './version.js';

const USAGE = `Usage:
  slimgate inspect SOURCE [--platform os/arch[/variant]|all] [--json]

SOURCE is one of:
  docker-archive:PATH[:REF|@INDEX]   docker save output (legacy or OCI layout; gzip allowed)
  oci-archive:PATH[:REF]             an OCI layout in a tar
  oci:DIR[:REF]                      an OCI layout directory
  PATH                               an existing archive or layout, format sniffed

Options:
  --platform P   os/arch[/variant], or "all" (default linux/amd64, else the only platform)
  --json         print the report JSON (schemaVersion 1) on stdout
  -h, --help     show this help
  -v, --version  show the version

Exit codes: 0 passed, 1 policy failed, 2 usage or input error.
`;

/** Progress goes to stderr, and only when it is a terminal: logs and pipes stay clean. */
function ttyProgress(): { update: (m: string) => void; clear: () => void } | undefined {
  if (!process.stderr.isTTY) return undefined;
  return {
    update: (m) => process.stderr.write(`\r\x1b[K${m}`),
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
  if (command !== 'inspect') throw new InputError(`unknown command "${command}" (see slimgate --help)`);
  if (!source) throw new InputError('inspect needs a SOURCE (see slimgate --help)');
  if (extra.length) throw new InputError(`unexpected argument "${extra[0]}"`);
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
  const progress = ttyProgress();
  const reports = await inspect(source, { platform, concurrency, progress: progress?.update }).finally(() =>
    progress?.clear(),
  );
  if (values.json) {
    const doc = platform === 'all' ? reports : reports[0];
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  } else {
    process.stdout.write(reports.map(renderInspect).join('\n'));
  }
  return reports.every((r) => r.passed) ? 0 : 1;
}

function start(): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      const line = err instanceof InputError ? oneLine(err) : `internal error: ${oneLine(err)}`;
      process.stderr.write(`slimgate: ${line}\n`);
      if (process.env['SLIMGATE_DEBUG'] && err instanceof Error) process.stderr.write(`${err.stack}\n`);
      process.exitCode = 2;
    },
  );
}

// The bundle is also its own scan worker (see src/inventory/scan-pool.ts).
if (isScanWorker()) startScanWorker();
else start();
