/**
 * The action's inputs: read, validated and typed in one place. A bad input is an InputError with one
 * line that names the input and says what is accepted.
 *
 * The policy inputs (budgets, allowed bases, fail-on, rules, config) are kept as the strings the user wrote,
 * in `policy`: src/config turns them into a Policy, as it does the CLI's flags of the same names.
 */
import { existsSync, statSync } from 'node:fs';
import type { FailOn } from '../analysis/verdict.js';
import { POLICY_INPUTS as CONFIG_POLICY_INPUTS } from '../config/index.js';
import { parseList } from '../util/list.js';
import { parseFailOn } from '../config/values.js';
import { InputError } from '../util/errors.js';
import { parsePlatform, type PlatformChoice } from '../sources/platform.js';
import { parseReference } from '../sources/registry/reference.js';
import { parseSource, registryOfSource } from '../sources/source.js';
import { defaultDockerfile, type BuildInputs } from '../sources/build-options.js';
import { parseCacheSetting, type CacheSetting } from '../github/actions-cache.js';
import { readBuildInputs } from './build-inputs.js';
import { SBOM_FORMATS, type SbomFormat } from '../output/sbom-file.js';

const SBOM_INPUT = [...SBOM_FORMATS, 'none'] as const;

type Mode = 'check' | 'comment';

export type BaselineInput =
  | { kind: 'auto' }
  | { kind: 'none' }
  /** A JSON report saved by an earlier run (or `slimgate check --json`). */
  | { kind: 'report'; path: string }
  | { kind: 'source'; source: string };

/** How the action reaches registries: the github-token (ghcr.io fallback) and explicit credentials. */
export interface RegistryInputs {
  token: string;
  /** Explicit credentials, for the image's registry (and the baseline's, when it is the same). */
  username: string | undefined;
  password: string | undefined;
  /**
   * The one registry the explicit credentials are sent to: the `image` input's (a registry source), or in
   * build mode the first tag's. Undefined without credentials (and in comment mode, which pulls nothing).
   */
  host: string | undefined;
  insecure: string[];
}

/** The policy inputs as written (empty ones left out), for src/config's resolvePolicy(). */
export type PolicyInputs = Partial<Record<(typeof POLICY_INPUTS)[number], string>>;

/** src/config's inputs, and `config` (the .slimgate.yml to read). */
export const POLICY_INPUTS = [...CONFIG_POLICY_INPUTS, 'config'] as const;

export interface ActionInputs {
  mode: Mode;
  /** The image source; empty in build mode (then `build` is set) and in comment mode. */
  image: string;
  /** Set when `image` listed several tags of one image and the first was taken. */
  imageNote?: string;
  /** `all`: every platform of the image (or of the build), each against its own budgets. */
  platform: PlatformChoice;
  build: BuildInputs | undefined;
  /** A Dockerfile to read for base detection and annotations: build mode's `file`, or the `dockerfile` input. */
  dockerfile: string | undefined;
  baseline: BaselineInput;
  policy: PolicyInputs;
  failOn: FailOn;
  comment: boolean;
  /** Empty: the default, the image and its platform. */
  commentKey: string;
  token: string;
  registry: RegistryInputs;
  overrideLabel: string | undefined;
  /** The Actions cache: main's report and (up to a size) its layer scans. */
  cache: CacheSetting;
  /** Comment mode: the report directory (or one `report.json`) written by a check run. */
  report: string | undefined;
  /** Check mode: where to write the SARIF log; undefined: none. */
  sarif: string | undefined;
  /** Check mode on a PR: one-click fixes to the Dockerfile as a review (and in the comment). */
  suggestions: boolean;
  /** Check mode: the HTML report, written and uploaded as a workflow artifact that the comment links. */
  html: boolean;
  /** The OSV API's base URL; undefined: SLIMGATE_OSV_URL or api.osv.dev. */
  osvUrl: string | undefined;
  /** Check mode: the SBOM written beside report.json and put in the same artifact (`none`: no SBOM). */
  sbomFormat: SbomFormat | 'none';
  /** Check mode, on pushes to the default branch: the packages sent to GitHub's dependency graph. */
  dependencySnapshot: boolean;
}

/** Reads one input (`core.getInput`'s contract: INPUT_NAME, spaces as underscores, upper case). */
export type InputReader = (name: string) => string;

export function envInputs(env: NodeJS.ProcessEnv = process.env): InputReader {
  return (name) => (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

/** `true`/`false` as YAML 1.2 core schema spells them, the way core.getBooleanInput reads them. */
function parseBoolean(name: string, value: string, dflt: boolean): boolean {
  if (value === '') return dflt;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new InputError(`input "${name}" must be true or false, not "${value}"`);
}

/**
 * The `image` input. docker/metadata-action's `tags` output is a newline (or comma) list of tags naming
 * one image; it is handed over as is, so the first tag is checked and `note` says so. Tags of different
 * images are an error: one check cannot stand for them.
 */
function imageInput(value: string): { image: string; note?: string } {
  const items = parseList(value);
  if (items.length <= 1) return { image: items[0] ?? '' };
  const first = items[0] as string;
  const nameOf = (s: string): string | undefined => {
    const src = parseSource(s);
    if (src.kind !== 'registry') return undefined;
    const r = parseReference(src.ref);
    return `${r.registry}/${r.repository}`;
  };
  const name = nameOf(first);
  const others = items.slice(1).filter((s) => name === undefined || nameOf(s) !== name);
  if (others.length) {
    throw new InputError(
      `input "image" lists ${items.length} images (${items.slice(0, 3).join(', ')}${items.length > 3 ? ', …' : ''}); give one image, or tags of one image`,
    );
  }
  return {
    image: first,
    note: `input "image" lists ${items.length} tags of one image (as docker/metadata-action writes them); checking the first, ${first}`,
  };
}

/**
 * `auto` (the default), `none`, a path to a JSON report (ends in `.json`), or a source. A `.json` path that
 * does not exist is an error: a typo there would otherwise silently mean "no baseline".
 */
export function parseBaseline(value: string, cwd = process.cwd()): BaselineInput {
  const v = value.trim();
  if (v === '' || v === 'auto') return { kind: 'auto' };
  if (v === 'none' || v === 'false') return { kind: 'none' };
  if (/\.json$/i.test(v) && !/^[a-z-]+:/.test(v)) {
    const path = v.startsWith('/') ? v : `${cwd}/${v}`;
    if (!existsSync(path) || !statSync(path).isFile())
      throw new InputError(`input "baseline": the report ${v} does not exist`);
    return { kind: 'report', path };
  }
  return { kind: 'source', source: v };
}

/**
 * The registry that registry-username/-password belong to: the image's when it is a registry source, or
 * the first build tag's. Never the baseline's: a baseline on another registry must not get the password.
 */
function credentialHost(image: string, build: BuildInputs | undefined): string {
  const host = image
    ? registryOfSource(image)
    : build?.tags[0] !== undefined
      ? parseReference(build.tags[0]).registry
      : undefined;
  if (!host)
    throw new InputError(
      'inputs "registry-username"/"registry-password" need a registry image (docker://…) or build "tags" to apply to',
    );
  return host;
}

export function readInputs(
  get: InputReader = envInputs(),
  cwd = process.cwd(),
  mask?: (secret: string) => void,
): ActionInputs {
  const modeRaw = get('mode') || 'check';
  if (modeRaw !== 'check' && modeRaw !== 'comment')
    throw new InputError(`input "mode" must be check or comment, not "${modeRaw}"`);
  const mode: Mode = modeRaw;

  const token = get('github-token');
  const report = get('report') || undefined;
  const sarif = get('sarif') || undefined;
  const suggestions = parseBoolean('suggestions', get('suggestions'), true);
  const html = parseBoolean('html', get('html'), true);
  const osvUrl = get('osv-url') || undefined;
  const sbomFormat = SBOM_INPUT.find((f) => f === (get('sbom-format') || 'cyclonedx-json'));
  if (!sbomFormat)
    throw new InputError(`input "sbom-format" must be ${SBOM_INPUT.join(', ')}, not "${get('sbom-format')}"`);
  const dependencySnapshot = parseBoolean('dependency-snapshot', get('dependency-snapshot'), false);
  const comment = parseBoolean('comment', get('comment'), true);
  const commentKey = get('comment-key');
  if (/[\r\n]/.test(commentKey)) throw new InputError('input "comment-key" must be one line');
  const overrideLabel = get('override-label') || undefined;
  const username = get('registry-username') || undefined;
  const password = get('registry-password') || undefined;
  if (!username !== !password)
    throw new InputError(
      'inputs "registry-username" and "registry-password" go together: set both or neither',
    );
  const registry: RegistryInputs = {
    token,
    username,
    password,
    host: undefined,
    insecure: parseList(get('insecure-registries')),
  };

  const policy: PolicyInputs = {};
  for (const name of POLICY_INPUTS) {
    // action.yml leaves these defaults empty, so an input that is set was set by the workflow and beats
    // .slimgate.yml, even when it equals the default (src/config applies the defaults).
    const v = get(name);
    if (v !== '') policy[name] = v;
  }
  const failOn = parseFailOn(policy['fail-on'] || 'error', 'input "fail-on"');
  // Shared by both modes; `registry.host` is filled in below, once the image or build tags are known.
  const cache = parseCacheSetting(get('cache'));
  const common = {
    policy,
    failOn,
    comment,
    commentKey,
    token,
    registry,
    overrideLabel,
    report,
    sarif,
    suggestions,
    cache,
    html,
    osvUrl,
    sbomFormat,
    dependencySnapshot,
  };

  if (mode === 'comment') {
    if (!report)
      throw new InputError(
        'input "report" is required in comment mode: the directory that the check job uploaded',
      );
    return {
      mode,
      image: '',
      platform: undefined,
      build: undefined,
      dockerfile: undefined,
      baseline: { kind: 'none' },
      ...common,
    };
  }

  const { image, note: imageNote } = imageInput(get('image'));
  const build = readBuildInputs(get, parseBoolean, mask);
  if (build?.push && !build.tags.length) throw new InputError('input "push" needs "tags" to push to');
  if (!image && !build)
    throw new InputError(
      'input "image" is required (a source such as docker-archive:app.tar or docker://ghcr.io/o/app:tag), ' +
        'or "context" to build the image',
    );
  if (image && build) throw new InputError('give either "image" or "context" (build mode), not both');

  if (username) registry.host = credentialHost(image, build);

  const p = get('platform');
  let platform: PlatformChoice;
  try {
    platform = p === 'all' ? 'all' : p ? parsePlatform(p) : undefined;
  } catch {
    throw new InputError(`input "platform" must be os/arch[/variant] or all, e.g. linux/amd64, not "${p}"`);
  }

  const dockerfile = build
    ? (build.file ?? defaultDockerfile(build.context))
    : get('dockerfile') || undefined;

  return {
    mode,
    image,
    ...(imageNote ? { imageNote } : {}),
    platform,
    build,
    dockerfile,
    baseline: parseBaseline(get('baseline'), cwd),
    ...common,
  };
}
