import { writeFileSync } from 'node:fs';
import { it } from 'vitest';
import { tar, file, dir, symlink, hardlink, layer, ociArchive } from '../helpers/tar.js';
it('probe', () => {
  const l1 = layer(
    tar([
      dir('b/'),
      file('b/x', '0123456789'),
      symlink('a', 'b'),
      file('c', 'ccccc'),
      file('e', 'eeee'),
      dir('f/'),
      file('f/old', 'o'),
    ]),
  );
  const l2 = layer(
    tar([
      file('a/.wh..wh..opq', ''),
      dir('a/'),
      file('a/y', 'y'),
      hardlink('h', 'e'),
      file('e/.wh.zz', ''),
      file('f/new', 'n'),
      file('f/.wh..wh..opq', ''),
    ]),
  );
  writeFileSync('/tmp/sg/o.tar', ociArchive({ layers: [l1, l2], refName: 'latest' }));
});
