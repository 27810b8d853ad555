/**
 * Flatten: a pure function from layer records (base first) to the final file system, as the OCI image
 * spec's changeset rules and umoci's unpacker apply them.
 *
 * - `.wh.NAME` deletes NAME and everything below it in *lower* layers; `.wh..wh..opq` hides every lower
 *   child of its directory. Whiteouts are applied before the layer's own entries, so they never hide an
 *   entry of their own layer, whatever the order inside the tar.
 * - Within a layer a later duplicate wins. A non-directory replacing a directory removes its subtree; a
 *   directory over a directory only updates its metadata.
 * - Parent directories resolve through symlinks inside the image (like securejoin), clamped at the root
 *   and bounded in hops, so a symlink loop is a finding rather than a hang.
 * - Hard links share their target's inode, also when the target is in a lower layer; each inode's bytes
 *   count once. A regular file's bytes are wasted when its last path is overwritten or deleted.
 */
import { MAX_DEPTH, MAX_HOPS, type LimitKind } from '../util/limits.js';
import { basename, components, dirname, join } from '../util/paths.js';
import type { EntryRecord, EntryType, RefusedEntry } from '../scan/layer.js';

export interface LayerInput {
  entries: readonly EntryRecord[];
  escapes?: readonly string[];
  refused?: readonly RefusedEntry[];
}

/** A path of the final file system. For a hard link, `link` names the path reported as its inode's file. */
export interface FlatFile extends EntryRecord {
  /** Index of the layer whose entry put this path here. */
  layer: number;
}

export type ProblemKind =
  | 'escape'
  | 'link-escape'
  | 'symlink-loop'
  | 'dangling-hardlink'
  | 'not-a-directory'
  | 'too-many-parents'
  | LimitKind;

export interface PathProblem {
  kind: ProblemKind;
  path: string;
  layer: number;
  detail: string;
}

export interface Flattened {
  files: FlatFile[];
  /** Bytes of regular files in the final file system, each inode once. */
  uncompressed: number;
  wasted: number;
  /** Wasted bytes by the layer that shipped them. */
  layerWasted: number[];
  /** The same bytes by the layer that deleted or overwrote them, with the paths it hit. */
  wasteByLayer: WasteByLayer[];
  problems: PathProblem[];
}

interface WasteByLayer {
  /** The layer whose entries deleted or overwrote the bytes. */
  layer: number;
  bytes: number;
  /** Where: the deleted directory, or the directory of the deleted or replaced files; largest first. */
  roots: { path: string; bytes: number; fromLayer: number }[];
}

/** What a path holds, shared by hard links. Every non-directory has one. */
interface Inode {
  rec: EntryRecord;
  layer: number;
  paths: number;
}

interface Node {
  rec: EntryRecord;
  layer: number;
  children?: Map<string, Node>;
  inode?: Inode;
}

/**
 * Parent directories that no entry lists are created, and each is listed with its full path: one entry
 * 256 levels deep would make 255 of them, about 500 kB of paths, from a few bytes of gzip. Their paths may
 * take 1 MiB plus 4 times the paths of the entries themselves, so the file list stays linear in the image.
 * Real layers list their parents (docker, buildkit) or miss a few (ko, crane append): far below this.
 */
const IMPLICIT_BUDGET = { base: 1 << 20, perNameByte: 4 };
const OPAQUE = '.wh..wh..opq';
const WHITEOUT = '.wh.';
/** aufs bookkeeping at the root (/.wh..wh.plnk, /.wh..wh.aufs, /.wh..wh.orph): skipped, as Docker does. */
const AUFS_META = '/.wh..wh.';
const isAufsMeta = (path: string): boolean => path.startsWith(AUFS_META) && path !== `/${OPAQUE}`;

export function flatten(layers: readonly LayerInput[]): Flattened {
  return new Flattener(layers.length).run(layers);
}

class Flattener {
  private readonly root: Node;
  private readonly layerWasted: number[];
  private wasted = 0;
  private readonly problems: PathProblem[] = [];
  private cacheDir: string | undefined;
  private cacheNode: Node | undefined;
  /** Wasted bytes by the layer that caused them, then by where (see WasteByLayer). */
  private readonly charges = new Map<number, Map<string, { bytes: number; fromLayer: number }>>();
  /** Symlinks already reported for climbing out of the root. */
  private readonly escapedLinks = new Set<string>();
  /** Characters of path that implicit parent directories may still take (see IMPLICIT_BUDGET). */
  private implicitLeft = 0;

  constructor(layerCount: number) {
    this.layerWasted = new Array<number>(layerCount).fill(0);
    this.root = { rec: implicitDir('/'), layer: 0, children: new Map() };
  }

  run(layers: readonly LayerInput[]): Flattened {
    let names = 0;
    for (const layer of layers) for (const rec of layer.entries) names += rec.path.length;
    this.implicitLeft = IMPLICIT_BUDGET.base + IMPLICIT_BUDGET.perNameByte * names;
    layers.forEach((layer, i) => {
      for (const raw of layer.escapes ?? []) {
        this.problems.push({
          kind: 'escape',
          path: raw,
          layer: i,
          detail: 'entry climbs out of the root with ".."',
        });
      }
      for (const r of layer.refused ?? []) {
        this.problems.push({ kind: r.kind, path: r.name, layer: i, detail: `${r.detail}; not extracted` });
      }
      this.applyWhiteouts(layer.entries, i);
      for (const rec of layer.entries) {
        if (!basename(rec.path).startsWith(WHITEOUT) && !isAufsMeta(rec.path)) this.add(rec, i);
      }
    });
    return this.result();
  }

  private applyWhiteouts(entries: readonly EntryRecord[], layer: number): void {
    // Directories this layer itself declares: where one replaces a lower symlink or file, its whiteouts
    // have nothing below them to hide (overlayfs writes `rm /a && mkdir /a` as dir /a + opaque marker).
    let own: Set<string> | undefined;
    for (const rec of entries) {
      const name = basename(rec.path);
      if (!name.startsWith(WHITEOUT) || isAufsMeta(rec.path)) continue;
      own ??= new Set(entries.filter((e) => e.type === 'dir').map((e) => e.path));
      if (this.replacedByOwnDir(rec.path, own)) continue;
      const dir = this.parentOf(rec.path, layer, false);
      if (!dir?.children) continue;
      if (name === OPAQUE) {
        for (const child of dir.children.values()) this.release(child, layer, dirname(rec.path));
        dir.children.clear();
        this.invalidate();
      } else if (!name.startsWith(WHITEOUT + WHITEOUT)) {
        // Other ".wh..wh." names are aufs bookkeeping, not whiteouts.
        const target = name.slice(WHITEOUT.length);
        const victim = dir.children.get(target);
        if (victim) {
          const where = victim.children ? join(dirname(rec.path), target) : dirname(rec.path);
          this.release(victim, layer, where);
          dir.children.delete(target);
          this.invalidate();
        }
      }
    }
  }

  private add(rec: EntryRecord, layer: number): void {
    if (rec.path === '/') {
      this.root.rec = rec;
      this.root.layer = layer;
      return;
    }
    const parent = this.parentOf(rec.path, layer, true);
    if (!parent?.children) return;
    const name = basename(rec.path);
    const existing = parent.children.get(name);
    if (rec.type === 'dir' && existing?.children) {
      existing.rec = rec;
      existing.layer = layer;
      return;
    }
    let inode: Inode | undefined;
    if (rec.type === 'hardlink') {
      const target = this.lookup(rec.link ?? '', layer);
      if (!target || target.children) {
        const why = target ? 'is a directory' : 'does not exist';
        this.problems.push({
          kind: 'dangling-hardlink',
          path: rec.path,
          layer,
          detail: `target ${rec.link} ${why}`,
        });
        return;
      }
      if (target === existing) return; // a link to itself changes nothing
      inode = target.inode;
      if (inode) inode.paths++;
    } else if (rec.type !== 'dir') {
      inode = { rec, layer, paths: 1 };
    }
    if (existing) {
      this.release(existing, layer, dirname(rec.path));
      this.invalidate();
    }
    const node: Node = { rec, layer };
    if (rec.type === 'dir') node.children = new Map();
    if (inode) node.inode = inode;
    parent.children.set(name, node);
  }

  /** True when an ancestor of `path` is a lower non-directory that this layer replaces with a directory. */
  private replacedByOwnDir(path: string, own: Set<string>): boolean {
    let node = this.root;
    let prefix = '';
    const parts = path.split('/');
    for (let i = 1; i < parts.length - 1; i++) {
      prefix += `/${parts[i]}`;
      const child = node.children?.get(parts[i] as string);
      if (!child) return false;
      if (!child.children) return own.has(prefix);
      node = child;
    }
    return false;
  }

  /**
   * Drops a subtree: every inode that loses its last path turns its bytes into waste, charged to the layer
   * that shipped them and to layer `by`, at `where`. Iterative: paths can be deep.
   */
  private release(top: Node, by: number, where: string): void {
    const stack = [top];
    for (let node = stack.pop(); node; node = stack.pop()) {
      if (node.children) {
        for (const child of node.children.values()) stack.push(child);
        continue;
      }
      const inode = node.inode;
      if (inode && --inode.paths === 0 && inode.rec.type === 'file') {
        this.wasted += inode.rec.size;
        this.layerWasted[inode.layer] = (this.layerWasted[inode.layer] ?? 0) + inode.rec.size;
        let m = this.charges.get(by);
        if (!m) this.charges.set(by, (m = new Map()));
        const c = m.get(where) ?? { bytes: 0, fromLayer: inode.layer };
        c.bytes += inode.rec.size;
        m.set(where, c);
      }
    }
  }

  private invalidate(): void {
    this.cacheDir = undefined;
    this.cacheNode = undefined;
  }

  /** The directory that holds `path`, resolving symlinks on the way; creates missing parents if asked. */
  private parentOf(path: string, layer: number, create: boolean): Node | undefined {
    const slash = path.lastIndexOf('/');
    const dir = slash <= 0 ? '/' : path.slice(0, slash);
    if (dir === this.cacheDir) return this.cacheNode;
    const node = this.resolve(dir, layer, create, path);
    // Caching is safe because every removal invalidates, and creation only adds.
    if (node && create) {
      this.cacheDir = dir;
      this.cacheNode = node;
    }
    return node;
  }

  /** Finds the node at `path` without following a symlink in the last component. */
  private lookup(path: string, layer: number): Node | undefined {
    const parent = this.parentOf(path, layer, false);
    return parent?.children?.get(basename(path));
  }

  private resolve(dir: string, layer: number, create: boolean, forPath: string): Node | undefined {
    // A stack of components still to walk, the next one on top: iterative, and linear in what symlinks add.
    const todo = components(dir);
    const trail: Node[] = [this.root];
    let hops = 0;
    let lastLink: string | undefined;
    for (let c = todo.pop(); c !== undefined; c = todo.pop()) {
      if (c === '..') {
        // Entry paths are cleaned, so a ".." here comes from a symlink target; above the root it stays at
        // the root, as a runtime resolves it, and is reported once per symlink.
        if (trail.length > 1) trail.pop();
        else if (lastLink && !this.escapedLinks.has(lastLink)) {
          this.escapedLinks.add(lastLink);
          this.problems.push({
            kind: 'link-escape',
            path: lastLink,
            layer,
            detail: 'symlink climbs out of the root',
          });
        }
        continue;
      }
      const cur = trail[trail.length - 1] as Node;
      const children = cur.children as Map<string, Node>;
      let child = children.get(c);
      if (!child) {
        if (!create) return undefined;
        // Symlinks can lead deeper than any entry's own path: the same bound holds there.
        if (trail.length > MAX_DEPTH) {
          this.problems.push({
            kind: 'too-deep',
            path: forPath,
            layer,
            detail: `its parent path leads through symlinks over ${MAX_DEPTH} levels deep; not extracted`,
          });
          return undefined;
        }
        const path = trail.length === 1 ? `/${c}` : `${pathOf(trail)}/${c}`;
        if ((this.implicitLeft -= path.length) < 0) {
          this.problems.push({
            kind: 'too-many-parents',
            path: forPath,
            layer,
            detail:
              'the parent directories that the layers leave out would cost more than the layers; not extracted',
          });
          return undefined;
        }
        child = { rec: implicitDir(path), layer, children: new Map() };
        children.set(c, child);
      }
      if (child.rec.type === 'symlink') {
        if (++hops > MAX_HOPS) {
          this.problems.push({
            kind: 'symlink-loop',
            path: forPath,
            layer,
            detail: 'too many symlinks in its parent path',
          });
          return undefined;
        }
        const target = child.rec.link ?? '';
        lastLink = trail.length === 1 ? `/${c}` : `${pathOf(trail)}/${c}`;
        if (target.startsWith('/')) trail.length = 1;
        const more = components(target);
        for (let i = 0; i < more.length; i++) todo.push(more[i] as string);
        continue;
      }
      if (!child.children) {
        this.problems.push({
          kind: 'not-a-directory',
          path: forPath,
          layer,
          detail: `${c} in its parent path is not a directory`,
        });
        return undefined;
      }
      trail.push(child);
    }
    return trail[trail.length - 1];
  }

  private result(): Flattened {
    // Depth-first, children sorted by name; iterative, since paths can be thousands of levels deep.
    const nodes: { path: string; node: Node }[] = [];
    const stack: { path: string; node: Node }[] = [{ path: '', node: this.root }];
    for (let top = stack.pop(); top; top = stack.pop()) {
      if (top.node !== this.root) nodes.push(top);
      const children = top.node.children;
      if (!children) continue;
      const names = [...children.keys()].sort();
      for (let i = names.length - 1; i >= 0; i--) {
        const name = names[i] as string;
        stack.push({ path: `${top.path}/${name}`, node: children.get(name) as Node });
      }
    }

    // A hard-linked file is reported once as "file" — at its original path if that survived, else at its
    // first surviving path — and every other path as a "hardlink" to it, so a link never names a path
    // that was deleted or now holds another file.
    const primary = new Map<Inode, string>();
    for (const { path, node } of nodes) {
      const inode = node.inode;
      if (!inode || inode.rec.type !== 'file') continue;
      if (!primary.has(inode) || node.rec === inode.rec) primary.set(inode, path);
    }

    let uncompressed = 0;
    for (const [inode] of primary) uncompressed += inode.rec.size;
    const files = nodes.map(({ path, node }): FlatFile => {
      const src = node.inode?.rec ?? node.rec;
      // A hard link to a symlink, device or fifo is indistinguishable from a copy of it.
      let type: EntryType = src.type;
      let link = src.type === 'symlink' ? src.link : null;
      if (src.type === 'file') {
        const first = primary.get(node.inode as Inode);
        if (first !== path) {
          type = 'hardlink';
          link = first ?? null;
        }
      }
      // Every file has the same keys, the optional ones undefined when absent: one object shape, which the
      // analysis walks tens of thousands of times.
      return {
        path,
        type,
        size: src.type === 'file' ? src.size : 0,
        // Linux ignores a symlink's own mode bits and always shows 0777.
        mode: src.type === 'symlink' ? 0o777 : src.mode,
        uid: src.uid,
        gid: src.gid,
        link,
        layer: node.layer,
        head: src.head,
        records: src.records,
        pkg: src.pkg,
        secret: src.secret,
        elf: src.elf,
      };
    });
    return {
      files,
      uncompressed,
      wasted: this.wasted,
      layerWasted: this.layerWasted,
      wasteByLayer: this.wasteByLayer(),
      problems: this.problems,
    };
  }

  private wasteByLayer(): WasteByLayer[] {
    const out: WasteByLayer[] = [];
    for (const [layer, m] of [...this.charges].sort((a, b) => a[0] - b[0])) {
      const roots = [...m]
        .map(([path, c]) => ({ path, bytes: c.bytes, fromLayer: c.fromLayer }))
        .filter((r) => r.bytes > 0)
        .sort((a, b) => b.bytes - a.bytes || a.path.localeCompare(b.path));
      const bytes = roots.reduce((n, r) => n + r.bytes, 0);
      if (bytes > 0) out.push({ layer, bytes, roots });
    }
    return out;
  }
}

function implicitDir(path: string): EntryRecord {
  return { path, type: 'dir', size: 0, mode: 0o755, uid: 0, gid: 0, link: null };
}

function pathOf(trail: Node[]): string {
  return trail[trail.length - 1]?.rec.path ?? '/';
}
