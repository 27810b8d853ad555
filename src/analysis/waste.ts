/**
 * Where wasted bytes come from (pure): replays the layers' records, base first, and charges every regular
 * file that a later layer deletes (a whiteout, an opaque directory, a replacing entry) or overwrites to the
 * layer that did it, rolled up by directory. flatten() gives the exact totals; this gives the paths.
 * Hard links share an inode, as in flatten: deleting one of two paths wastes nothing.
 */
import type { EntryRecord } from '../inventory/scan.js';
import { basename, dirname } from '../inventory/paths.js';

interface Inode {
  size: number;
  paths: number;
  layer: number;
}

interface Node {
  children?: Map<string, Node>;
  inode?: Inode;
}

export interface WasteByLayer {
  /** The layer whose entries deleted or overwrote the bytes. */
  layer: number;
  bytes: number;
  /** Directory (or deleted directory) → bytes, largest first. */
  roots: { path: string; bytes: number; fromLayer: number }[];
}

const OPAQUE = '.wh..wh..opq';
const WHITEOUT = '.wh.';

export function wasteByLayer(layers: readonly { entries: readonly EntryRecord[] }[]): WasteByLayer[] {
  const root: Node = { children: new Map() };
  const charges = new Map<number, Map<string, { bytes: number; fromLayer: number }>>();

  const charge = (layer: number, path: string, inode: Inode): void => {
    if (--inode.paths > 0) return;
    let m = charges.get(layer);
    if (!m) charges.set(layer, (m = new Map()));
    const c = m.get(path) ?? { bytes: 0, fromLayer: inode.layer };
    c.bytes += inode.size;
    m.set(path, c);
  };
  const release = (node: Node, layer: number, rootPath: string): void => {
    if (node.children) for (const child of node.children.values()) release(child, layer, rootPath);
    else if (node.inode) charge(layer, rootPath, node.inode);
  };
  const lookup = (path: string, create: boolean): Node | undefined => {
    let cur = root;
    for (const c of path.split('/').filter(Boolean)) {
      if (!cur.children) {
        if (!create) return undefined;
        cur.children = new Map(); // a file replaced by a directory's children: handled by add()
      }
      let next = cur.children.get(c);
      if (!next) {
        if (!create) return undefined;
        next = { children: new Map() };
        cur.children.set(c, next);
      }
      cur = next;
    }
    return cur;
  };

  layers.forEach((layer, i) => {
    for (const rec of layer.entries) {
      const name = basename(rec.path);
      if (!name.startsWith(WHITEOUT)) continue;
      const dirPath = dirname(rec.path);
      const dir = lookup(dirPath, false);
      if (!dir?.children) continue;
      if (name === OPAQUE) {
        for (const child of dir.children.values()) release(child, i, dirPath);
        dir.children.clear();
      } else if (!name.startsWith(WHITEOUT + WHITEOUT)) {
        const target = name.slice(WHITEOUT.length);
        const victim = dir.children.get(target);
        if (victim) {
          release(victim, i, victim.children ? `${dirPath === '/' ? '' : dirPath}/${target}` : dirPath);
          dir.children.delete(target);
        }
      }
    }
    for (const rec of layer.entries) {
      const name = basename(rec.path);
      if (name.startsWith(WHITEOUT) || rec.path === '/') continue;
      const dirPath = dirname(rec.path);
      const parent = lookup(dirPath, true) as Node;
      if (!parent.children) parent.children = new Map();
      const existing = parent.children.get(name);
      if (rec.type === 'dir' && existing?.children) continue;
      let inode: Inode | undefined;
      if (rec.type === 'hardlink') {
        inode = rec.link ? lookup(rec.link, false)?.inode : undefined;
        if (inode) inode.paths++;
      } else if (rec.type === 'file') inode = { size: rec.size, paths: 1, layer: i };
      if (existing && existing.inode !== inode) release(existing, i, dirPath);
      const node: Node = rec.type === 'dir' ? { children: new Map() } : {};
      if (inode) node.inode = inode;
      parent.children.set(name, node);
    }
  });

  const out: WasteByLayer[] = [];
  for (const [layer, m] of [...charges].sort((a, b) => a[0] - b[0])) {
    const roots = [...m]
      .map(([path, c]) => ({ path, bytes: c.bytes, fromLayer: c.fromLayer }))
      .filter((r) => r.bytes > 0)
      .sort((a, b) => b.bytes - a.bytes || a.path.localeCompare(b.path));
    const bytes = roots.reduce((n, r) => n + r.bytes, 0);
    if (bytes > 0) out.push({ layer, bytes, roots });
  }
  return out;
}
