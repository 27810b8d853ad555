// The ELF reader on a host binary that only the test world guarantees: Debian's static busybox, which
// scripts/test-world.sh installs (busybox-static). In the unit suite it would fail on a fresh machine.
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../../src/analysis/elf.js';
import { EXEC_HEAD } from '../../src/scan/heads.js';

function head(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(EXEC_HEAD);
    return b.subarray(0, readSync(fd, b, 0, EXEC_HEAD, 0));
  } finally {
    closeSync(fd);
  }
}

describe('parseElf on the host', () => {
  it("reads the host's static busybox as static", () => {
    expect(existsSync('/bin/busybox')).toBe(true);
    const r = parseElf(head('/bin/busybox'));
    expect(r.ok).toBe(true);
    expect(r.ok && r.elf.interp).toBeNull();
  });
});
