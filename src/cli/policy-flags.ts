/** The CLI's `check` flags: the policy flags share the action inputs' names (src/config/resolve.ts). */
import { givenFlag } from './given-flag.js';
import { usageLine } from './usage.js';
import { InputError } from '../util/errors.js';
import { BUDGETS, valuePlaceholder, type BudgetName } from '../analysis/budget-table.js';

const BUDGET_FLAGS = Object.fromEntries(BUDGETS.map((b) => [b.name, { type: 'string' }])) as Record<
  BudgetName,
  { type: 'string' }
>;

export const CHECK_FLAGS = {
  baseline: { type: 'string' },
  dockerfile: { type: 'string' },
  config: { type: 'string' },
  ...BUDGET_FLAGS,
  'allowed-bases': { type: 'string' },
  'fail-on': { type: 'string' },
  preset: { type: 'string' },
  disable: { type: 'string', multiple: true },
  severity: { type: 'string', multiple: true },
  'ignore-path': { type: 'string', multiple: true },
  vulnerabilities: { type: 'string' },
  'max-new-vulnerabilities': { type: 'string' },
  'count-unlinked': { type: 'string' },
  'vulnerabilities-unchecked': { type: 'string' },
  'osv-url': { type: 'string' },
  markdown: { type: 'boolean', default: false },
  'manifest-only': { type: 'boolean', default: false },
  sarif: { type: 'string' },
  html: { type: 'string' },
  'fix-dockerfile': { type: 'boolean', default: false },
  write: { type: 'boolean', default: false },
} as const;

export const CHECK_USAGE = `Check options (slimgate check):
  --baseline SOURCE       the image to compare with (max-growth), e.g. the main branch's image
  --dockerfile PATH       the Dockerfile the image was built from (base, ARGs, stages, lines)
  --build-arg K=V         a build arg, for ARGs used in FROM (repeatable; with --dockerfile)
  --target STAGE          the stage that was built (default the last; with --dockerfile)
  --config FILE           policy file (default .slimgate.yml or .slimgate.yaml, if present)
${BUDGETS.map((b) => usageLine(`--${b.name} ${valuePlaceholder(b.value)}`, b.usage)).join('\n')}
  --allowed-bases LIST    verdicts and image globs (default scratch,distroless)
  --fail-on LEVEL         error (default), warning, never, or new-error: the ratchet, which fails only
                          on error findings --baseline does not have, and budget breaches (with no
                          baseline it judges as error, and says so)
  --preset budgets-only   judge sizes and growth only; rule findings are reported, not judged
  --disable RULE          turn off a rule id (SG220) or a category (coreutils) (repeatable)
  --severity RULE=LEVEL   re-rate a rule or category: error, warning or info (repeatable)
  --ignore-path GLOB      drop findings on matching image paths (repeatable; env:NAME for ENV)
  --vulnerabilities on|off  look up known vulnerabilities in OSV (default: on with a vulnerability
                          budget); off sends nothing. Only package coordinates are sent
  --max-new-vulnerabilities LEVEL  fail when the image adds one at LEVEL or above (critical, high,
                          medium, low) against --baseline; the baseline's backlog never fails
  --count-unlinked true   count Go entries whose functions are not linked into the binary
  --vulnerabilities-unchecked warn|fail  what an unreachable OSV does with a budget set (default warn)
  --osv-url URL           the OSV API (default https://api.osv.dev, or SLIMGATE_OSV_URL)
  --markdown              print the PR comment body instead of text
  --manifest-only         answer --max-compressed-size and --max-layers from the manifests alone:
                          no layer is downloaded or read (registries and OCI layouts)
  --sarif FILE            also write the findings as SARIF 2.1.0 (for code scanning) to FILE
  --html FILE             also write a self-contained HTML page: a zoomable treemap of the files by
                          layer, this image against --baseline, the layers and the findings (with
                          --platform all, one page per platform: FILE-linux-arm64.html, …)
  --fix-dockerfile        print the one-click fixes to the --dockerfile as a unified diff (git apply)
  --write                 with --fix-dockerfile: apply them to the Dockerfile instead
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
  'osv-url'?: string;
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
