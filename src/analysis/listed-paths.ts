/**
 * The paths package databases list, as the final file system names them. A listed path's directories are
 * resolved through the image's symlinks (Debian lists /lib/x86_64-linux-gnu/libc.so.6, a usr-merged image
 * stores /usr/lib/x86_64-linux-gnu/libc.so.6); its last component is not (a listed symlink is the package's
 * own). Cost is linear in the characters listed: each distinct directory is resolved once, and whether any
 * of its ancestors is a symlink is one pass over its characters (a hash of each prefix looked up in the
 * image's symlinks), never a walk that builds every ancestor's path.
 */
import type { FlatFile } from '../flatten/flatten.js';
import { MAX_HOPS } from '../util/limits.js';
import type { ImageFs } from './fsview.js';

/** What a claim needs of a package: its listed paths, and a count of those present. */
interface Lister {
  listed?: string;
  present?: number;
}

/** A multiplier chosen per process, so that no image can be made of symlinks whose prefixes collide. */
const K = (Math.floor(Math.random() * 0x3fffffff) << 1) | 1;

/** The image's symlinks, found by any prefix of a path in one pass over it. */
class SymlinkPrefixes {
  private readonly byHash = new Map<number, string[]>();
  readonly size: number;

  constructor(paths: readonly string[]) {
    for (const p of paths) {
      let h = 0;
      for (let i = 0; i < p.length; i++) h = (Math.imul(h, K) + p.charCodeAt(i)) | 0;
      const list = this.byHash.get(h);
      if (list) list.push(p);
      else this.byHash.set(h, [p]);
    }
    this.size = paths.length;
  }

  /** The shallowest of `path` and its ancestors that is a symlink, or undefined. */
  first(path: string): string | undefined {
    let h = 0;
    for (let i = 0; i <= path.length; i++) {
      if (i > 0 && (i === path.length || path.charCodeAt(i) === 47)) {
        const list = this.byHash.get(h);
        if (list) for (const s of list) if (s.length === i && path.startsWith(s)) return s;
      }
      if (i < path.length) h = (Math.imul(h, K) + path.charCodeAt(i)) | 0;
    }
    return undefined;
  }
}

const dirOf = (p: string): string => {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
};

export class ListedPaths<P extends Lister> {
  private readonly exact = new Map<string, P>();
  /** Later claims of a path another package claimed first (rare: shared files, diversions). */
  private readonly also = new Map<string, P[]>();
  /** Paths some package lists something beneath: directories to it, even where the image has a symlink. */
  private readonly dirs = new Set<string>();
  private readonly realDirs = new Map<string, string>();
  private readonly targets = new Map<string, string | undefined>();
  private readonly links: SymlinkPrefixes;

  constructor(
    files: readonly FlatFile[],
    private readonly fs: () => ImageFs,
  ) {
    this.links = new SymlinkPrefixes(files.filter((f) => f.type === 'symlink').map((f) => f.path));
  }

  get empty(): boolean {
    return this.exact.size === 0;
  }

  /** Claims each of its listed paths for `p`, first claim wins. */
  claim(p: P): void {
    p.present = 0;
    for (const path of (p.listed as string).split('\n')) {
      if (path === '') continue;
      const at = this.key(path);
      this.dirs.add(this.key(dirOf(path)));
      const first = this.exact.get(at);
      if (!first) this.exact.set(at, p);
      else if (first !== p) {
        const more = this.also.get(at);
        if (more) more.push(p);
        else this.also.set(at, [p]);
      }
    }
  }

  /** The package that lists this file of the final file system, counted as present there. */
  ownerAt(f: FlatFile): P | undefined {
    const by = this.exact.get(f.path);
    // A listed directory that the image holds as a symlink to one (usr-merge's /lib, /bin) is still a
    // directory to dpkg: owned by nobody, and no sign that the package is there.
    if (!by || (f.type === 'symlink' && this.dirs.has(f.path))) return undefined;
    (by.present as number)++;
    for (const q of this.also.get(f.path) ?? []) (q.present as number)++;
    return by;
  }

  /** A package's listed paths as the final file system names them. */
  pathsOf(p: P): string[] {
    return p.listed
      ? p.listed
          .split('\n')
          .filter((x) => x !== '')
          .map((x) => this.key(x))
      : [];
  }

  /** A listed path with its directory resolved. */
  private key(path: string): string {
    if (path === '/') return '/';
    const d = this.realDir(dirOf(path));
    const name = path.slice(path.lastIndexOf('/') + 1);
    return d === '/' ? `/${name}` : `${d}/${name}`;
  }

  private realDir(d: string): string {
    if (d === '/' || this.links.size === 0) return d;
    let r = this.realDirs.get(d);
    if (r === undefined) {
      r = this.resolve(d);
      this.realDirs.set(d, r);
    }
    return r;
  }

  /** Each symlink on the way replaced by where it leads (resolved once per symlink); `d` when one fails. */
  private resolve(d: string): string {
    let cur = d;
    for (let hops = 0; hops <= MAX_HOPS; hops++) {
      const s = this.links.first(cur);
      if (s === undefined) return cur;
      let t = this.targets.get(s);
      if (!this.targets.has(s)) {
        const r = this.fs().resolve(s);
        t = r.ok ? r.path : undefined;
        this.targets.set(s, t);
      }
      if (t === undefined) return d;
      const rest = cur.slice(s.length);
      cur = t === '/' ? rest || '/' : t + rest;
    }
    return d;
  }
}
