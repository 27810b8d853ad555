/**
 * The bounds a real Linux file system puts on names, which keep Slimgate's cost linear in the image: no
 * name, path or link target is long enough to make hashing or copying it dominate, and no path deep enough
 * to turn its prefixes into a square. An entry past them cannot be extracted (ENAMETOOLONG) and is refused
 * with an error finding, never half-handled.
 */
import { nameByteLength } from './names.js';

/** Linux NAME_MAX: bytes in one path component. */
const NAME_MAX = 255;
/** Linux PATH_MAX, which counts the terminating NUL: a path or a symlink target has at most 4095 bytes. */
const PATH_MAX = 4096;
/**
 * Components in one path. Linux has no such bound of its own, but a path's parents are directories too,
 * and each is listed with its full path: depth × length is what a deep path costs. 256 is far beyond any
 * real image (deep node_modules trees stay under 100) and keeps one entry's parents under 1 MiB of paths.
 */
export const MAX_DEPTH = 256;
/** Linux MAXSYMLINKS: symlinks followed while resolving one path. */
export const MAX_HOPS = 40;

export type LimitKind = 'name-too-long' | 'path-too-long' | 'link-too-long' | 'too-deep';

/** Why a cleaned absolute path (and its link target) is past the limits, or undefined when it is not. */
export function pastLimits(
  path: string,
  link: string | null,
): { kind: LimitKind; detail: string } | undefined {
  if (surelyWithin(path, link)) return undefined;
  const bytes = nameByteLength(path) - 1; // the leading "/" is the image root, not part of the entry's name
  if (bytes > PATH_MAX - 1) {
    return { kind: 'path-too-long', detail: `path of ${bytes} bytes is over PATH_MAX (${PATH_MAX - 1})` };
  }
  let depth = 0;
  for (let from = 1; from < path.length;) {
    let to = path.indexOf('/', from);
    if (to === -1) to = path.length;
    depth++;
    const n = nameByteLength(path.slice(from, to));
    if (n > NAME_MAX) {
      return { kind: 'name-too-long', detail: `a name of ${n} bytes is over NAME_MAX (${NAME_MAX})` };
    }
    from = to + 1;
  }
  if (depth > MAX_DEPTH) {
    return { kind: 'too-deep', detail: `${depth} levels deep, over the bound of ${MAX_DEPTH}` };
  }
  if (link !== null) {
    const n = nameByteLength(link);
    if (n > PATH_MAX - 1) {
      return {
        kind: 'link-too-long',
        detail: `link target of ${n} bytes is over PATH_MAX (${PATH_MAX - 1})`,
      };
    }
  }
  return undefined;
}

/**
 * A bound that needs no byte count, for the common short path: a UTF-16 unit is at most 3 bytes (a
 * surrogate pair is 4 bytes for 2 units, an escaped byte 1), so 3 × length bounds every byte length.
 */
function surelyWithin(path: string, link: string | null): boolean {
  if (3 * path.length > PATH_MAX || (link !== null && 3 * link.length > PATH_MAX - 1)) return false;
  let depth = 0;
  let from = 1;
  for (let i = 1; i <= path.length; i++) {
    if (i < path.length && path.charCodeAt(i) !== 47) continue;
    if (3 * (i - from) > NAME_MAX) return false;
    depth++;
    from = i + 1;
  }
  return depth <= MAX_DEPTH;
}

/** A name cut for a message: a refused entry's name can be a megabyte. */
export function shortName(name: string, max = 200): string {
  if (name.length <= max) return name;
  let cut = max;
  const u = name.charCodeAt(cut - 1);
  if (u >= 0xd800 && u <= 0xdbff) cut--; // never split a surrogate pair
  return `${name.slice(0, cut)}… (${nameByteLength(name)} bytes)`;
}
