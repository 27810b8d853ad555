/**
 * `.slimgate.yml`: budgets, allowed bases, fail-on, rule overrides and ignored paths, with the same names
 * as the action's inputs. Parsed with `yaml`, validated with a JSON schema (ajv); every error is one line
 * naming the file, the key and what is expected.
 *
 * ```yaml
 * max-size: 25MB
 * max-growth: 10%
 * allowed-bases: [scratch, distroless]
 * fail-on: error            # or new-error: only errors main does not have
 * preset: budgets-only      # judge sizes and growth only (optional)
 * rules:
 *   coreutils: off            # a category
 *   SG320: error              # re-rate a rule
 *   SG501:
 *     ignore-paths: [/app/test-certs/**]
 * ignore-paths:
 *   - /usr/share/zoneinfo/**
 * max-new-vulnerabilities: high   # fail when this PR adds a known vulnerability at high or above
 * waivers:
 *   - { id: CVE-2024-1234, reason: not reachable from our code, until: 2027-01-31 }
 * platforms:                # budgets for one platform, over the ones above (--platform all)
 *   linux/arm64:
 *     max-size: 40MB
 * ```
 */
import { readFile } from 'node:fs/promises';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parseDocument } from 'yaml';
import { parseList } from '../util/list.js';
import { BUDGETS } from '../analysis/budget-table.js';
import { SEVERITIES } from '../analysis/verdict.js';
import { InputError } from '../util/errors.js';
import { formatPlatform, parsePlatform } from '../sources/platform.js';
import type { PolicyPatch } from './merge.js';
import {
  parseBool,
  parseBudgets,
  parseFailOn,
  parseOnOff,
  parsePreset,
  parseRuleKey,
  parseSeverity,
  parseUnchecked,
  parseUntil,
  parseVulnLevel,
} from './values.js';

const valueSchema = { oneOf: [{ type: 'string' }, { type: 'integer', minimum: 0 }] };
const listSchema = { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] };

// Every budget is a string (25MB, 10%, 12) or a whole number (bytes, or a count).
const BUDGET_SCHEMA = Object.fromEntries(BUDGETS.map((b) => [b.name, valueSchema]));

const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...BUDGET_SCHEMA,
    platforms: {
      type: 'object',
      additionalProperties: { type: 'object', additionalProperties: false, properties: BUDGET_SCHEMA },
    },
    'allowed-bases': listSchema,
    'fail-on': { type: 'string' },
    preset: { type: 'string' },
    'ignore-paths': listSchema,
    vulnerabilities: { oneOf: [{ type: 'string' }, { type: 'boolean' }] },
    'max-new-vulnerabilities': { type: 'string' },
    'count-unlinked': { oneOf: [{ type: 'string' }, { type: 'boolean' }] },
    'vulnerabilities-unchecked': { type: 'string' },
    waivers: {
      type: 'array',
      maxItems: 10000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'reason', 'until'],
        properties: {
          id: { type: 'string', minLength: 1 },
          reason: { type: 'string', minLength: 1 },
          until: {},
        },
      },
    },
    rules: {
      type: 'object',
      additionalProperties: {
        oneOf: [
          { type: 'boolean' },
          { type: 'string', enum: ['off', 'on', ...SEVERITIES] },
          {
            type: 'object',
            additionalProperties: false,
            properties: {
              enabled: { type: 'boolean' },
              severity: { type: 'string', enum: SEVERITIES },
              'ignore-paths': listSchema,
            },
          },
        ],
      },
    },
  },
} as const;

// Compiled on first use: compiling costs about 10 ms of start-up, which a run without a config file skips.
let compiled: ValidateFunction | undefined;
const validator = (): ValidateFunction => (compiled ??= new Ajv({ allErrors: true }).compile(CONFIG_SCHEMA));

function where(e: ErrorObject): string {
  const p = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
  return p || '(top level)';
}

/** The most useful single line from ajv's errors (oneOf branches produce several). */
function describe(errors: readonly ErrorObject[]): string {
  const extra = errors.find((e) => e.keyword === 'additionalProperties');
  if (extra) {
    const key = (extra.params as { additionalProperty: string }).additionalProperty;
    const at = where(extra);
    if (at === '(top level)')
      return `unknown key "${key}" (known: ${Object.keys(CONFIG_SCHEMA.properties).join(', ')})`;
    if (at.startsWith('platforms.'))
      return `${at}: unknown key "${key}" (a platform sets budgets only: ${Object.keys(BUDGET_SCHEMA).join(', ')})`;
    return `${at}: unknown key "${key}"`;
  }
  const en = errors.find((e) => e.keyword === 'enum');
  if (en) {
    const allowed = (en.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ');
    return `${where(en)}: must be one of ${allowed}`;
  }
  const e = errors[0] as ErrorObject;
  if (where(e).startsWith('rules.')) return `${where(e)}: must be off, on, error, warning, info, or a map`;
  if (/^platforms(\.[^.]+)?$/.test(where(e)))
    return `${where(e)}: must be a map (platforms: {linux/arm64: {max-size: 40MB}})`;
  return `${where(e)}: ${e.message ?? 'is invalid'}`;
}

type Raw = Record<string, unknown>;

const asList = (v: unknown): string[] =>
  Array.isArray(v) ? (v as string[]).map((s) => String(s).trim()).filter(Boolean) : parseList(String(v));

/** Parses and validates the text of a .slimgate.yml (pure). `file` names it in errors. */
export function parseConfig(text: string, file: string): PolicyPatch {
  const doc = parseDocument(text);
  if (doc.errors.length) {
    const e = doc.errors[0];
    const pos = e?.linePos?.[0];
    const msg = (e?.message.split('\n')[0] ?? 'parse error').replace(/ at line \d+, column \d+:?$/, '');
    throw new InputError(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: not valid YAML: ${msg}`);
  }
  const data: unknown = doc.toJS() ?? {};
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new InputError(`${file}: expected a map of settings (max-size, rules, ignore-paths, …)`);
  }
  const validate = validator();
  if (!validate(data)) throw new InputError(`${file}: ${describe(validate.errors ?? [])}`);
  const raw = data as Raw;
  const label = (k: string): string => `${file}: ${k}`;
  const patch: PolicyPatch = parseBudgets(raw, label);
  if (raw['allowed-bases'] !== undefined) patch.allowedBases = asList(raw['allowed-bases']);
  if (raw['fail-on'] !== undefined) patch.failOn = parseFailOn(raw['fail-on'] as string, label('fail-on'));
  if (raw['preset'] !== undefined) patch.preset = parsePreset(raw['preset'] as string, label('preset'));
  if (raw['ignore-paths'] !== undefined) patch.ignorePaths = asList(raw['ignore-paths']);
  Object.assign(patch, vulnKeys(raw, label));
  if (raw['rules'] !== undefined) {
    patch.rules = {};
    for (const [k, v] of Object.entries(raw['rules'] as Raw)) {
      const key = parseRuleKey(k, label(`rules.${k}`));
      if (v === false || v === 'off') patch.rules[key] = { enabled: false };
      else if (v === true || v === 'on') patch.rules[key] = { enabled: true };
      else if (typeof v === 'string') patch.rules[key] = { severity: parseSeverity(v, label(`rules.${k}`)) };
      else {
        const o = v as Raw;
        patch.rules[key] = {
          ...(o['enabled'] !== undefined ? { enabled: o['enabled'] as boolean } : {}),
          ...(o['severity'] !== undefined
            ? { severity: parseSeverity(o['severity'] as string, label(`rules.${k}.severity`)) }
            : {}),
          ...(o['ignore-paths'] !== undefined ? { ignorePaths: asList(o['ignore-paths']) } : {}),
        };
      }
    }
  }
  if (raw['platforms'] !== undefined) {
    patch.platforms = {};
    for (const [k, v] of Object.entries(raw['platforms'] as Raw)) {
      const key = platformKey(k, label(`platforms.${k}`));
      if (patch.platforms[key]) throw new InputError(`${label(`platforms.${k}`)}: ${key} is set twice`);
      patch.platforms[key] = parseBudgets(v as Raw, (b) => label(`platforms.${k}.${b}`));
    }
  }
  return patch;
}

/** The vulnerability settings and waivers of a config file. */
function vulnKeys(raw: Raw, label: (k: string) => string): PolicyPatch {
  const patch: PolicyPatch = {};
  if (raw['vulnerabilities'] !== undefined)
    patch.vulnerabilities = parseOnOff(raw['vulnerabilities'] as string, label('vulnerabilities'));
  if (raw['max-new-vulnerabilities'] !== undefined)
    patch.maxNewVulnerabilities = parseVulnLevel(
      raw['max-new-vulnerabilities'] as string,
      label('max-new-vulnerabilities'),
    );
  if (raw['count-unlinked'] !== undefined)
    patch.countUnlinked = parseBool(raw['count-unlinked'] as string, label('count-unlinked'));
  if (raw['vulnerabilities-unchecked'] !== undefined)
    patch.vulnerabilitiesUnchecked = parseUnchecked(
      raw['vulnerabilities-unchecked'] as string,
      label('vulnerabilities-unchecked'),
    );
  if (raw['waivers'] !== undefined)
    patch.waivers = (raw['waivers'] as Raw[]).map((w, i) => ({
      id: String(w['id']).trim(),
      reason: String(w['reason']).trim(),
      until: parseUntil(w['until'], label(`waivers.${i}.until`)),
    }));
  return patch;
}

/** `linux/arm64` as --platform takes it, normalised; "all" or a bad string is one line naming the key. */
function platformKey(k: string, label: string): string {
  try {
    if (k !== 'all') return formatPlatform(parsePlatform(k));
  } catch {
    // the line below names the key
  }
  throw new InputError(`${label}: "${k}" is not a platform; write os/arch[/variant], e.g. linux/arm64`);
}

/** Reads and parses a config file; a missing or unreadable file is an InputError naming it. */
export async function loadConfigFile(path: string): Promise<PolicyPatch> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`config ${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  return parseConfig(text, path);
}
