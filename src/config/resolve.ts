/**
 * Policy from string inputs: the action's inputs (`core.getInput` values) and the CLI's flags use the same
 * names. An empty string means "not set". Errors are InputErrors that name the input.
 *
 * | input                 | example                              |
 * | --------------------- | ------------------------------------ |
 * | `max-size`            | `25MB` (uncompressed)                |
 * | `max-compressed-size` | `10MB`                               |
 * | `max-layers`          | `12`                                 |
 * | `max-wasted`          | `5MB`                                |
 * | `max-growth`          | `10%` or `2MB`                       |
 * | `allowed-bases`       | `scratch,distroless,gcr.io/myorg/*`  |
 * | `fail-on`             | `error`, `warning`, `new-error`, `never` |
 * | `preset`              | `budgets-only` (or `default`)        |
 * | `disable-rules`       | `SG220,coreutils`                    |
 * | `rule-severity`       | `SG320=error, waste=info`            |
 * | `ignore-paths`        | `/usr/share/zoneinfo/**` (one a line)|
 * | `vulnerabilities`     | `on` or `off` (default: on when a vulnerability budget is set) |
 * | `max-new-vulnerabilities` | `high`: fail when this PR adds one at high or above |
 * | `count-unlinked`      | `true`: Go entries judged not linked count too |
 * | `vulnerabilities-unchecked` | `warn` (default) or `fail`     |
 * | `config`              | `.slimgate.yml` (the default, if it exists) |
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { BUDGET_NAMES } from '../analysis/budget-table.js';
import type { Policy } from '../analysis/policy.js';
import { parseList } from '../util/list.js';
import { InputError } from '../util/errors.js';
import { loadConfigFile } from './file.js';
import { mergePolicy, type PolicyPatch } from './merge.js';
import {
  parseBool,
  parseBudgets,
  parseFailOn,
  parseOnOff,
  parsePreset,
  parseRuleKey,
  parseSeverity,
  parseUnchecked,
  parseVulnLevel,
} from './values.js';

export const POLICY_INPUTS = [
  ...BUDGET_NAMES,
  'allowed-bases',
  'fail-on',
  'preset',
  'disable-rules',
  'rule-severity',
  'ignore-paths',
  'vulnerabilities',
  'max-new-vulnerabilities',
  'count-unlinked',
  'vulnerabilities-unchecked',
] as const;

type PolicyInputName = (typeof POLICY_INPUTS)[number];
/** String inputs by name (an empty string or undefined is "not set"); `config` names the policy file. */
export type PolicyInputRecord = { readonly [K in PolicyInputName | 'config']?: string | undefined };

export type Label = (input: string) => string;

const actionLabel: Label = (name) => `input "${name}"`;
const FLAG_NAMES: Record<string, string> = {
  'disable-rules': 'disable',
  'rule-severity': 'severity',
  'ignore-paths': 'ignore-path',
};
export const flagLabel: Label = (name) => `--${FLAG_NAMES[name] ?? name}`;

/** Splits globs at newlines and at commas outside braces ({a,b} stays whole). */
export function splitGlobs(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (const c of value) {
    if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
    if (c === '\n' || (c === ',' && depth === 0)) {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** Turns string inputs (the action's, or the CLI's flags under the same names) into a policy patch. */
export function policyFromInputs(record: PolicyInputRecord, label: Label = actionLabel): PolicyPatch {
  const get = (k: PolicyInputName): string | undefined => {
    const v = record[k];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const patch: PolicyPatch = parseBudgets(Object.fromEntries(BUDGET_NAMES.map((k) => [k, get(k)])), label);
  let v: string | undefined;
  if ((v = get('allowed-bases'))) patch.allowedBases = parseList(v);
  if ((v = get('fail-on'))) patch.failOn = parseFailOn(v, label('fail-on'));
  if ((v = get('preset'))) patch.preset = parsePreset(v, label('preset'));
  if ((v = get('ignore-paths'))) patch.ignorePaths = splitGlobs(v);
  if ((v = get('vulnerabilities'))) patch.vulnerabilities = parseOnOff(v, label('vulnerabilities'));
  if ((v = get('max-new-vulnerabilities')))
    patch.maxNewVulnerabilities = parseVulnLevel(v, label('max-new-vulnerabilities'));
  if ((v = get('count-unlinked'))) patch.countUnlinked = parseBool(v, label('count-unlinked'));
  if ((v = get('vulnerabilities-unchecked')))
    patch.vulnerabilitiesUnchecked = parseUnchecked(v, label('vulnerabilities-unchecked'));
  const rules: NonNullable<PolicyPatch['rules']> = {};
  if ((v = get('disable-rules'))) {
    for (const k of parseList(v)) rules[parseRuleKey(k, label('disable-rules'))] = { enabled: false };
  }
  if ((v = get('rule-severity'))) {
    for (const item of parseList(v)) {
      const eq = item.indexOf('=');
      if (eq <= 0)
        throw new InputError(`${label('rule-severity')}: "${item}" must be RULE=LEVEL, e.g. SG320=error`);
      const key = parseRuleKey(item.slice(0, eq), label('rule-severity'));
      rules[key] = { ...rules[key], severity: parseSeverity(item.slice(eq + 1), label('rule-severity')) };
    }
  }
  if (Object.keys(rules).length) patch.rules = rules;
  return patch;
}

const DEFAULT_CONFIG_FILES = ['.slimgate.yml', '.slimgate.yaml'];

/**
 * The policy to apply: defaults, then the config file, then the inputs. The file is the `config` input
 * (resolved against `cwd`), or `.slimgate.yml` / `.slimgate.yaml` in `cwd` when that input is empty.
 * This is what the action calls with its inputs: `resolvePolicy(inputs, { cwd: GITHUB_WORKSPACE })`.
 */
export async function resolvePolicy(
  record: PolicyInputRecord,
  opts: { cwd?: string; label?: Label } = {},
): Promise<Policy> {
  const label = opts.label ?? actionLabel;
  const cwd = opts.cwd ?? process.cwd();
  const inputs = policyFromInputs(record, label); // validate inputs before touching files
  const named = record['config']?.trim();
  let file: PolicyPatch | undefined;
  if (named) {
    const path = isAbsolute(named) ? named : join(cwd, named);
    if (!existsSync(path)) throw new InputError(`${label('config')}: ${named} does not exist`);
    file = await loadConfigFile(path);
  } else {
    const found = DEFAULT_CONFIG_FILES.map((f) => join(cwd, f)).find((p) => existsSync(p));
    if (found) file = await loadConfigFile(found);
  }
  return mergePolicy(file, inputs);
}
