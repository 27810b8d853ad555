/**
 * The command line: every flag of every command, from the tables (common, registry, build, check), parsed
 * once into typed values. Which command takes which flag is checked where the command runs.
 */
import { parseArgs } from 'node:util';
import { InputError, oneLine } from '../util/errors.js';
import { helpOf, optionsOf, type FlagRow } from './flag-table.js';
import { REGISTRY_FLAGS, REGISTRY_ROWS, REGISTRY_USAGE } from './registry-flags.js';
import { BUILD_FLAGS, BUILD_USAGE } from './build-flags.js';
import { CHECK_FLAGS, CHECK_ROWS, CHECK_USAGE } from './policy-flags.js';
import { SBOM_FLAGS, SBOM_ROWS, SBOM_USAGE } from './sbom-flags.js';

/** The flags every command takes. */
const COMMON_ROWS = [
  {
    flag: 'platform',
    type: 'string',
    arg: 'P',
    usage: 'os/arch[/variant], or "all" (default linux/amd64, else the only platform)',
  },
  { flag: 'json', type: 'boolean', usage: 'print the report JSON (schemaVersion 1) on stdout' },
] as const satisfies readonly FlagRow[];

/** Every row of the tables declared here (the build flags' table is src/sources/build-options.ts). */
export const FLAG_ROWS: readonly FlagRow[] = [...COMMON_ROWS, ...REGISTRY_ROWS, ...CHECK_ROWS, ...SBOM_ROWS];

const OPTIONS = {
  ...optionsOf(COMMON_ROWS),
  concurrency: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'v', default: false },
  ...REGISTRY_FLAGS,
  ...BUILD_FLAGS,
  ...CHECK_FLAGS,
  ...SBOM_FLAGS,
} as const;

export const USAGE = `Usage:
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
${helpOf(COMMON_ROWS)}
  -h, --help              show this help
  -v, --version           show the version

${REGISTRY_USAGE}
${BUILD_USAGE}
${CHECK_USAGE}
${SBOM_USAGE}
Exit codes: 0 passed, 1 policy failed, 2 usage or input error.
`;

type Parsed = ReturnType<
  typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof OPTIONS }>
>;

/** Every flag's value, typed by its table row. */
export type Flags = Parsed['values'];

export type Command = 'inspect' | 'check' | 'build';

/** The command line as values; a flag parseArgs refuses is a usage error. */
export function parseCommandLine(argv: string[]): { values: Flags; positionals: string[] } {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (err) {
    throw new InputError(`${oneLine(err)} (see slimgate --help)`);
  }
}

/** The command and its SOURCE, with the refusals every command shares. */
export function commandOf(positionals: string[]): { command: Command; source: string | undefined } {
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
  if (extra.length) throw new InputError(`unexpected argument "${extra[0]}"`);
  return { command, source };
}
