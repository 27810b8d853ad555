// Table tests for flatten(): the OCI changeset rules as overlayfs and umoci apply them. The cases are the
// ones image tools have historically got wrong: opaque directories, whiteouts and entry order inside one
// layer, hard links across layers, and parents that go through symlinks.
import { describe, expect, it } from 'vitest';
import { flatten, type Flattened, type LayerInput, type ProblemKind } from '../../src/flatten/flatten.js';
import { MAX_DEPTH } from '../../src/util/limits.js';
import type { EntryRecord } from '../../src/scan/layer.js';
import { D, F, H, S } from '../helpers/records.js';

/** Docker and containerd write whiteouts as empty regular files. */
const WH = (dir: string, name: string): EntryRecord => F(`${dir === '/' ? '' : dir}/.wh.${name}`);
const OPQ = (dir: string): EntryRecord => F(`${dir === '/' ? '' : dir}/.wh..wh..opq`);

const L = (...entries: EntryRecord[]): LayerInput => ({ entries });

/** The final file system as "path → type size [→ link]". */
function fs(r: Flattened): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of r.files) {
    let s = `${f.type} ${f.size}`;
    if (f.link !== null) s += ` → ${f.link}`;
    out[f.path] = s;
  }
  return out;
}

function problems(r: Flattened): [ProblemKind, string, number][] {
  return r.problems.map((p) => [p.kind, p.path, p.layer]);
}

function byPath(r: Flattened, path: string): Flattened['files'][number] {
  const f = r.files.find((x) => x.path === path);
  if (!f) throw new Error(`${path} is not in the flattened file system: ${Object.keys(fs(r)).join(' ')}`);
  return f;
}

interface Case {
  name: string;
  layers: LayerInput[];
  files: Record<string, string>;
  wasted?: number;
  layerWasted?: number[];
  uncompressed?: number;
  problems?: [ProblemKind, string, number][];
}

function check(c: Case): Flattened {
  const r = flatten(c.layers);
  expect(fs(r)).toEqual(c.files);
  expect(problems(r)).toEqual(c.problems ?? []);
  if (c.wasted !== undefined) expect(r.wasted).toBe(c.wasted);
  if (c.layerWasted !== undefined) expect(r.layerWasted).toEqual(c.layerWasted);
  if (c.uncompressed !== undefined) expect(r.uncompressed).toBe(c.uncompressed);
  return r;
}

describe('flatten: whiteouts', () => {
  const cases: Case[] = [
    {
      name: 'a whiteout deletes a file of a lower layer',
      layers: [L(D('/a'), F('/a/f', 10), F('/a/g', 1)), L(WH('/a', 'f'))],
      files: { '/a': 'dir 0', '/a/g': 'file 1' },
      wasted: 10,
      layerWasted: [10, 0],
      uncompressed: 1,
    },
    {
      name: 'a whiteout of a directory deletes its whole subtree',
      layers: [L(D('/d'), D('/d/e'), F('/d/e/f', 5), F('/d/g', 3), F('/keep', 2)), L(WH('/', 'd'))],
      files: { '/keep': 'file 2' },
      wasted: 8,
      layerWasted: [8, 0],
    },
    {
      name: 'a directory deleted and created again later has none of its old children',
      layers: [L(D('/d'), F('/d/old', 4)), L(WH('/', 'd')), L(D('/d'), F('/d/new', 1))],
      files: { '/d': 'dir 0', '/d/new': 'file 1' },
      wasted: 4,
    },
    {
      name: 'a whiteout of a symlink deletes the link, not what it points at',
      layers: [L(D('/b'), F('/b/x', 3), S('/a', 'b')), L(WH('/', 'a'))],
      files: { '/b': 'dir 0', '/b/x': 'file 3' },
      wasted: 0,
    },
    {
      name: 'a whiteout of a path that does not exist is a no-op',
      layers: [L(D('/d'), F('/a', 1)), L(WH('/', 'nothing'), WH('/no/such/dir', 'x'), WH('/d', 'x'))],
      files: { '/a': 'file 1', '/d': 'dir 0' },
      wasted: 0,
    },
    {
      name: 'a whiteout never hides an entry of its own layer (whiteout first)',
      layers: [L(F('/x', 7)), L(WH('/', 'x'), F('/x', 2))],
      files: { '/x': 'file 2' },
      wasted: 7,
    },
    {
      name: 'a whiteout never hides an entry of its own layer (whiteout last)',
      layers: [L(F('/x', 7)), L(F('/x', 2), WH('/', 'x'))],
      files: { '/x': 'file 2' },
      wasted: 7,
    },
    {
      name: "a whiteout never hides its own layer's new directory and children, in either order",
      layers: [
        L(D('/d'), F('/d/lower', 3), D('/e'), F('/e/lower', 4)),
        L(D('/d'), F('/d/mine', 1), WH('/', 'd'), WH('/', 'e'), D('/e'), F('/e/mine', 1)),
      ],
      files: { '/d': 'dir 0', '/d/mine': 'file 1', '/e': 'dir 0', '/e/mine': 'file 1' },
      wasted: 7,
    },
    {
      name: 'a whiteout with nothing below it at all',
      layers: [L(WH('/', 'x'), F('/y', 1))],
      files: { '/y': 'file 1' },
    },
    {
      name: 'a whiteout through a symlinked parent deletes at the real path (as securejoin resolves it)',
      layers: [L(D('/usr'), D('/usr/lib'), F('/usr/lib/x', 6), S('/lib', 'usr/lib')), L(WH('/lib', 'x'))],
      files: { '/lib': 'symlink 0 → usr/lib', '/usr': 'dir 0', '/usr/lib': 'dir 0' },
      wasted: 6,
    },
  ];
  it.each(cases)('$name', (c) => void check(c));
});

describe('flatten: opaque directories', () => {
  const lower = L(D('/d'), F('/d/old', 4), D('/d/sub'), F('/d/sub/x', 2), F('/outside', 1));
  const cases: Case[] = [
    {
      name: 'the opaque marker after the new children',
      layers: [lower, L(D('/d'), F('/d/new', 1), OPQ('/d'))],
      files: { '/d': 'dir 0', '/d/new': 'file 1', '/outside': 'file 1' },
      wasted: 6,
      layerWasted: [6, 0],
    },
    {
      name: 'the opaque marker before the new children',
      layers: [lower, L(D('/d'), OPQ('/d'), F('/d/new', 1))],
      files: { '/d': 'dir 0', '/d/new': 'file 1', '/outside': 'file 1' },
      wasted: 6,
    },
    {
      name: 'the opaque marker before its own directory entry',
      layers: [lower, L(OPQ('/d'), D('/d'), F('/d/new', 1))],
      files: { '/d': 'dir 0', '/d/new': 'file 1', '/outside': 'file 1' },
      wasted: 6,
    },
    {
      name: 'the opaque marker with no directory entry in its layer',
      layers: [lower, L(F('/d/new', 1), OPQ('/d'))],
      files: { '/d': 'dir 0', '/d/new': 'file 1', '/outside': 'file 1' },
      wasted: 6,
    },
    {
      name: 'a subdirectory recreated in the opaque layer has only the new children',
      layers: [lower, L(OPQ('/d'), D('/d/sub'), F('/d/sub/new', 1))],
      files: { '/d': 'dir 0', '/d/sub': 'dir 0', '/d/sub/new': 'file 1', '/outside': 'file 1' },
      wasted: 6,
    },
    {
      name: 'an opaque marker at the root hides everything below',
      layers: [lower, L(OPQ('/'), F('/fresh', 9))],
      files: { '/fresh': 'file 9' },
      wasted: 7,
    },
    {
      name: 'an opaque directory that does not exist below is a plain new directory',
      layers: [lower, L(D('/n'), OPQ('/n'), F('/n/a', 1))],
      files: {
        '/d': 'dir 0',
        '/d/old': 'file 4',
        '/d/sub': 'dir 0',
        '/d/sub/x': 'file 2',
        '/n': 'dir 0',
        '/n/a': 'file 1',
        '/outside': 'file 1',
      },
      wasted: 0,
    },
    {
      // overlayfs marks a directory opaque whenever it is created where a lower non-directory was removed,
      // so `rm /a && mkdir /a` over a lower file yields exactly this layer. Nothing here is a problem.
      name: 'opaque over a lower file: the directory replaces the file, no problem',
      layers: [L(F('/a', 5)), L(D('/a'), OPQ('/a'), F('/a/y', 1))],
      files: { '/a': 'dir 0', '/a/y': 'file 1' },
      wasted: 5,
      problems: [],
    },
    {
      // `rm /a && mkdir /a` where /a was a symlink to /b: the new /a is opaque (overlayfs), and the marker
      // hides the lower *entries of /a*, of which a symlink has none. /b must keep its files (umoci agrees).
      name: 'opaque over a lower symlink: the symlink target keeps its files',
      layers: [L(D('/b'), F('/b/x', 10), S('/a', 'b')), L(D('/a'), OPQ('/a'), F('/a/y', 1))],
      files: { '/a': 'dir 0', '/a/y': 'file 1', '/b': 'dir 0', '/b/x': 'file 10' },
      wasted: 0,
    },
  ];
  it.each(cases)('$name', (c) => void check(c));
});

describe('flatten: replacing entries', () => {
  const cases: Case[] = [
    {
      name: 'duplicates within one layer: the last entry wins',
      layers: [L(F('/a', 10), F('/a', 3), F('/b', 1), S('/b', 'a'), S('/c', 'x'), F('/c', 4))],
      files: { '/a': 'file 3', '/b': 'symlink 0 → a', '/c': 'file 4' },
      uncompressed: 7,
    },
    {
      name: 'a file replacing a directory removes the subtree',
      layers: [L(D('/d'), D('/d/e'), F('/d/e/x', 3), F('/d/y', 2)), L(F('/d', 1))],
      files: { '/d': 'file 1' },
      wasted: 5,
    },
    {
      name: 'a symlink replacing a directory removes the subtree',
      layers: [L(D('/d'), F('/d/x', 3)), L(S('/d', '/elsewhere'))],
      files: { '/d': 'symlink 0 → /elsewhere' },
      wasted: 3,
    },
    {
      name: 'a directory replacing a symlink: new entries land in the directory, not the old target',
      layers: [L(D('/b'), F('/b/x', 3), S('/a', 'b')), L(D('/a'), F('/a/y', 1))],
      files: { '/a': 'dir 0', '/a/y': 'file 1', '/b': 'dir 0', '/b/x': 'file 3' },
      wasted: 0,
    },
    {
      name: 'a directory replacing a symlink within one layer',
      layers: [L(D('/b'), S('/a', 'b'), F('/a/one', 1), D('/a'), F('/a/two', 2))],
      files: { '/a': 'dir 0', '/a/two': 'file 2', '/b': 'dir 0', '/b/one': 'file 1' },
    },
    {
      name: 'a symlink replacing a directory within one layer redirects later entries',
      layers: [L(D('/e'), D('/d'), F('/d/one', 1), S('/d', 'e'), F('/d/two', 2))],
      files: { '/d': 'symlink 0 → e', '/e': 'dir 0', '/e/two': 'file 2' },
      wasted: 1,
    },
  ];
  it.each(cases)('$name', (c) => void check(c));

  it('a directory over a directory keeps the children and takes the new mode, owner and layer', () => {
    const r = check({
      name: 'dir over dir',
      layers: [
        L(D('/d', { mode: 0o700, uid: 1 }), F('/d/x', 3)),
        L(D('/d', { mode: 0o1777, uid: 2, gid: 3 })),
      ],
      files: { '/d': 'dir 0', '/d/x': 'file 3' },
      wasted: 0,
    });
    expect(byPath(r, '/d')).toMatchObject({ mode: 0o1777, uid: 2, gid: 3, layer: 1 });
    expect(byPath(r, '/d/x').layer).toBe(0);
  });

  it('the root entry ("./") sets the root metadata and is not listed', () => {
    const r = flatten([L(D('/', { mode: 0o700 }), F('/a', 1))]);
    expect(fs(r)).toEqual({ '/a': 'file 1' });
  });
});

describe('flatten: hard links', () => {
  it('a link within a layer takes its size, mode and owner from the target; bytes count once', () => {
    const r = check({
      name: 'same layer',
      layers: [L(F('/a', 100, { mode: 0o755, uid: 5, gid: 6 }), H('/b', '/a'), H('/c', '/b'))],
      // Every other path names the inode's first path, not the path its own tar entry named.
      files: { '/a': 'file 100', '/b': 'hardlink 100 → /a', '/c': 'hardlink 100 → /a' },
      uncompressed: 100,
    });
    expect(byPath(r, '/b')).toMatchObject({ mode: 0o755, uid: 5, gid: 6, layer: 0 });
    expect(byPath(r, '/c')).toMatchObject({ mode: 0o755, uid: 5, gid: 6, size: 100 });
  });

  it('a link to a target in a lower layer shares its inode', () => {
    const r = check({
      name: 'cross layer',
      layers: [
        L(D('/usr'), F('/usr/python3.11', 6000, { mode: 0o755 })),
        L(H('/usr/python3', '/usr/python3.11')),
      ],
      files: {
        '/usr': 'dir 0',
        '/usr/python3.11': 'file 6000',
        '/usr/python3': 'hardlink 6000 → /usr/python3.11',
      },
      uncompressed: 6000,
      wasted: 0,
    });
    expect(byPath(r, '/usr/python3')).toMatchObject({ mode: 0o755, layer: 1 });
  });

  it('a link whose target is later deleted keeps the bytes, which are not wasted', () => {
    check({
      name: 'target deleted',
      // With /a gone, /b is the inode's only path: a plain file, not a link to a deleted path.
      layers: [L(F('/a', 100), H('/b', '/a')), L(WH('/', 'a'))],
      files: { '/b': 'file 100' },
      uncompressed: 100,
      wasted: 0,
      layerWasted: [0, 0],
    });
  });

  it('a cross-layer link keeps the bytes when its target is deleted in a later layer', () => {
    check({
      name: 'cross layer, target deleted',
      layers: [L(F('/a', 100)), L(H('/b', '/a')), L(WH('/', 'a'))],
      files: { '/b': 'file 100' },
      uncompressed: 100,
      wasted: 0,
    });
  });

  it('deleting a file that has another hard link is not waste', () => {
    check({
      name: 'delete one link',
      layers: [L(F('/a', 100), H('/b', '/a')), L(WH('/', 'b'))],
      files: { '/a': 'file 100' },
      uncompressed: 100,
      wasted: 0,
    });
  });

  it('deleting every path of an inode wastes its bytes once, charged to the layer that shipped them', () => {
    check({
      name: 'delete all links',
      layers: [L(F('/a', 100), H('/b', '/a')), L(H('/c', '/a')), L(WH('/', 'a'), WH('/', 'b'), WH('/', 'c'))],
      files: {},
      uncompressed: 0,
      wasted: 100,
      layerWasted: [100, 0, 0],
    });
  });

  it('overwriting a link target with a new file leaves the link on the old inode', () => {
    check({
      name: 'target overwritten',
      layers: [L(F('/a', 100), H('/b', '/a')), L(F('/a', 30))],
      files: { '/a': 'file 30', '/b': 'file 100' },
      uncompressed: 130,
      wasted: 0,
    });
  });

  it('a link through a symlinked parent directory finds its target', () => {
    check({
      name: 'link through symlink',
      layers: [
        L(D('/usr'), D('/usr/lib'), F('/usr/lib/libc.so', 50), S('/lib', 'usr/lib')),
        L(H('/libc', '/lib/libc.so')),
      ],
      files: {
        '/lib': 'symlink 0 → usr/lib',
        '/libc': 'hardlink 50 → /usr/lib/libc.so',
        '/usr': 'dir 0',
        '/usr/lib': 'dir 0',
        '/usr/lib/libc.so': 'file 50',
      },
      uncompressed: 50,
    });
  });

  it.each([
    ['to nothing', [L(H('/h', '/nowhere'))], '/h'],
    ['to a directory', [L(D('/d'), H('/h', '/d'))], '/h'],
    ['to its own later entry', [L(H('/h', '/t'), F('/t', 1))], '/h'],
  ])('a dangling hard link (%s) is a problem and not a file', (_name, layers, path) => {
    const r = flatten(layers);
    expect(r.files.map((f) => f.path)).not.toContain(path);
    expect(problems(r)).toEqual([['dangling-hardlink', path, 0]]);
  });
});

describe('flatten: waste accounting', () => {
  it('sums overwritten and deleted bytes per shipping layer and in total', () => {
    check({
      name: 'waste',
      layers: [
        L(F('/a', 10), F('/b', 20), F('/keep', 1000)),
        L(F('/a', 5), F('/c', 7)),
        L(WH('/', 'b'), WH('/', 'c'), F('/a', 1)),
      ],
      files: { '/a': 'file 1', '/keep': 'file 1000' },
      wasted: 42,
      layerWasted: [30, 12, 0],
      uncompressed: 1001,
    });
  });

  it('attributes waste to the layer that deleted or overwrote it, and where', () => {
    const r = flatten([
      L(D('/a'), F('/a/x', 10), D('/b'), F('/b/y', 20), F('/c', 30), F('/k', 1)),
      L(OPQ('/a'), WH('/', 'b'), F('/c', 5)),
      L(F('/k', 2)),
    ]);
    expect(r.wasteByLayer).toEqual([
      {
        layer: 1,
        bytes: 60,
        roots: [
          { path: '/', bytes: 30, fromLayer: 0 },
          { path: '/b', bytes: 20, fromLayer: 0 },
          { path: '/a', bytes: 10, fromLayer: 0 },
        ],
      },
      { layer: 2, bytes: 1, roots: [{ path: '/', bytes: 1, fromLayer: 0 }] },
    ]);
    // The attribution is the same waste as the totals, seen from the other side.
    expect(r.wasteByLayer.reduce((n, w) => n + w.bytes, 0)).toBe(r.wasted);
  });

  it('attributes a whiteout reached through a symlinked parent, as the totals count it', () => {
    const r = flatten([
      L(D('/usr'), D('/usr/lib'), F('/usr/lib/big', 100), S('/lib', 'usr/lib')),
      L(WH('/lib', 'big')),
    ]);
    expect(r.wasted).toBe(100);
    expect(r.wasteByLayer).toEqual([
      { layer: 1, bytes: 100, roots: [{ path: '/lib', bytes: 100, fromLayer: 0 }] },
    ]);
  });

  it('counts symlinks, directories and devices as no bytes, wasted or not', () => {
    check({
      name: 'non-files',
      layers: [
        L(S('/s', 'x'), D('/d'), { ...F('/dev/null'), type: 'char' }, F('/f', 0)),
        L(WH('/', 's'), WH('/', 'd'), WH('/dev', 'null'), WH('/', 'f')),
      ],
      files: { '/dev': 'dir 0' },
      wasted: 0,
      uncompressed: 0,
    });
  });
});

describe('flatten: paths', () => {
  it('creates implicit parent directories (0755 root) for entries whose parents are not in the tar', () => {
    const r = check({
      name: 'implicit parents',
      layers: [L(F('/x/y/z', 1))],
      files: { '/x': 'dir 0', '/x/y': 'dir 0', '/x/y/z': 'file 1' },
    });
    expect(byPath(r, '/x/y')).toMatchObject({ mode: 0o755, uid: 0, gid: 0, layer: 0 });
  });

  it('a later explicit entry updates an implicit directory', () => {
    const r = flatten([L(F('/x/y', 1), D('/x', { mode: 0o700, uid: 9 }))]);
    expect(byPath(r, '/x')).toMatchObject({ type: 'dir', mode: 0o700, uid: 9 });
    expect(fs(r)).toEqual({ '/x': 'dir 0', '/x/y': 'file 1' });
  });

  const usrLib = [D('/usr'), D('/usr/lib')];
  const cases: Case[] = [
    {
      name: 'a parent through a relative symlink (/lib → usr/lib)',
      layers: [L(...usrLib, S('/lib', 'usr/lib')), L(F('/lib/x', 1))],
      files: { '/lib': 'symlink 0 → usr/lib', '/usr': 'dir 0', '/usr/lib': 'dir 0', '/usr/lib/x': 'file 1' },
    },
    {
      name: 'a parent through an absolute symlink (/lib → /usr/lib)',
      layers: [L(...usrLib, S('/lib', '/usr/lib'), F('/lib/x', 1))],
      files: { '/lib': 'symlink 0 → /usr/lib', '/usr': 'dir 0', '/usr/lib': 'dir 0', '/usr/lib/x': 'file 1' },
    },
    {
      name: "a relative symlink in a subdirectory resolves from the link's directory",
      layers: [
        L(...usrLib, D('/opt'), D('/opt/app'), S('/opt/app/lib', '../../usr/lib'), F('/opt/app/lib/x', 1)),
      ],
      files: {
        '/opt': 'dir 0',
        '/opt/app': 'dir 0',
        '/opt/app/lib': 'symlink 0 → ../../usr/lib',
        '/usr': 'dir 0',
        '/usr/lib': 'dir 0',
        '/usr/lib/x': 'file 1',
      },
    },
    {
      name: '".." in a symlink target is clamped at the root, and the symlink is reported once',
      layers: [L(...usrLib, S('/lib', '../../../../usr/lib'), F('/lib/x', 1), F('/lib/y', 1))],
      files: {
        '/lib': 'symlink 0 → ../../../../usr/lib',
        '/usr': 'dir 0',
        '/usr/lib': 'dir 0',
        '/usr/lib/x': 'file 1',
        '/usr/lib/y': 'file 1',
      },
      problems: [['link-escape', '/lib', 0]],
    },
    {
      name: 'an absolute symlink that climbs out with ".." stays inside the image',
      layers: [L(S('/etc', '/../../host/etc'), F('/etc/passwd', 1))],
      files: {
        '/etc': 'symlink 0 → /../../host/etc',
        '/host': 'dir 0',
        '/host/etc': 'dir 0',
        '/host/etc/passwd': 'file 1',
      },
      problems: [['link-escape', '/etc', 0]],
    },
    {
      name: 'a chain of symlinks in the parent path',
      layers: [L(...usrLib, S('/l1', 'l2'), S('/l2', '/l3'), S('/l3', 'usr/lib'), F('/l1/x', 1))],
      files: {
        '/l1': 'symlink 0 → l2',
        '/l2': 'symlink 0 → /l3',
        '/l3': 'symlink 0 → usr/lib',
        '/usr': 'dir 0',
        '/usr/lib': 'dir 0',
        '/usr/lib/x': 'file 1',
      },
    },
    {
      name: 'a symlink to "." in the parent path',
      layers: [L(S('/self', '.'), F('/self/self/x', 1))],
      files: { '/self': 'symlink 0 → .', '/x': 'file 1' },
    },
    {
      name: 'a parent through a symlink whose target does not exist yet creates it',
      layers: [L(S('/lib', 'usr/lib')), L(F('/lib/x', 1))],
      files: { '/lib': 'symlink 0 → usr/lib', '/usr': 'dir 0', '/usr/lib': 'dir 0', '/usr/lib/x': 'file 1' },
    },
    {
      name: 'a parent symlink replaced by a directory in a later layer: new entries go to the directory',
      layers: [L(...usrLib, S('/lib', 'usr/lib'), F('/lib/a', 1)), L(D('/lib'), F('/lib/b', 2))],
      files: {
        '/lib': 'dir 0',
        '/lib/b': 'file 2',
        '/usr': 'dir 0',
        '/usr/lib': 'dir 0',
        '/usr/lib/a': 'file 1',
      },
    },
    {
      name: 'a file in place of a parent directory is a problem, and the entry is dropped',
      layers: [L(F('/f', 1)), L(F('/f/x', 2))],
      files: { '/f': 'file 1' },
      problems: [['not-a-directory', '/f/x', 1]],
    },
  ];
  it.each(cases)('$name', (c) => void check(c));

  it.each([
    ['two symlinks pointing at each other', [S('/a', 'b'), S('/b', 'a')], '/a/x'],
    ['a symlink pointing at itself', [S('/s', 's')], '/s/x'],
    ['an absolute self-loop', [S('/s', '/s')], '/s/x'],
    ['a symlink that grows the path on every hop', [S('/g', '/g/g')], '/g/x'],
  ])(
    'a symlink loop in a parent path (%s) is a problem, not a hang',
    { timeout: 5000 },
    (_n, links, entry) => {
      const r = flatten([L(...links), L(F(entry, 1), F('/after', 1))]);
      expect(problems(r)).toEqual([['symlink-loop', entry, 1]]);
      expect(r.files.map((f) => f.path)).toContain('/after');
      expect(r.files.some((f) => f.type === 'file' && f.path !== '/after')).toBe(false);
    },
  );

  it('AUFS bookkeeping (.wh..wh.plnk, .wh..wh.aufs, .wh..wh.orph) is neither a file nor a whiteout', () => {
    check({
      name: 'aufs',
      layers: [
        L(F('/plnk', 1), F('/aufs', 1), F('/orph', 1)),
        L(
          D('/.wh..wh.plnk'),
          F('/.wh..wh.plnk/234.567', 3),
          F('/.wh..wh.aufs'),
          D('/.wh..wh.orph'),
          F('/x', 1),
        ),
      ],
      files: { '/aufs': 'file 1', '/orph': 'file 1', '/plnk': 'file 1', '/x': 'file 1' },
      wasted: 0,
    });
  });

  it('entries that escaped the root become "escape" problems of their layer', () => {
    const r = flatten([
      { entries: [F('/ok', 1)] },
      { entries: [F('/ok2', 1)], escapes: ['../../etc/passwd', 'evil → ../../x'] },
    ]);
    expect(problems(r)).toEqual([
      ['escape', '../../etc/passwd', 1],
      ['escape', 'evil → ../../x', 1],
    ]);
    expect(fs(r)).toEqual({ '/ok': 'file 1', '/ok2': 'file 1' });
  });

  it('lists files sorted by path, each with the layer that put it there', () => {
    const r = flatten([L(F('/b', 1), F('/a', 1), D('/c')), L(F('/c/z', 1), F('/a', 2))]);
    expect(r.files.map((f) => [f.path, f.layer])).toEqual([
      ['/a', 1],
      ['/b', 0],
      ['/c', 0],
      ['/c/z', 1],
    ]);
  });

  it('carries heads and package record counts through to the final file', () => {
    const head = Buffer.from('ID=debian\n');
    const r = flatten([L(F('/etc/os-release', 10, { head }), F('/var/lib/dpkg/status', 99, { records: 7 }))]);
    expect(byPath(r, '/etc/os-release').head?.toString()).toBe('ID=debian\n');
    expect(byPath(r, '/var/lib/dpkg/status').records).toBe(7);
  });

  it('handles a path MAX_DEPTH directories deep, and deletes it, without recursion', () => {
    const deep = `${'/d'.repeat(MAX_DEPTH - 1)}/f`;
    const r = flatten([L(F(deep, 1))]);
    expect(r.files).toHaveLength(MAX_DEPTH);
    expect(r.files[MAX_DEPTH - 1]?.path).toBe(deep);
    expect(r.uncompressed).toBe(1);
    expect(r.problems).toEqual([]);
    // Deleting the whole tree walks it too.
    const gone = flatten([L(F(deep, 1)), L(WH('/', 'd'))]);
    expect(gone.files).toEqual([]);
    expect(gone.wasted).toBe(1);
  });

  it('refuses a path that symlinks lead deeper than MAX_DEPTH, creating no directory past it', () => {
    // Each link adds 200 levels; together they reach 40 × 200 = 8,000, every entry path stays short.
    const chain = [S('/l0', `/${'a/'.repeat(200)}`)];
    for (let i = 1; i < 40; i++) chain.push(S(`/l${i}`, `l${i - 1}/${'a/'.repeat(200)}`));
    const r = flatten([L(...chain, F('/l39/x', 1))]);
    expect(problems(r)).toEqual([['too-deep', '/l39/x', 0]]);
    expect(Math.max(...r.files.map((f) => f.path.split('/').length - 1))).toBeLessThanOrEqual(MAX_DEPTH);
  });

  it('creates the parents a layer leaves out, but no more path than the budget: linear in the image', () => {
    const seg = Array.from({ length: MAX_DEPTH - 1 }, (_, i) => String(i % 10).repeat(15)).join('/');
    // One such entry is fine: its 255 implicit parents are about 500 kB of paths.
    const one = flatten([L(F(`/e0/${seg}`, 1))]);
    expect(one.problems).toEqual([]);
    expect(one.files).toHaveLength(MAX_DEPTH);
    // 300 of them (1.2 MB of names) would make 150 MB of parents: they stop at 1 MiB + 4 × the names.
    const many = flatten([L(...Array.from({ length: 300 }, (_, i) => F(`/e${i}/${seg}`, 1)))]);
    const names = 300 * `/e000/${seg}`.length;
    const listed = many.files.reduce((n, f) => n + f.path.length, 0);
    expect(listed).toBeLessThanOrEqual((1 << 20) + 5 * names);
    expect(many.problems.length).toBeGreaterThan(200);
    expect(new Set(many.problems.map((p) => p.kind))).toEqual(new Set(['too-many-parents']));
  });

  it('follows a symlink target of 2,000 components iteratively', () => {
    const r = flatten([L(D('/a'), S('/l', `${'./'.repeat(1000)}${'x/../'.repeat(500)}a`), F('/l/f', 2))]);
    expect(byPath(r, '/a/f').size).toBe(2);
  });

  it('is pure: flattening the same layers twice gives the same result', () => {
    const layers = [L(D('/d'), F('/d/a', 3), H('/h', '/d/a')), L(OPQ('/d'), F('/d/b', 1))];
    const snapshot = JSON.stringify(layers);
    const a = flatten(layers);
    const b = flatten(layers);
    expect(JSON.stringify(layers)).toBe(snapshot);
    expect(fs(a)).toEqual(fs(b));
    expect([a.wasted, a.uncompressed]).toEqual([b.wasted, b.uncompressed]);
  });
});

// Names are bytes (src/util/names.ts): a byte that is not UTF-8 is the lone surrogate U+DC00 + byte, so
// "\udcff" below is the single byte 0xff, never U+FFFD.
describe('flatten: names are bytes', () => {
  const cases: Case[] = [
    {
      name: 'a key under /root/\xff survives next to /root/\xfe',
      layers: [L(D('/root'), D('/root/\udcff'), F('/root/\udcff/id_ed25519', 400), F('/root/\udcfe', 7))],
      files: {
        '/root': 'dir 0',
        '/root/\udcfe': 'file 7',
        '/root/\udcff': 'dir 0',
        '/root/\udcff/id_ed25519': 'file 400',
      },
      wasted: 0,
      uncompressed: 407,
    },
    {
      name: '.wh.\xfe deletes \xfe, and nothing named \xff or U+FFFD',
      layers: [
        L(D('/root'), D('/root/\udcff'), F('/root/\udcff/id_ed25519', 400), F('/root/\ufffd', 3)),
        L(WH('/root', '\udcfe')),
      ],
      files: {
        '/root': 'dir 0',
        '/root/\udcff': 'dir 0',
        '/root/\udcff/id_ed25519': 'file 400',
        '/root/\ufffd': 'file 3',
      },
      wasted: 0,
    },
    {
      name: 'a setuid binary named \xfe is not replaced by a later file named \xff',
      layers: [L(D('/bin'), F('/bin/\udcfe', 10, { mode: 0o4755 })), L(F('/bin/\udcff', 1))],
      files: { '/bin': 'dir 0', '/bin/\udcfe': 'file 10', '/bin/\udcff': 'file 1' },
      wasted: 0,
    },
    {
      name: 'four Latin-1 names are four files, with no false waste',
      layers: [
        L(F('/caf\udce9', 1000), F('/caf\udce8', 1000)),
        L(F('/na\udcefve', 1000), F('/\udcfcber', 1000)),
      ],
      files: {
        '/caf\udce8': 'file 1000',
        '/caf\udce9': 'file 1000',
        '/na\udcefve': 'file 1000',
        '/\udcfcber': 'file 1000',
      },
      wasted: 0,
      uncompressed: 4000,
    },
    {
      name: 'a Latin-1 name and its UTF-8 spelling are two files',
      layers: [L(F('/caf\udce9', 1), F('/café', 2))],
      files: { '/caf\udce9': 'file 1', '/café': 'file 2' },
      wasted: 0,
    },
    {
      name: 'an opaque dir named \xff hides its own lower children only',
      layers: [L(D('/\udcff'), F('/\udcff/a', 1), D('/\udcfe'), F('/\udcfe/b', 2)), L(OPQ('/\udcff'))],
      files: { '/\udcfe': 'dir 0', '/\udcfe/b': 'file 2', '/\udcff': 'dir 0' },
      wasted: 1,
    },
    {
      name: 'a hard link to \xff links \xff, not \xfe',
      layers: [L(F('/\udcff', 5), F('/\udcfe', 9)), L(H('/h', '/\udcff'))],
      files: { '/h': 'hardlink 5 → /\udcff', '/\udcfe': 'file 9', '/\udcff': 'file 5' },
      uncompressed: 14,
    },
    {
      name: 'a parent through a symlink whose target is not UTF-8 resolves to that exact directory',
      layers: [L(D('/\udcff'), D('/\udcfe'), S('/l', '\udcff'), F('/l/f', 3))],
      files: { '/l': 'symlink 0 → \udcff', '/\udcfe': 'dir 0', '/\udcff': 'dir 0', '/\udcff/f': 'file 3' },
    },
  ];
  it.each(cases)('$name', (c) => {
    check(c);
  });
});
