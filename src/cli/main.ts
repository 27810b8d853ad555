/** The `slimgate` CLI: the command line to one command's run. Exit codes: 0 passed, 1 failed, 2 usage. */
import { InputError } from '../util/errors.js';
import { VERSION } from '../util/version.js';
import { buildOptionsFromFlags, checkNoBuildFlags } from './build-flags.js';
import { checkNoCheckFlags } from './policy-flags.js';
import { commandOf, parseCommandLine, USAGE } from './flags.js';
import { runOptions } from './access.js';
import { runCheck } from './check.js';
import { runInspect } from './inspect.js';
import { sbomRequest } from './sbom-flags.js';

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv);
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`slimgate ${VERSION}\n`);
    return 0;
  }
  const { command, source } = commandOf(positionals);
  if (command === 'inspect') checkNoBuildFlags(values, command);
  const build = command === 'build' ? buildOptionsFromFlags(values) : undefined;
  const sbom = sbomRequest(values, command);
  const o = { ...(await runOptions(values, source, build)), ...(sbom ? { sbom } : {}) };
  if (command === 'check') {
    if (!source) throw new InputError('check needs a SOURCE (see slimgate --help)');
    return runCheck(source, values, o);
  }
  checkNoCheckFlags(values, command);
  return runInspect(source, build, values, o);
}
