/** The CLI's `check` flags: the policy flags share the action inputs' names (see ./inputs.ts). */
import { givenFlag } from './given-flag.js';
import { InputError } from '../util/errors.js';

export const CHECK_FLAGS = {
  baseline: { type: 'string' },
  dockerfile: { type: 'string' },
  config: { type: 'string' },
  'max-size': { type: 'string' },
  'max-compressed-size': { type: 'string' },
  'max-layers': { type: 'string' },
  'max-wasted': { type: 'string' },
  'max-growth': { type: 'string' },
  'allowed-bases': { type: 'string' },
  'fail-on': { type: 'string' },
  preset: { type: 'string' },
  disable: { type: 'string', multiple: true },
  severity: { type: 'string', multiple: true },
  'ignore-path': { type: 'string', multiple: true },
  markdown: { type: 'boolean', default: false },
  'manifest-only': { type: 'boolean', default: false },
  sarif: { type: 'string' },
  'fix-dockerfile': { type: 'boolean', default: false },
  write: { type: 'boolean', default: false },
} as const;

export const CHECK_USAGE = `Check options (slimgate check):
  --baseline SOURCE       the image to compare with (max-growth), e.g. the main branch's image
  --dockerfile PATH       the Dockerfile the image was built from (base, ARGs, stages, lines)
  --build-arg K=V         a build arg, for ARGs used in FROM (repeatable; with --dockerfile)
  --target STAGE          the stage that was built (default the last; with --dockerfile)
  --config FILE           policy file (default .slimgate.yml or .slimgate.yaml, if present)
  --max-size SIZE         uncompressed budget: 25MB (decimal), 24MiB (binary) or bytes
  --max-compressed-size SIZE
  --max-layers N
  --max-wasted SIZE       bytes that later layers delete or overwrite
  --max-growth SIZE|N%    growth against --baseline: 2MB or 10%
  --allowed-bases LIST    verdicts and image globs (default scratch,distroless)
  --fail-on LEVEL         error (default), warning, never, or new-error: the ratchet, which fails only
                          on error findings --baseline does not have, and budget breaches (with no
                          baseline it judges as error, and says so)
  --preset budgets-only   judge sizes and growth only; rule findings are reported, not judged
  --disable RULE          turn off a rule id (SG220) or a category (coreutils) (repeatable)
  --severity RULE=LEVEL   re-rate a rule or category: error, warning or info (repeatable)
  --ignore-path GLOB      drop findings on matching image paths (repeatable; env:NAME for ENV)
  --markdown              print the PR comment body instead of text
  --manifest-only         answer --max-compressed-size and --max-layers from the manifests alone:
                          no layer is downloaded or read (registries and OCI layouts)
  --sarif FILE            also write the findings as SARIF 2.1.0 (for code scanning) to FILE
  --fix-dockerfile        print the one-click fixes to the --dockerfile as a unified diff (git apply)
  --write                 with --fix-dockerfile: apply them to the Dockerfile instead
  Flags override the config file. Rules: docs/rules.md.
`;

export interface CheckFlagValues {
  config?: string;
  'max-size'?: string;
  'max-compressed-size'?: string;
  'max-layers'?: string;
  'max-wasted'?: string;
  'max-growth'?: string;
  'allowed-bases'?: string;
  'fail-on'?: string;
  preset?: string;
  disable?: string[];
  severity?: string[];
  'ignore-path'?: string[];
}

/** The flags as the string record policyFromInputs() and resolvePolicy() take. */
export function policyRecordFromFlags(v: CheckFlagValues): Record<string, string | undefined> {
  return {
    config: v.config,
    'max-size': v['max-size'],
    'max-compressed-size': v['max-compressed-size'],
    'max-layers': v['max-layers'],
    'max-wasted': v['max-wasted'],
    'max-growth': v['max-growth'],
    'allowed-bases': v['allowed-bases'],
    'fail-on': v['fail-on'],
    preset: v.preset,
    'disable-rules': v.disable?.join(','),
    'rule-severity': v.severity?.join(','),
    'ignore-paths': v['ignore-path']?.join('\n'),
  };
}

/** Check flags given to another command are a usage error, not silently ignored. */
export function checkNoCheckFlags(values: Record<string, unknown>, command: string): void {
  const k = givenFlag(values, Object.keys(CHECK_FLAGS));
  if (k) throw new InputError(`--${k} belongs to "slimgate check", not "${command}"`);
}
