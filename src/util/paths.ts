/** Lexical path handling for paths inside an image. Nothing here touches the host file system. */

/**
 * Cleans a tar entry name to an absolute image path ("./a//b/" → "/a/b"). A leading "/" is dropped as tar
 * does. Returns undefined when ".." climbs above the root: such an entry is a finding, never extracted.
 */
export function cleanPath(name: string): string | undefined {
  return alreadyClean(name) ?? cleanSlow(name);
}

/**
 * The common case, checked without splitting: a name whose components (after one leading "./" or "/",
 * before one trailing "/") are none of "", "." and "..". Returns null for any other name.
 */
function alreadyClean(name: string): string | null {
  const start = name.startsWith('./') ? 2 : name.charCodeAt(0) === 47 ? 1 : 0;
  const end = name.length > start && name.charCodeAt(name.length - 1) === 47 ? name.length - 1 : name.length;
  if (end === start) return null;
  let from = start;
  for (let i = start; i <= end; i++) {
    if (i < end && name.charCodeAt(i) !== 47) continue;
    const len = i - from;
    if (len === 0) return null;
    if (name.charCodeAt(from) === 46 && (len === 1 || (len === 2 && name.charCodeAt(from + 1) === 46)))
      return null;
    from = i + 1;
  }
  return start === 1 && end === name.length ? name : `/${name.slice(start, end)}`;
}

function cleanSlow(name: string): string | undefined {
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(part);
  }
  return '/' + out.join('/');
}

export function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

export function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

export function join(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** True when `p` is `dir` itself or lies below it. */
export function isWithin(p: string, dir: string): boolean {
  if (dir === '/') return true;
  return p === dir || (p.startsWith(dir) && p.charCodeAt(dir.length) === 47);
}

/** A path's components, last first (a stack to pop), without "" and ".": resolvers walk them iteratively. */
export function components(path: string): string[] {
  const out: string[] = [];
  let end = path.length;
  for (let i = path.length - 1; i >= -1; i--) {
    if (i === -1 || path.charCodeAt(i) === 47) {
      const c = path.slice(i + 1, end);
      if (c !== '' && c !== '.') out.push(c);
      end = i;
    }
  }
  return out;
}
