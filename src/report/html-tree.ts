/**
 * The file tree the HTML report draws (pure): this PR's files and the baseline's merged by path, with each
 * directory's bytes summed, and bounded so that a page for a 100,000-file image stays small and quick.
 *
 * Two bounds, both stated on the page:
 * - in a directory with more than `foldOver` files, only the largest `foldOver` are tiles of their own; the
 *   rest are one tile, "(N smaller files)", whose names are kept for the search box;
 * - at most `maxNamed` names (and `maxNameChars` characters of names) are kept in all, the largest files
 *   first; the others are counted in their directory's fold tile, without a name.
 *
 * Sizes are uncompressed bytes of regular files (a hard link shares its target's bytes, so it counts 0), as
 * the diff counts them. Names are the report's shown names (src/report/names.ts), with anything invisible
 * or reordering made visible (escapeInvisible): the page shows them as text, never as markup.
 */
import type { Report, ReportFile } from '../types/report.js';
import { escapeInvisible } from '../util/text.js';

/**
 * A node of the page's tree. Short keys, and absent keys for absent values, keep 100,000 files in a few MB.
 * `s`/`b` present means the node is in this PR's/the baseline's image.
 */
export interface PageNode {
  /** One path component ('' for a fold tile; '/' for the root). */
  n: string;
  /** This PR's bytes (a directory: the sum below it). Absent: not in this PR's image. */
  s?: number;
  /** The baseline's bytes. Absent: not in the baseline (or no baseline). */
  b?: number;
  /** This PR's layer: a file's own; a directory's or fold's, the layer that holds most of its bytes. */
  l?: number;
  /** The baseline's layer, likewise. */
  m?: number;
  /**
   * This PR's owner, an index into the page's `owners` (the report's `packages`): a file's own; a
   * directory's or fold's, the owner of most of its bytes. Absent: your files (no package), or a report
   * without packages.
   */
  o?: number;
  /** The baseline's owner, an index into `baselineOwners`, likewise. */
  q?: number;
  /** A directory's children, largest first. */
  c?: PageNode[];
  /** Entries below a directory in this PR (all types but directories). */
  k?: number;
  /** A file that is not regular: symlink, hardlink, char, block, fifo. */
  t?: string;
  /** 1 when this name is not UTF-8: its stray bytes are shown as \\xHH (see src/report/names.ts). */
  x?: 1;
  /** A fold tile: how many files it holds. */
  f?: number;
  /**
   * A fold tile: the named files in it, as [name, PR bytes, baseline bytes, PR layer, baseline layer], -1
   * for absent; then PR owner and baseline owner (-1: your files) when either report has packages.
   */
  z?: FoldedFile[];
}

type FoldedFile = [string, number, number, number, number, number?, number?];

/** No package owns it: the user's own files. */
const NO_OWNER = -1;

export interface TreeOptions {
  /** A directory with more files than this folds the smaller ones into one tile (default 100). */
  foldOver?: number;
  /** Names kept in all, largest files first (default 250,000). */
  maxNamed?: number;
  /** Characters of names kept in all (default 4,000,000). */
  maxNameChars?: number;
}

export interface TreeStats {
  /** Entries that are not directories, in this PR's image and in the baseline's. */
  files: number;
  baselineFiles: number;
  /** Fold tiles, and the files they hold. */
  folds: number;
  folded: number;
  /** Files whose names were left out (over maxNamed or maxNameChars). */
  unnamed: number;
  foldOver: number;
}

const FOLD_OVER = 100;
const MAX_NAMED = 250_000;
const MAX_NAME_CHARS = 4_000_000;

/** A node while the tree is built: both sides' bytes, per-layer bytes for the dominant layer. */
interface Draft {
  name: string;
  dir: boolean;
  s: number | undefined;
  b: number | undefined;
  l: number | undefined;
  m: number | undefined;
  type: string | undefined;
  /** Directories: children keyed by name, with '/' after a directory's (a file and a directory may share a name across the two images). */
  kids: Map<string, Draft> | undefined;
  byLayer: Map<number, number> | undefined;
  byMainLayer: Map<number, number> | undefined;
  /** Leaves: the owning package of each side (NO_OWNER: none); directories: bytes per owner. */
  o: number;
  q: number;
  byOwner: Map<number, number> | undefined;
  byMainOwner: Map<number, number> | undefined;
  count: number;
  /** Leaves: whether the name is kept. */
  named: boolean;
  /** The name is not UTF-8 (shown with \\xHH escapes). */
  raw: boolean;
}

function draft(name: string, dir: boolean): Draft {
  return {
    name,
    dir,
    s: undefined,
    b: undefined,
    l: undefined,
    m: undefined,
    type: undefined,
    kids: dir ? new Map() : undefined,
    byLayer: undefined,
    byMainLayer: undefined,
    o: NO_OWNER,
    q: NO_OWNER,
    byOwner: undefined,
    byMainOwner: undefined,
    count: 0,
    named: true,
    raw: false,
  };
}

/** Bytes a file adds to the tree: regular files only (a hard link's bytes are its target's). */
const bytesOf = (f: ReportFile): number => (f.type === 'file' ? f.size : 0);

function add(map: Map<number, number> | undefined, layer: number, n: number): Map<number, number> {
  const m = map ?? new Map<number, number>();
  m.set(layer, (m.get(layer) ?? 0) + n);
  return m;
}

/** The layer (or owner) with the most bytes; the lowest index on a tie (and when nothing has bytes). */
function dominant(map: Map<number, number> | undefined): number | undefined {
  if (!map) return undefined;
  let best: number | undefined;
  let most = -1;
  for (const [layer, n] of map) {
    if (n > most || (n === most && best !== undefined && layer < best)) {
      best = layer;
      most = n;
    }
  }
  return best;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Which components of a name are not UTF-8, from its exact bytes (`pathBase64`): a shown `a\xff` may be
 * the byte 0xff or a literal backslash, and the two must stay two nodes.
 */
function rawComponents(f: ReportFile): boolean[] | undefined {
  if (f.pathBase64 === undefined) return undefined;
  const out: boolean[] = [];
  for (const part of Buffer.from(f.pathBase64, 'base64').toString('latin1').split('/')) {
    if (part === '' || part === '.') continue;
    try {
      strictUtf8.decode(Buffer.from(part, 'latin1'));
      out.push(false);
    } catch {
      out.push(true);
    }
  }
  return out;
}

/** The child of `dir` for one path component, made on first use. Keys are the raw component (two
 * names never share a key); a name that is not UTF-8 and a directory each get a marker. */
function child(dir: Draft, part: string, isDir: boolean, isRaw: boolean, leaves: Draft[]): Draft {
  const key = `${part}${isRaw ? '\0' : ''}${isDir ? '/' : ''}`;
  let next = dir.kids!.get(key);
  if (!next) {
    next = draft(escapeInvisible(part), isDir);
    next.raw = isRaw;
    dir.kids!.set(key, next);
    if (!isDir) leaves.push(next);
  }
  return next;
}

/**
 * Adds one file of one side. Only the entry's own node is marked; finish() sums directories bottom up.
 * The last parent is remembered: a report lists a directory's files together, so most lookups are one
 * string comparison.
 */
class Inserter {
  private lastDir = '';
  private lastNode: Draft;
  constructor(
    private readonly root: Draft,
    private readonly leaves: Draft[],
    /** How many packages this side's report lists: owners outside it count as none. */
    private readonly packages: number,
  ) {
    this.lastNode = root;
  }

  add(f: ReportFile, side: 'pr' | 'main'): void {
    const isDir = f.type === 'dir';
    let node: Draft;
    if (f.pathBase64 !== undefined) node = this.walk(f.path, isDir, rawComponents(f));
    else if (isDir) node = this.walk(f.path, true, undefined);
    else {
      const cut = f.path.lastIndexOf('/');
      const dir = cut > 0 ? f.path.slice(0, cut) : '';
      if (dir !== this.lastDir) {
        this.lastNode = this.walk(dir, true, undefined);
        this.lastDir = dir;
      }
      const name = f.path.slice(cut + 1);
      node =
        name === '' || name === '.' ? this.lastNode : child(this.lastNode, name, false, false, this.leaves);
    }
    if (side === 'pr') {
      node.s = (node.s ?? 0) + bytesOf(f);
      if (!isDir) {
        node.l = f.layer;
        node.o = this.ownerOf(f);
      }
    } else {
      node.b = (node.b ?? 0) + bytesOf(f);
      if (!isDir) {
        node.m = f.layer;
        node.q = this.ownerOf(f);
      }
    }
    if (!isDir && f.type !== 'file' && (side === 'pr' || node.type === undefined)) node.type = f.type;
  }

  private ownerOf(f: ReportFile): number {
    const o = f.owner;
    return o !== undefined && Number.isInteger(o) && o >= 0 && o < this.packages ? o : NO_OWNER;
  }

  private walk(path: string, isDir: boolean, raw: boolean[] | undefined): Draft {
    const parts = path.split('/').filter((p) => p !== '' && p !== '.');
    let node = this.root;
    for (let i = 0; i < parts.length; i++)
      node = child(node, parts[i]!, i < parts.length - 1 || isDir, raw?.[i] === true, this.leaves);
    return node;
  }
}

const weight = (d: Draft): number => Math.max(d.s ?? 0, d.b ?? 0);
const byWeight = (a: Draft, b: Draft): number =>
  weight(b) - weight(a) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Marks the names kept: the largest files first, within both budgets. */
function chooseNamed(leaves: Draft[], maxNamed: number, maxChars: number): number {
  if (leaves.length <= maxNamed) {
    let chars = 0;
    for (const l of leaves) chars += l.name.length;
    if (chars <= maxChars) return 0;
  }
  const sorted = [...leaves].sort(byWeight);
  let named = 0;
  let chars = 0;
  let unnamed = 0;
  for (const l of sorted) {
    if (named < maxNamed && chars + l.name.length <= maxChars) {
      named++;
      chars += l.name.length;
    } else {
      l.named = false;
      unnamed++;
    }
  }
  return unnamed;
}

function leafNode(d: Draft): PageNode {
  const out: PageNode = { n: d.name };
  if (d.s !== undefined) out.s = d.s;
  if (d.b !== undefined) out.b = d.b;
  if (d.l !== undefined) out.l = d.l;
  if (d.m !== undefined) out.m = d.m;
  if (d.s !== undefined && d.o !== NO_OWNER) out.o = d.o;
  if (d.b !== undefined && d.q !== NO_OWNER) out.q = d.q;
  if (d.type !== undefined) out.t = d.type;
  if (d.raw) out.x = 1;
  return out;
}

/**
 * Sums a directory's subtree bottom up: bytes and presence of each side, files, bytes per layer and, for a
 * side whose report has packages, bytes per owner.
 */
function rollUp(d: Draft, owners: Sides): void {
  for (const kid of d.kids!.values()) {
    if (kid.dir) {
      rollUp(kid, owners);
      if (kid.byLayer) for (const [l, n] of kid.byLayer) d.byLayer = add(d.byLayer, l, n);
      if (kid.byMainLayer) for (const [l, n] of kid.byMainLayer) d.byMainLayer = add(d.byMainLayer, l, n);
      if (kid.byOwner) for (const [o, n] of kid.byOwner) d.byOwner = add(d.byOwner, o, n);
      if (kid.byMainOwner) for (const [o, n] of kid.byMainOwner) d.byMainOwner = add(d.byMainOwner, o, n);
    } else {
      if (kid.s !== undefined) {
        d.byLayer = add(d.byLayer, kid.l ?? 0, kid.s);
        if (owners.pr) d.byOwner = add(d.byOwner, kid.o, kid.s);
        kid.count = 1;
      }
      if (kid.b !== undefined) {
        d.byMainLayer = add(d.byMainLayer, kid.m ?? 0, kid.b);
        if (owners.main) d.byMainOwner = add(d.byMainOwner, kid.q, kid.b);
      }
    }
    if (kid.s !== undefined) d.s = (d.s ?? 0) + kid.s;
    if (kid.b !== undefined) d.b = (d.b ?? 0) + kid.b;
    d.count += kid.count;
  }
}

/** Which sides' reports list packages (and so have owners to show). */
interface Sides {
  pr: boolean;
  main: boolean;
}

/** Sets a node's dominant owners; your files (NO_OWNER) are the absent key. */
function setOwners(
  out: PageNode,
  byOwner: Map<number, number> | undefined,
  byMainOwner: Map<number, number> | undefined,
): void {
  const o = dominant(byOwner);
  const q = dominant(byMainOwner);
  if (o !== undefined && o !== NO_OWNER) out.o = o;
  if (q !== undefined && q !== NO_OWNER) out.q = q;
}

function finish(d: Draft, foldOver: number, stats: TreeStats, owners: Sides): PageNode {
  const out: PageNode = { n: d.name };
  if (d.raw) out.x = 1;
  if (d.s !== undefined) {
    out.s = d.s;
    out.k = d.count;
  }
  if (d.b !== undefined) out.b = d.b;
  const l = dominant(d.byLayer);
  const m = dominant(d.byMainLayer);
  if (l !== undefined) out.l = l;
  if (m !== undefined) out.m = m;
  setOwners(out, d.byOwner, d.byMainOwner);
  const dirs: PageNode[] = [];
  const files: Draft[] = [];
  for (const kid of d.kids!.values()) {
    if (kid.dir) dirs.push(finish(kid, foldOver, stats, owners));
    else files.push(kid);
  }
  files.sort(byWeight);
  const shown: Draft[] = [];
  const folded: Draft[] = [];
  for (const f of files) (f.named && shown.length < foldOver ? shown : folded).push(f);
  // One file over the limit is shown rather than folded alone, unless its name was left out.
  if (folded.length === 1 && folded[0]!.named) shown.push(folded.pop()!);
  const kids = [...dirs, ...shown.map(leafNode)];
  if (folded.length) kids.push(foldTile(folded, stats, owners));
  kids.sort((a, b) => Math.max(b.s ?? 0, b.b ?? 0) - Math.max(a.s ?? 0, a.b ?? 0));
  out.c = kids;
  return out;
}

function foldTile(files: readonly Draft[], stats: TreeStats, owners: Sides): PageNode {
  const out: PageNode = { n: '', f: files.length };
  let byLayer: Map<number, number> | undefined;
  let byMainLayer: Map<number, number> | undefined;
  let byOwner: Map<number, number> | undefined;
  let byMainOwner: Map<number, number> | undefined;
  const withOwners = owners.pr || owners.main;
  const z: FoldedFile[] = [];
  for (const f of files) {
    if (f.s !== undefined) {
      out.s = (out.s ?? 0) + f.s;
      byLayer = add(byLayer, f.l ?? 0, f.s);
      if (owners.pr) byOwner = add(byOwner, f.o, f.s);
    }
    if (f.b !== undefined) {
      out.b = (out.b ?? 0) + f.b;
      byMainLayer = add(byMainLayer, f.m ?? 0, f.b);
      if (owners.main) byMainOwner = add(byMainOwner, f.q, f.b);
    }
    if (f.named) {
      const row: FoldedFile = [f.name, f.s ?? -1, f.b ?? -1, f.l ?? -1, f.m ?? -1];
      if (withOwners) row.push(f.s !== undefined ? f.o : NO_OWNER, f.b !== undefined ? f.q : NO_OWNER);
      z.push(row);
    }
  }
  const l = dominant(byLayer);
  const m = dominant(byMainLayer);
  if (l !== undefined) out.l = l;
  if (m !== undefined) out.m = m;
  setOwners(out, byOwner, byMainOwner);
  if (z.length) out.z = z;
  stats.folds++;
  stats.folded += files.length;
  return out;
}

/** Owners a file may name: the listed packages, and one more for those not listed (`ownership.more`). */
const ownerCount = (r: Report): number =>
  (r.packages?.length ?? 0) + (r.packages?.length && r.ownership?.more ? 1 : 0);

/** The merged, bounded tree of this PR's image (and the baseline's), rooted at '/'. */
export function buildTree(
  report: Report,
  baseline?: Report,
  o: TreeOptions = {},
): { root: PageNode; stats: TreeStats } {
  const foldOver = o.foldOver ?? FOLD_OVER;
  const root = draft('/', true);
  const leaves: Draft[] = [];
  const owners: Sides = {
    pr: (report.packages?.length ?? 0) > 0,
    main: (baseline?.packages?.length ?? 0) > 0,
  };
  const inserter = new Inserter(root, leaves, ownerCount(report));
  for (const f of report.files) inserter.add(f, 'pr');
  const forMain = new Inserter(root, leaves, baseline ? ownerCount(baseline) : 0);
  if (baseline) for (const f of baseline.files) forMain.add(f, 'main');
  rollUp(root, owners);
  // The root is in both images whatever their files.
  root.s ??= 0;
  if (baseline) root.b ??= 0;
  const stats: TreeStats = {
    files: report.files.filter((f) => f.type !== 'dir').length,
    baselineFiles: baseline ? baseline.files.filter((f) => f.type !== 'dir').length : 0,
    folds: 0,
    folded: 0,
    unnamed: chooseNamed(leaves, o.maxNamed ?? MAX_NAMED, o.maxNameChars ?? MAX_NAME_CHARS),
    foldOver,
  };
  return { root: finish(root, foldOver, stats, owners), stats };
}
