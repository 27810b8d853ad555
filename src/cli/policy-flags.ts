/** The CLI's `check` flags: the policy flags share the action inputs' names (src/config/resolve.ts). */
import { givenFlag } from './given-flag.js';
import { helpOf, optionsOf, type FlagRow } from './flag-table.js';
import { InputError } from '../util/errors.js';
import { BUDGETS, valuePlaceholder, type BudgetName } from '../analysis/budget-table.js';

const BUDGET_ROWS = BUDGETS.map(
  (b) => ({ flag: b.name, type: 'string', arg: valuePlaceholder(b.value), usage: b.usage }) as const,
) as readonly { readonly flag: BudgetName; readonly type: 'string'; readonly arg: string; usage: string }[];

/** `slimgate check`'s flags, in the help's order. */
export const CHECK_ROWS = [
  {
    flag: 'baseline',
    type: 'string',
    arg: 'SOURCE',
    usage: "the image to compare with (max-growth), e.g. the main branch's image",
  },
  {
    flag: 'dockerfile',
    type: 'string',
    arg: 'PATH',
    usage: 'the Dockerfile the image was built from (base, ARGs, stages, lines)',
  },
  {
    flag: 'build-arg',
    type: 'string',
    arg: 'K=V',
    usage: 'a build arg, for ARGs used in FROM (repeatable; with --dockerfile)',
    helpOnly: true,
  },
  {
    flag: 'target',
    type: 'string',
    arg: 'STAGE',
    usage: 'the stage that was built (default the last; with --dockerfile)',
    helpOnly: true,
  },
  {
    flag: 'config',
    type: 'string',
    arg: 'FILE',
    usage: 'policy file (default .slimgate.yml or .slimgate.yaml, if present)',
  },
  ...BUDGET_ROWS,
  {
    flag: 'allowed-bases',
    type: 'string',
    arg: 'LIST',
    usage: 'verdicts and image globs (default scratch,distroless)',
  },
  {
    flag: 'fail-on',
    type: 'string',
    arg: 'LEVEL',
    usage:
      'error (default), warning, never, or new-error: the ratchet, which fails only\non error findings --baseline does not have, and budget breaches (with no\nbaseline it judges as error, and says so)',
  },
  {
    flag: 'preset',
    type: 'string',
    arg: 'budgets-only',
    usage: 'judge sizes and growth only; rule findings are reported, not judged',
  },
  {
    flag: 'disable',
    type: 'string',
    multiple: true,
    arg: 'RULE',
    usage: 'turn off a rule id (SG220) or a category (coreutils) (repeatable)',
  },
  {
    flag: 'severity',
    type: 'string',
    multiple: true,
    arg: 'RULE=LEVEL',
    usage: 're-rate a rule or category: error, warning or info (repeatable)',
  },
  {
    flag: 'ignore-path',
    type: 'string',
    multiple: true,
    arg: 'GLOB',
    usage: 'drop findings on matching image paths (repeatable; env:NAME for ENV)',
  },
  {
    flag: 'vulnerabilities',
    type: 'string',
    arg: 'on|off',
    usage:
      'look up known vulnerabilities in OSV (default: on with a vulnerability\nbudget); off sends nothing. Only package coordinates are sent',
  },
  {
    flag: 'max-new-vulnerabilities',
    type: 'string',
    arg: 'LEVEL',
    usage:
      "fail when the image adds one at LEVEL or above (critical, high,\nmedium, low) against --baseline; the baseline's backlog never fails",
  },
  {
    flag: 'count-unlinked',
    type: 'string',
    arg: 'true',
    usage: 'count Go entries whose functions are not linked into the binary',
  },
  {
    flag: 'vulnerabilities-unchecked',
    type: 'string',
    arg: 'warn|fail',
    usage: 'what an unreachable OSV does with a budget set (default warn)',
  },
  {
    flag: 'osv-url',
    type: 'string',
    arg: 'URL',
    usage: 'the OSV API (default https://api.osv.dev, or SLIMGATE_OSV_URL)',
  },
  { flag: 'markdown', type: 'boolean', usage: 'print the PR comment body instead of text' },
  {
    flag: 'manifest-only',
    type: 'boolean',
    usage:
      'answer --max-compressed-size and --max-layers from the manifests alone:\nno layer is downloaded or read (registries and OCI layouts)',
  },
  {
    flag: 'sarif',
    type: 'string',
    arg: 'FILE',
    usage: 'also write the findings as SARIF 2.1.0 (for code scanning) to FILE',
  },
  {
    flag: 'html',
    type: 'string',
    arg: 'FILE',
    usage:
      'also write a self-contained HTML page: a zoomable treemap of the files by\nlayer, this image against --baseline, the layers and the findings (with\n--platform all, one page per platform: FILE-linux-arm64.html, …)',
  },
  {
    flag: 'fix-dockerfile',
    type: 'boolean',
    usage: 'print the one-click fixes to the --dockerfile as a unified diff (git apply)',
  },
  { flag: 'write', type: 'boolean', usage: 'with --fix-dockerfile: apply them to the Dockerfile instead' },
] as const satisfies readonly FlagRow[];

export const CHECK_FLAGS = optionsOf(CHECK_ROWS);

export const CHECK_USAGE = `Check options (slimgate check):
${helpOf(CHECK_ROWS)}
  Flags override the config file. Rules: docs/rules.md.
`;

export type CheckFlagValues = { [K in BudgetName]?: string } & {
  config?: string;
  'allowed-bases'?: string;
  'fail-on'?: string;
  preset?: string;
  disable?: string[];
  severity?: string[];
  'ignore-path'?: string[];
  vulnerabilities?: string;
  'max-new-vulnerabilities'?: string;
  'count-unlinked'?: string;
  'vulnerabilities-unchecked'?: string;
};

/** The flags as the string record policyFromInputs() and resolvePolicy() take. */
export function policyRecordFromFlags(v: CheckFlagValues): Record<string, string | undefined> {
  return {
    config: v.config,
    ...Object.fromEntries(BUDGETS.map((b) => [b.name, v[b.name]])),
    'allowed-bases': v['allowed-bases'],
    'fail-on': v['fail-on'],
    preset: v.preset,
    'disable-rules': v.disable?.join(','),
    'rule-severity': v.severity?.join(','),
    'ignore-paths': v['ignore-path']?.join('\n'),
    vulnerabilities: v.vulnerabilities,
    'max-new-vulnerabilities': v['max-new-vulnerabilities'],
    'count-unlinked': v['count-unlinked'],
    'vulnerabilities-unchecked': v['vulnerabilities-unchecked'],
  };
}

/** Check flags given to another command are a usage error, not silently ignored. */
export function checkNoCheckFlags(values: Record<string, unknown>, command: string): void {
  const k = givenFlag(values, Object.keys(CHECK_FLAGS));
  if (k) throw new InputError(`--${k} belongs to "slimgate check", not "${command}"`);
}
