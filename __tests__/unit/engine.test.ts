// The engine's input errors that come before any image is read: one line, exit code 2, no raw errno text.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/engine/engine.js';

describe('check --dockerfile', () => {
  it.each([
    [
      'a directory',
      () => mkdtempSync(path.join(tmpdir(), 'slimgate-df-')),
      'not a readable file (a directory)',
    ],
    ['a missing file', () => path.join(tmpdir(), 'slimgate-no-such-dir', 'Dockerfile'), 'no such file'],
  ])('%s is an InputError that names the path', async (_name, where, why) => {
    const p = where();
    // The Dockerfile is read before the source is opened, so the source need not exist.
    const err = (await check('docker-archive:/nonexistent.tar', { dockerfile: { path: p } }).catch(
      (e: unknown) => e,
    )) as Error & { exitCode?: number };
    expect(err.name).toBe('InputError');
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(`dockerfile ${p}: ${why}`);
    expect(err.message).not.toMatch(/EISDIR|illegal operation|\n/);
  });
});
