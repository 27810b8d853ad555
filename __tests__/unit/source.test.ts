import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/util/errors.js';
import { parseSource } from '../../src/sources/source.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-source-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const archive = path.join(tmp, 'app.tar');
const colon = path.join(tmp, 'with:colon.tar');
const at = path.join(tmp, 'with@at.tar');
const layout = path.join(tmp, 'layout');
const layoutColon = path.join(tmp, 'lay:out');
writeFileSync(archive, '');
writeFileSync(colon, '');
writeFileSync(at, '');
mkdirSync(layout);
mkdirSync(layoutColon);

function inputError(s: string): InputError {
  try {
    parseSource(s);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).not.toContain('\n');
    return err as InputError;
  }
  throw new Error(`parseSource(${JSON.stringify(s)}) did not throw`);
}

describe('parseSource', () => {
  it.each([
    // Registries and the daemon.
    ['docker://alpine:3.20', { kind: 'registry', ref: 'alpine:3.20' }],
    ['docker://ghcr.io/org/app@sha256:abc', { kind: 'registry', ref: 'ghcr.io/org/app@sha256:abc' }],
    ['alpine', { kind: 'registry', ref: 'alpine' }],
    ['ghcr.io/org/app:1.2', { kind: 'registry', ref: 'ghcr.io/org/app:1.2' }],
    ['localhost:5000/app', { kind: 'registry', ref: 'localhost:5000/app' }],
    ['docker-daemon:app:latest', { kind: 'daemon', ref: 'app:latest' }],
  ])('%s', (s, want) => {
    expect(parseSource(s)).toEqual(want);
  });

  it('docker-archive:PATH', () => {
    expect(parseSource(`docker-archive:${archive}`)).toEqual({
      kind: 'archive',
      format: 'docker-archive',
      path: archive,
      selector: {},
    });
  });

  it('docker-archive:PATH:name:tag takes everything after the path as the ref', () => {
    expect(parseSource(`docker-archive:${archive}:name:tag`)).toEqual({
      kind: 'archive',
      format: 'docker-archive',
      path: archive,
      selector: { ref: 'name:tag' },
    });
    expect(parseSource(`docker-archive:${archive}:registry.example:5000/ns/name:tag`)).toMatchObject({
      path: archive,
      selector: { ref: 'registry.example:5000/ns/name:tag' },
    });
  });

  it('docker-archive:PATH@INDEX', () => {
    expect(parseSource(`docker-archive:${archive}@1`)).toEqual({
      kind: 'archive',
      format: 'docker-archive',
      path: archive,
      selector: { index: 1 },
    });
    expect(parseSource(`docker-archive:${archive}@0`)).toMatchObject({ selector: { index: 0 } });
  });

  it('docker-archive:PATH@NOTANUMBER is an error', () => {
    expect(inputError(`docker-archive:${archive}@x`).message).toMatch(/@INDEX must be a number/);
    expect(inputError(`docker-archive:${archive}@-1`).message).toMatch(/@INDEX must be a number/);
  });

  it('finds the path in a name that itself holds ":" or "@"', () => {
    expect(parseSource(`docker-archive:${colon}`)).toMatchObject({ path: colon, selector: {} });
    expect(parseSource(`docker-archive:${colon}:app:1`)).toMatchObject({
      path: colon,
      selector: { ref: 'app:1' },
    });
    expect(parseSource(`docker-archive:${at}`)).toMatchObject({ path: at, selector: {} });
    expect(parseSource(`docker-archive:${at}@2`)).toMatchObject({ path: at, selector: { index: 2 } });
  });

  it('oci-archive:PATH[:REF]', () => {
    expect(parseSource(`oci-archive:${archive}`)).toEqual({
      kind: 'archive',
      format: 'oci-archive',
      path: archive,
      selector: {},
    });
    expect(parseSource(`oci-archive:${archive}:v1.0`)).toMatchObject({
      path: archive,
      selector: { ref: 'v1.0' },
    });
  });

  it('oci-archive takes no @INDEX', () => {
    expect(inputError(`oci-archive:${archive}@1`).message).toMatch(/is not a file/);
  });

  it('oci:DIR[:REF]', () => {
    expect(parseSource(`oci:${layout}`)).toEqual({ kind: 'oci', dir: layout });
    expect(parseSource(`oci:${layout}:latest`)).toEqual({ kind: 'oci', dir: layout, ref: 'latest' });
    expect(parseSource(`oci:${layoutColon}`)).toEqual({ kind: 'oci', dir: layoutColon });
    expect(parseSource(`oci:${layoutColon}:v2`)).toEqual({ kind: 'oci', dir: layoutColon, ref: 'v2' });
  });

  it('a bare existing file is an archive of any format, a bare directory an OCI layout', () => {
    expect(parseSource(archive)).toEqual({ kind: 'archive', format: 'any', path: archive, selector: {} });
    expect(parseSource(layout)).toEqual({ kind: 'oci', dir: layout });
  });

  it.each([
    ['', /no image source/],
    ['   ', /no image source/],
    ['docker:alpine', /write docker:\/\/REF/],
    [`docker-archive:${tmp}/missing.tar`, /missing\.tar is not a file/],
    [`docker-archive:${layout}`, /is not a file/],
    [`oci-archive:${tmp}/missing.tar:ref`, /is not a file/],
    [`oci:${tmp}/missing-dir`, /missing-dir is not a directory/],
    [`oci:${archive}`, /is not a directory/],
    ['./missing.tar', /no such file or directory/],
    ['/nonexistent/image.tar', /no such file or directory/],
    ['image.tar', /no such file or directory/],
    ['image.tar.gz', /no such file or directory/],
    ['~/image', /no such file or directory/],
  ])('rejects %j', (s, re) => {
    expect(inputError(s).message).toMatch(re);
  });
});
