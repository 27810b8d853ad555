/**
 * A read-only view of the final file system for rules: lookups by path, symlinks followed *inside* the
 * image (clamped at its root, bounded in hops), and the directory layout. Pure: nothing touches the host.
 */
import type { FileView } from '../formats/contract.js';
import type { FlatFile } from '../flatten/flatten.js';
import { MAX_DEPTH, MAX_HOPS } from '../util/limits.js';
import { basename, components, dirname, join } from '../util/paths.js';

export type ResolveResult =
  | { ok: true; path: string; file: FlatFile; via: string[] }
  | { ok: false; path: string; why: 'missing' | 'loop' | 'not-a-directory'; via: string[] };

export class ImageFs implements FileView {
  readonly files: readonly FlatFile[];
  private readonly byPath = new Map<string, FlatFile>();
  private kids: Map<string, FlatFile[]> | undefined;

  constructor(files: readonly FlatFile[]) {
    this.files = files;
    for (const f of files) this.byPath.set(f.path, f);
  }

  /** The entry at exactly this path (no symlink followed), like lstat. */
  get(path: string): FlatFile | undefined {
    if (path === '/')
      return { path: '/', type: 'dir', size: 0, mode: 0o755, uid: 0, gid: 0, link: null, layer: 0 };
    return this.byPath.get(path);
  }

  /** Direct children of a directory path (as stored, no symlink followed). */
  children(dir: string): readonly FlatFile[] {
    if (!this.kids) {
      this.kids = new Map();
      for (const f of this.files) {
        const d = dirname(f.path);
        let list = this.kids.get(d);
        if (!list) this.kids.set(d, (list = []));
        list.push(f);
      }
    }
    return this.kids.get(dir) ?? [];
  }

  /**
   * Resolves a path the way the kernel does inside a container's root: every symlink is followed, also in
   * the last component; ".." stops at the root; a relative path starts at `cwd`. `via` lists the symlinks
   * passed through, for messages.
   */
  resolve(path: string, cwd = '/'): ResolveResult {
    const start = path.startsWith('/') ? path : `${cwd.replace(/\/+$/, '')}/${path}`;
    // A stack of components still to walk, the next one on top: iterative, and linear in what symlinks add.
    const todo = components(start);
    let cur = '/';
    let depth = 0;
    let hops = 0;
    const via: string[] = [];
    for (let c = todo.pop(); c !== undefined; c = todo.pop()) {
      if (c === '..') {
        cur = dirname(cur);
        if (depth > 0) depth--;
        continue;
      }
      const next = join(cur, c);
      // Nothing in the image is deeper (src/util/limits.ts), so a deeper path is missing.
      if (depth >= MAX_DEPTH) return { ok: false, path: next, why: 'missing', via };
      const f = this.byPath.get(next);
      if (!f) return { ok: false, path: next, why: 'missing', via };
      if (f.type === 'symlink') {
        if (++hops > MAX_HOPS) return { ok: false, path: next, why: 'loop', via };
        via.push(next);
        const target = f.link ?? '';
        if (target.startsWith('/')) {
          cur = '/';
          depth = 0;
        }
        const more = components(target);
        for (let i = 0; i < more.length; i++) todo.push(more[i] as string);
        continue;
      }
      if (todo.length && f.type !== 'dir') return { ok: false, path: next, why: 'not-a-directory', via };
      cur = next;
      depth++;
    }
    const file = this.get(cur) as FlatFile;
    return { ok: true, path: cur, file, via };
  }

  /** The resolved regular file (or hard link) at `path`, if there is one. */
  regular(path: string, cwd = '/'): FlatFile | undefined {
    const r = this.resolve(path, cwd);
    return r.ok && (r.file.type === 'file' || r.file.type === 'hardlink') ? r.file : undefined;
  }

  /** The regular file (or hard link) `path` leads to, with the path it resolved to. */
  resolveFile(path: string): { path: string; file: FlatFile } | undefined {
    const r = this.resolve(path);
    return r.ok && (r.file.type === 'file' || r.file.type === 'hardlink')
      ? { path: r.path, file: r.file }
      : undefined;
  }

  /** Text of a file's kept head (follows symlinks). */
  text(path: string): string | undefined {
    return this.regular(path)?.head?.toString('utf8');
  }

  /** True when the path exists as a directory once symlinks are followed. */
  isDir(path: string): boolean {
    const r = this.resolve(path);
    return r.ok && r.file.type === 'dir';
  }
}

/** Entries for which an exec bit is set (a symlink's own mode says nothing). */
export function isExecutable(f: FlatFile): boolean {
  return (f.type === 'file' || f.type === 'hardlink') && (f.mode & 0o111) !== 0;
}

export { basename, dirname };
