/**
 * A bounded reader of one table of an SQLite database file: rpm ≥ 4.16's `rpmdb.sqlite`, whose table
 * `Packages(hnum INTEGER PRIMARY KEY, blob BLOB)` holds one header blob a row.
 *
 * Why a reader of our own and not SQLite itself: Node 20, which the CLI supports, has no `node:sqlite`
 * (Node 22.5+ has it behind a flag at first), so it could not be the one reader everywhere. A WebAssembly
 * SQLite (sql.js, @sqlite.org/sqlite-wasm) works everywhere but adds about 1 MB to each bundle and its
 * start-up to the scan, and it is a general database engine run on hostile bytes with no bound we can
 * state. Reading one table needs little of the file format: the 100-byte header, the table B-tree of
 * `sqlite_schema` on page 1 to find the table's root page, interior (0x05) and leaf (0x0D) table pages,
 * varints, the record format and overflow chains. That is a few hundred lines with no dependency, the
 * same on Node 20 and 24, and bounded: every page is visited at most once (a page reached twice, a cycle,
 * ends that branch with a note), page numbers are checked against the file, and a payload can never be
 * longer than the file.
 *
 * Not read: the write-ahead log (`rpmdb.sqlite-wal`). rpm keeps the database in WAL mode but checkpoints
 * and removes the log when it closes it, so an image built by finished rpm/dnf runs has none.
 */
import { Notes } from './notes.js';

const MAGIC = 'SQLite format 3\0';

interface Db {
  bytes: Uint8Array;
  dv: DataView;
  pageSize: number;
  usable: number;
  pages: number;
  /** Pages already visited, in any B-tree or overflow chain: a second visit is a cycle or a shared page. */
  seen: Set<number>;
  notes: Notes;
}

/** A row: its rowid and its columns (numbers, byte strings, or null). */
export interface Row {
  rowid: number;
  values: (number | Uint8Array | null)[];
}

/** The rows of `table`, in rowid order, or a note saying why they could not be read. */
export function sqliteRows(bytes: Uint8Array, table: string, notes: Notes): Row[] {
  const db = open(bytes, notes);
  if (!db) return [];
  const root = findTable(db, table);
  if (root === undefined) return [];
  const rows: Row[] = [];
  walk(db, root, (rowid, payload) => {
    const values = record(payload);
    if (values) rows.push({ rowid, values });
    else notes.add('rpmdb.sqlite: a row that is not a well-formed record');
  });
  return rows;
}

function open(bytes: Uint8Array, notes: Notes): Db | undefined {
  if (bytes.length < 100 || Buffer.from(bytes.subarray(0, 16)).toString('latin1') !== MAGIC) {
    notes.add('rpmdb.sqlite: not an SQLite database');
    return undefined;
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const raw = dv.getUint16(16);
  const pageSize = raw === 1 ? 65536 : raw;
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    notes.add('rpmdb.sqlite: a page size SQLite does not allow');
    return undefined;
  }
  const usable = pageSize - (bytes[20] as number);
  if (usable < 480) {
    notes.add('rpmdb.sqlite: a reserved space SQLite does not allow');
    return undefined;
  }
  if (dv.getUint32(56) > 1) notes.add('rpmdb.sqlite: a text encoding other than UTF-8');
  const pages = Math.floor(bytes.length / pageSize);
  if (bytes.length % pageSize !== 0) notes.add('rpmdb.sqlite: truncated (not a whole number of pages)');
  return { bytes, dv, pageSize, usable, pages, seen: new Set(), notes };
}

/** The root page of a table, from `sqlite_schema` (page 1): type 'table', name as given. */
function findTable(db: Db, table: string): number | undefined {
  let root: number | undefined;
  walk(db, 1, (_rowid, payload) => {
    const v = record(payload);
    if (!v || root !== undefined) return;
    const [type, name, , page] = v;
    if (isText(type, 'table') && isText(name, table) && typeof page === 'number') root = page;
  });
  if (root === undefined) db.notes.add(`rpmdb.sqlite: no table ${table}`);
  return root;
}

const isText = (v: unknown, s: string): boolean =>
  v instanceof Uint8Array && Buffer.from(v.buffer, v.byteOffset, v.length).toString('utf8') === s;

/** A table B-tree, depth first with an explicit stack, each page at most once. */
function walk(db: Db, root: number, leafCell: (rowid: number, payload: Uint8Array) => void): void {
  const stack = [root];
  while (stack.length > 0) {
    const page = stack.pop() as number;
    if (!take(db, page)) continue;
    const base = (page - 1) * db.pageSize;
    const hdr = base + (page === 1 ? 100 : 0);
    const kind = db.bytes[hdr];
    if (kind !== 0x05 && kind !== 0x0d) {
      db.notes.add('rpmdb.sqlite: a B-tree page of an unexpected kind');
      continue;
    }
    const cells = db.dv.getUint16(hdr + 3);
    const ptrs = hdr + (kind === 0x05 ? 12 : 8);
    if (ptrs + cells * 2 > base + db.usable) {
      db.notes.add('rpmdb.sqlite: a page with more cells than it can hold');
      continue;
    }
    if (kind === 0x0d) {
      for (const c of leafCells(db, base, ptrs, cells)) leaf(db, c, leafCell);
      continue;
    }
    const children: number[] = [];
    for (let i = 0; i < cells; i++) {
      const at = base + db.dv.getUint16(ptrs + i * 2);
      if (at < ptrs + cells * 2 || at + 4 > base + db.usable) {
        db.notes.add('rpmdb.sqlite: a cell pointer outside its page');
        continue;
      }
      children.push(db.dv.getUint32(at));
    }
    children.push(db.dv.getUint32(hdr + 8));
    // Reversed, so that pages pop left to right and rows come in rowid order. A child seen twice is refused
    // by take(), so an interior page costs its cell count at most.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as number);
  }
}

interface Cell {
  rowid: number;
  /** The payload's size, where the cell starts, and how much of the payload is on the page. */
  size: number;
  from: number;
  local: number;
  /** Where the cell ends on its page (after the overflow page number, if any). */
  end: number;
}

/**
 * A leaf page's cells, in pointer order, each parsed once. Cells that overlap one another are dropped: SQLite
 * never writes them, and pointers to one shared cell would make a page cost its cells times its size.
 */
function leafCells(db: Db, base: number, ptrs: number, cells: number): Cell[] {
  const out: Cell[] = [];
  for (let i = 0; i < cells; i++) {
    const at = base + db.dv.getUint16(ptrs + i * 2);
    if (at < ptrs + cells * 2 || at >= base + db.usable) {
      db.notes.add('rpmdb.sqlite: a cell pointer outside its page');
      continue;
    }
    const c = cellAt(db, at, base + db.usable);
    if (c) out.push(c);
  }
  const byStart = [...out].sort((a, b) => a.from - b.from);
  const bad = new Set<Cell>();
  for (let i = 1; i < byStart.length; i++)
    if ((byStart[i] as Cell).from < (byStart[i - 1] as Cell).end) bad.add(byStart[i] as Cell);
  if (bad.size) db.notes.add('rpmdb.sqlite: cells that overlap on their page');
  return bad.size ? out.filter((c) => !bad.has(c)) : out;
}

/** A table leaf cell's header (payload size, rowid) and extent, or undefined (with a note). */
function cellAt(db: Db, at: number, end: number): Cell | undefined {
  const size = varint(db.bytes, at, end);
  const rowid = size && varint(db.bytes, size.next, end);
  if (!size || !rowid) return void db.notes.add('rpmdb.sqlite: a cell that runs past its page');
  const p = size.value;
  if (p > db.bytes.length) return void db.notes.add('rpmdb.sqlite: a payload longer than the file');
  const local = localSize(db.usable, p);
  const cellEnd = rowid.next + local + (local < p ? 4 : 0);
  if (cellEnd > end) return void db.notes.add('rpmdb.sqlite: a cell that runs past its page');
  return { rowid: rowid.value, size: p, from: at, local, end: cellEnd };
}

/** Marks a page visited; false (with a note) for a page number out of range or seen before. */
function take(db: Db, page: number): boolean {
  if (page < 1 || page > db.pages) {
    db.notes.add('rpmdb.sqlite: a page number past the end of the file');
    return false;
  }
  if (db.seen.has(page)) {
    db.notes.add('rpmdb.sqlite: a page reached twice (a cycle in its page pointers)');
    return false;
  }
  db.seen.add(page);
  return true;
}

/** One table leaf cell's payload: its local part and then its overflow chain. */
function leaf(db: Db, c: Cell, out: (rowid: number, payload: Uint8Array) => void): void {
  const p = c.size;
  const local = c.local;
  const from = c.end - local - (local < p ? 4 : 0);
  if (local === p) return out(c.rowid, db.bytes.subarray(from, from + p));
  // The chain is walked before anything is allocated: a cell that claims a long payload costs only the
  // pages it really has, and those pages are spent for every later cell.
  const chain: number[] = [];
  let next = db.dv.getUint32(from + local);
  for (let have = local; have < p; have += db.usable - 4) {
    if (next === 0 || !take(db, next))
      return void db.notes.add('rpmdb.sqlite: an overflow chain that ends early or loops');
    chain.push(next);
    next = db.dv.getUint32((next - 1) * db.pageSize);
  }
  const payload = new Uint8Array(p);
  payload.set(db.bytes.subarray(from, from + local));
  let have = local;
  for (const page of chain) {
    const o = (page - 1) * db.pageSize + 4;
    const n = Math.min(p - have, db.usable - 4);
    payload.set(db.bytes.subarray(o, o + n), have);
    have += n;
  }
  out(c.rowid, payload);
}

/** How much of a table leaf payload of `p` bytes is stored on the page (the file format's formula). */
function localSize(u: number, p: number): number {
  const x = u - 35;
  if (p <= x) return p;
  const m = Math.floor(((u - 12) * 32) / 255) - 23;
  const k = m + ((p - m) % (u - 4));
  return k <= x ? k : m;
}

/** A varint (1..9 bytes, big-endian groups of 7 bits, the 9th byte whole), or undefined past `end`. */
function varint(b: Uint8Array, at: number, end: number): { value: number; next: number } | undefined {
  let v = 0;
  for (let i = 0; i < 9; i++) {
    if (at + i >= end) return undefined;
    const c = b[at + i] as number;
    if (i === 8) return { value: v * 256 + c, next: at + 9 };
    v = v * 128 + (c & 0x7f);
    if (c < 0x80) return { value: v, next: at + i + 1 };
  }
  return undefined;
}

/** A record: header of serial types, then the values; undefined when it is not well formed. */
function record(p: Uint8Array): (number | Uint8Array | null)[] | undefined {
  const h = varint(p, 0, p.length);
  if (!h || h.value > p.length || h.value < h.next) return undefined;
  const types: number[] = [];
  for (let at = h.next; at < h.value;) {
    const t = varint(p, at, h.value);
    if (!t) return undefined;
    types.push(t.value);
    at = t.next;
  }
  const dv = new DataView(p.buffer, p.byteOffset, p.length);
  const out: (number | Uint8Array | null)[] = [];
  let at = h.value;
  for (const t of types) {
    const n = serialSize(t);
    if (n === undefined || at + n > p.length) return undefined;
    out.push(value(t, p, dv, at, n));
    at += n;
  }
  return out;
}

const INT_SIZES = [0, 1, 2, 3, 4, 6, 8, 8, 0, 0];

function serialSize(t: number): number | undefined {
  if (t < 10) return INT_SIZES[t];
  if (t < 12) return undefined;
  return Math.floor((t - 12) / 2);
}

function value(t: number, p: Uint8Array, dv: DataView, at: number, n: number): number | Uint8Array | null {
  if (t === 0) return null;
  if (t === 8 || t === 9) return t - 8;
  if (t === 7) return dv.getFloat64(at);
  if (t >= 12) return p.subarray(at, at + n);
  // A big-endian two's complement integer of n bytes (up to 8: past 2^53 it is approximate, never used).
  let v = (p[at] as number) >= 0x80 ? -1 : 0;
  for (let i = 0; i < n; i++) v = v * 256 + (p[at + i] as number);
  return v;
}
