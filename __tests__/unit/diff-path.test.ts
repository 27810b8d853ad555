// The Dockerfile's path in --fix-dockerfile's diff headers: what git apply and patch -p1 need.
import { describe, expect, it } from 'vitest';
import { diffPath } from '../../src/output/fix-dockerfile.js';

describe('diffPath', () => {
  it.each([
    ['Dockerfile', '/work/app', 'Dockerfile'],
    ['./Dockerfile', '/work/app', 'Dockerfile'],
    ['docker/Dockerfile.prod', '/work/app', 'docker/Dockerfile.prod'],
    ['/work/app/docker/Dockerfile', '/work/app', 'docker/Dockerfile'],
    ['sub/../Dockerfile', '/work/app', 'Dockerfile'],
    // Outside the working directory: git diff --no-index's form, never "a//tmp/…".
    ['/tmp/Dockerfile', '/work/app', 'tmp/Dockerfile'],
    ['../Dockerfile', '/work/app', 'work/Dockerfile'],
    ['..Dockerfile', '/work/app', '..Dockerfile'],
  ])('%s from %s → %s', (path, cwd, want) => {
    expect(diffPath(path, cwd)).toBe(want);
  });
});
