/**
 * docker/build-push-action's inputs that change how an image is built, beyond context/file/target/build-args
 * (./docker-build.ts): checked, then turned into `docker buildx build` flags with build-push-action's
 * meanings. Pure but for one check (a secret file exists).
 *
 * Errors are one line and never quote a secret's value, nor a cache entry's values (they may hold tokens).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../util/errors.js';
import { csvField, csvFields } from '../util/list.js';
import { parseReference } from './registry/reference.js';

export interface BuildxOptions {
  /** NAME=VALUE: a named context (a directory, docker-image://REF, oci-layout://DIR, target:STAGE, a URL). */
  buildContexts?: string[];
  /**
   * ID=VALUE, as build-push-action's `secrets` (the value goes to a temp file, 0600, removed after the
   * build); or buildx's own `id=ID,src=FILE` / `id=ID,env=VAR`.
   */
  secrets?: string[];
  /** ID=PATH (build-push-action's `secret-files`). */
  secretFiles?: string[];
  /** `default`, or ID=PATH[,PATH…] of SSH agent sockets or keys. */
  ssh?: string[];
  /** buildx cache entries (`type=registry,ref=…`, `type=local,src=…`, `type=gha`, or a bare ref). */
  cacheFrom?: string[];
  cacheTo?: string[];
  /** `true`, `false`, or attributes such as `mode=max` (build-push-action's `provenance`). */
  provenance?: string;
  /** `true`, `false`, or attributes such as `generator=IMAGE`. */
  sbom?: string;
  /** The buildx builder instance to use (docker/setup-buildx-action's `name` output). */
  builder?: string;
}

type Secret = { id: string; value: string } | { id: string; spec: string };

const SECRET_KEYS = new Set(['id', 'src', 'source', 'env', 'type']);

/**
 * One `secrets` entry. buildx's form when it has two or more fields that are all id=, src=, source=, env=
 * or type=; otherwise build-push-action's ID=VALUE (split at the first `=`, the value kept as written).
 */
function parseSecret(entry: string, n: number): Secret {
  let fields: string[] = [];
  try {
    fields = csvFields(entry, 'secret');
  } catch {
    // not buildx's form: read as ID=VALUE below
  }
  const pairs = fields.map((f) => {
    const eq = f.indexOf('=');
    return eq > 0 ? [f.slice(0, eq).toLowerCase(), f.slice(eq + 1)] : undefined;
  });
  if (fields.length >= 2 && pairs.every((p) => p && SECRET_KEYS.has(p[0] as string))) {
    const m = new Map(pairs as [string, string][]);
    const id = m.get('id');
    if (!id)
      throw new InputError(`bad secret (entry ${n}): id=ID is missing (write id=ID,src=FILE or ID=VALUE)`);
    const type = m.get('type');
    if (type !== undefined && type !== 'file' && type !== 'env')
      throw new InputError(`bad secret "${id}": type must be file or env`);
    if (!m.get('src') && !m.get('source') && !m.get('env'))
      throw new InputError(`bad secret "${id}": give src=FILE or env=VARIABLE`);
    return { id, spec: entry };
  }
  const eq = entry.indexOf('=');
  const id = eq > 0 ? entry.slice(0, eq).trim() : '';
  if (!id) throw new InputError(`bad secret (entry ${n}): write ID=VALUE, or id=ID,src=FILE (no ID given)`);
  if (/[\r\n]/.test(id)) throw new InputError(`bad secret (entry ${n}): the ID is more than one line`);
  const value = entry.slice(eq + 1);
  if (!value) throw new InputError(`bad secret "${id}": the value is empty`);
  return { id, value };
}

/** What to mask in logs: the values of ID=VALUE entries, and whole entries that are not readable (they may be bare values). */
export function secretValues(entries: string[]): string[] {
  return entries.flatMap((e, i) => {
    try {
      const s = parseSecret(e, i + 1);
      return 'value' in s ? [s.value] : [];
    } catch {
      return [e];
    }
  });
}

/** ID=PATH; the file must exist. */
function parseSecretFile(entry: string): { id: string; path: string } {
  const eq = entry.indexOf('=');
  const id = eq > 0 ? entry.slice(0, eq).trim() : '';
  const path = eq > 0 ? entry.slice(eq + 1).trim() : '';
  if (!id || !path) throw new InputError(`bad secret-files entry "${entry}": write ID=PATH`);
  if (!existsSync(path))
    throw new InputError(`secret-files: the file ${path} (secret "${id}") does not exist`);
  return { id, path };
}

const LOCAL_VALUE = /^(?![a-z][a-z0-9+.-]*:\/\/|target:|git@|github\.com\/)/i;

/** Whether a build-context's VALUE is a local directory (relative to the working directory, as in buildx). */
export function isLocalContext(value: string): boolean {
  return LOCAL_VALUE.test(value);
}

function checkBuildContext(entry: string): void {
  const eq = entry.indexOf('=');
  if (eq <= 0 || eq === entry.length - 1)
    throw new InputError(
      `bad build-context "${entry}": write NAME=VALUE (VALUE a directory, docker-image://REF, oci-layout://DIR or a URL)`,
    );
  const name = entry.slice(0, eq);
  try {
    parseReference(name);
  } catch {
    throw new InputError(`bad build-context name "${name}": an image name as FROM uses it (lower case)`);
  }
}

function checkCacheEntry(entry: string, input: 'cache-from' | 'cache-to', n: number): void {
  const what = `${input} (entry ${n})`;
  const fields = csvFields(entry, what);
  if (!entry.includes('=')) {
    // buildx's short form: registry refs; the refs are checked where they are used.
    if (!fields.some((f) => f.trim())) throw new InputError(`bad ${what}: it is empty`);
    return;
  }
  fields.forEach((f, i) => {
    if (f.indexOf('=') <= 0)
      throw new InputError(`bad ${what}: field ${i + 1} is not key=value (e.g. type=registry,ref=REF)`);
  });
  if (!fields.some((f) => /^type=./i.test(f)))
    throw new InputError(
      `bad ${what}: no type= (type=registry,ref=REF; type=local,${input === 'cache-to' ? 'dest' : 'src'}=DIR; type=gha; …)`,
    );
}

/** Go's strconv.ParseBool, which buildx applies to attestation attributes. */
function goBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

/**
 * `--attest` for `provenance` or `sbom`, as build-push-action builds it: `type=T,` and the value, where a
 * bare boolean is `disabled=!value`. Fields buildx or BuildKit would refuse are refused here.
 */
export function attestFlag(type: 'provenance' | 'sbom', value: string): string {
  const out = [`type=${type}`];
  for (const field of csvFields(value, type)) {
    const f = field.trim();
    const b = goBool(f);
    if (b !== undefined) {
      out.push(`disabled=${!b}`);
      continue;
    }
    const eq = f.indexOf('=');
    if (eq <= 0)
      throw new InputError(
        `bad ${type} "${value}": write true, false or key=value attributes (${type === 'provenance' ? 'mode=max' : 'generator=IMAGE'})`,
      );
    const key = f.slice(0, eq).trim().toLowerCase();
    const v = f.slice(eq + 1);
    if (key === 'type') throw new InputError(`bad ${type} "${value}": type= is set by the input's name`);
    if (key === 'disabled' && goBool(v) === undefined)
      throw new InputError(`bad ${type} "${value}": disabled must be true or false`);
    if (type === 'provenance' && key === 'mode' && v !== 'min' && v !== 'max')
      throw new InputError(`bad provenance mode "${v}": min or max`);
    out.push(csvField(f));
  }
  return out.join(',');
}

/** Checks every buildx-only option; a bad one is an InputError (exit 2) before anything runs. */
export function checkBuildxOptions(o: BuildxOptions): void {
  (o.secrets ?? []).forEach((s, i) => parseSecret(s, i + 1));
  for (const s of o.secretFiles ?? []) parseSecretFile(s);
  for (const c of o.buildContexts ?? []) checkBuildContext(c);
  for (const s of o.ssh ?? []) {
    const id = s.split('=')[0]?.trim();
    if (!id || /\s/.test(id)) throw new InputError(`bad ssh entry "${s}": write default, or ID=PATH`);
  }
  (o.cacheFrom ?? []).forEach((c, i) => checkCacheEntry(c, 'cache-from', i + 1));
  (o.cacheTo ?? []).forEach((c, i) => checkCacheEntry(c, 'cache-to', i + 1));
  if (o.provenance) attestFlag('provenance', o.provenance);
  if (o.sbom) attestFlag('sbom', o.sbom);
  if (o.builder !== undefined && o.builder !== '' && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(o.builder))
    throw new InputError(`bad builder "${o.builder}": a buildx builder name (letters, digits, _ . -)`);
}

/** A file the build needs written first: a secret's value. */
export interface SecretWrite {
  path: string;
  value: string;
}

/**
 * The `docker buildx build` flags for these options (checked first). Secret values become files under
 * `secretDir`, listed in `writes` for the caller to write (0600) before the build and delete after it.
 */
export function buildxFlags(o: BuildxOptions, secretDir: string): { args: string[]; writes: SecretWrite[] } {
  checkBuildxOptions(o);
  const args: string[] = [];
  const writes: SecretWrite[] = [];
  if (o.builder) args.push('--builder', o.builder);
  for (const c of o.buildContexts ?? []) args.push('--build-context', c);
  for (const c of o.cacheFrom ?? []) args.push('--cache-from', c);
  for (const c of o.cacheTo ?? []) args.push('--cache-to', c);
  if (o.provenance) args.push('--attest', attestFlag('provenance', o.provenance));
  if (o.sbom) args.push('--attest', attestFlag('sbom', o.sbom));
  (o.secrets ?? []).forEach((entry, i) => {
    const s = parseSecret(entry, i + 1);
    if ('spec' in s) args.push('--secret', s.spec);
    else {
      const path = join(secretDir, `secret-${i + 1}`);
      writes.push({ path, value: s.value });
      args.push('--secret', `${csvField(`id=${s.id}`)},${csvField(`src=${path}`)}`);
    }
  });
  for (const entry of o.secretFiles ?? []) {
    const f = parseSecretFile(entry);
    args.push('--secret', `${csvField(`id=${f.id}`)},${csvField(`src=${f.path}`)}`);
  }
  for (const s of o.ssh ?? []) args.push('--ssh', s);
  return { args, writes };
}

/** "k=v" strings (from --build-arg or the action's build-args input) → a record; a bare key takes $key. */
export function parseBuildArgs(list: readonly string[], env: NodeJS.ProcessEnv = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const t = item.trim();
    if (!t) continue;
    const eq = t.indexOf('=');
    if (eq === 0) throw new InputError(`bad build arg "${t}": expected KEY=VALUE`);
    if (eq === -1) {
      const v = env[t];
      if (v !== undefined) out[t] = v;
    } else out[t.slice(0, eq)] = t.slice(eq + 1);
  }
  return out;
}
