/**
 * The image config JSON, read the way Docker reads it (moby decodes it with Go's encoding/json into typed
 * structs), so that Slimgate sees what a container would run and fails where `docker load` would:
 * - a field of the wrong type is an error that names it (Docker: "cannot unmarshal number into … User");
 * - `null` means absent, and a `null` history entry is an empty one;
 * - `Entrypoint` and `Cmd` are StrSlices: a string means a one-element list (`"/app"` is `["/app"]`);
 * - keys match case-insensitively (`"entrypoint"` sets Entrypoint), the last one in the document winning.
 * Only the fields Slimgate reads are checked; the rest are kept as they are.
 */
import { InputError } from '../util/errors.js';
import type { ImageConfigFile } from './model/image.js';

type Json = Record<string, unknown>;

class ShapeError extends Error {}

function kind(v: unknown): string {
  return v === null
    ? 'null'
    : Array.isArray(v)
      ? 'a list'
      : typeof v === 'object'
        ? 'an object'
        : `a ${typeof v}`;
}

function fail(field: string, want: string, v: unknown): never {
  throw new ShapeError(`${field} must be ${want}, not ${kind(v)}`);
}

/** Go's case folding of JSON keys: ASCII letters, plus the two non-ASCII letters that fold to them. */
function fold(key: string): string {
  return key
    .toLowerCase()
    .replace(/\u212a/g, 'k')
    .replace(/\u017f/g, 's');
}

/**
 * The value Go's decoder would leave in the field `name`: every key that folds to it sets the field in
 * document order, so the last one wins (JSON.parse keeps the document's key order).
 */
function get(o: Json, name: string): unknown {
  const want = fold(name);
  let hit: unknown;
  for (const k of Object.keys(o)) if (k === name || fold(k) === want) hit = o[k];
  return hit;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') fail(field, 'a string', v);
  return v;
}

function bool(v: unknown, field: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') fail(field, 'true or false', v);
  return v;
}

/** A Go []string: `null` elements decode as "". */
function strings(v: unknown, field: string): string[] | null {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v)) fail(field, 'a list of strings', v);
  return v.map((x, i) => (x === null ? '' : (str(x, `${field}[${i}]`) as string)));
}

/** Docker's StrSlice: a list of strings, or one string. */
function strSlice(v: unknown, field: string): string[] | null {
  if (typeof v === 'string') return [v];
  if (v !== undefined && v !== null && !Array.isArray(v)) fail(field, 'a string or a list of strings', v);
  return strings(v, field);
}

function labels(v: unknown, field: string): Record<string, string> | null {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) fail(field, 'an object of strings', v);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) out[k] = x === null ? '' : (str(x, `${field}["${k}"]`) as string);
  return out;
}

function object(v: unknown, field: string): Json | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) fail(field, 'an object', v);
  return v;
}

/** Sets `key` to `value`, or removes it when the value is absent (so optional fields stay optional). */
function put(o: Json, key: string, value: unknown): void {
  if (value === undefined) delete o[key];
  else o[key] = value;
}

function checkConfig(doc: unknown): ImageConfigFile {
  if (!isObject(doc)) fail('the config', 'an object', doc);
  const out: Json = { ...doc };
  for (const k of ['architecture', 'os', 'variant']) put(out, k, str(get(doc, k), k));
  const c = object(get(doc, 'config'), 'config');
  if (c) {
    put(out, 'config', {
      ...c,
      User: str(get(c, 'User'), 'config.User'),
      WorkingDir: str(get(c, 'WorkingDir'), 'config.WorkingDir'),
      Entrypoint: strSlice(get(c, 'Entrypoint'), 'config.Entrypoint'),
      Cmd: strSlice(get(c, 'Cmd'), 'config.Cmd'),
      Env: strings(get(c, 'Env'), 'config.Env'),
      Labels: labels(get(c, 'Labels'), 'config.Labels'),
    });
  } else delete out['config'];
  const rootfs = object(get(doc, 'rootfs'), 'rootfs');
  if (rootfs) {
    put(out, 'rootfs', {
      type: str(get(rootfs, 'type'), 'rootfs.type'),
      diff_ids: strings(get(rootfs, 'diff_ids'), 'rootfs.diff_ids') ?? undefined,
    });
  } else delete out['rootfs'];
  const history = get(doc, 'history');
  if (history !== undefined && history !== null && !Array.isArray(history))
    fail('history', 'a list', history);
  put(
    out,
    'history',
    history
      ? (history as unknown[]).map((h, i) => {
          const e = h === null ? {} : object(h, `history[${i}]`);
          return {
            ...e,
            created_by: str(get(e!, 'created_by'), `history[${i}].created_by`),
            comment: str(get(e!, 'comment'), `history[${i}].comment`),
            empty_layer: bool(get(e!, 'empty_layer'), `history[${i}].empty_layer`),
          };
        })
      : undefined,
  );
  return out as ImageConfigFile;
}

/** Checks a parsed image config (see above); a field of the wrong type is an InputError that names it. */
export function checkImageConfig(doc: unknown, what: string): ImageConfigFile {
  try {
    return checkConfig(doc);
  } catch (err) {
    if (err instanceof ShapeError) throw new InputError(`${what} is malformed: ${err.message}`);
    throw err;
  }
}
