// Base detection from the image's own files (and, when given, the Dockerfile and the OCI labels):
// scratch, distroless or os, with the evidence that decided it.
import { describe, expect, it } from 'vitest';
import { detectBase, isDistrolessName } from '../../src/analysis/base.js';
import { parseDockerfile } from '../../src/analysis/dockerfile.js';
import { baseAllowed, imageNameForms } from '../../src/analysis/policy.js';
import { flatten } from '../../src/flatten/flatten.js';
import type { EntryRecord } from '../../src/scan/layer.js';
import { D, F, S, STATIC, T, X } from '../helpers/rules-kit.js';

const files = (...entries: EntryRecord[]) => flatten([{ entries }]).files;
const DEBIAN_OS =
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';
const DISTROLESS_OS = 'PRETTY_NAME="Distroless"\nNAME="Debian GNU/Linux"\nID="debian"\nVERSION_ID="12"\n';

describe('detectBase', () => {
  it('scratch: no OS markers', () => {
    expect(detectBase(files(X('/app', STATIC())))).toEqual({
      verdict: 'scratch',
      image: null,
      evidence: ['no os-release, no package database, no shell'],
    });
  });

  it('os: a Debian userland (os-release through the usr-merge symlink, dpkg, a shell)', () => {
    const b = detectBase(
      files(
        D('/usr/lib'),
        T('/usr/lib/os-release', DEBIAN_OS),
        D('/etc'),
        S('/etc/os-release', '../usr/lib/os-release'),
        F('/var/lib/dpkg/status', 100_000, { records: 87 }),
        X('/usr/bin/dash', STATIC()),
        S('/bin', 'usr/bin'),
        S('/usr/bin/sh', 'dash'),
        X('/usr/bin/apt-get', STATIC()),
      ),
    );
    expect(b.verdict).toBe('os');
    expect(b.image).toBe('debian:12');
    expect(b.os).toEqual({ id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' });
    expect(b.packages).toEqual([{ manager: 'dpkg', path: '/var/lib/dpkg/status', count: 87 }]);
    expect(b.evidence).toEqual([
      '/etc/os-release → /usr/lib/os-release ID=debian VERSION_ID=12 PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"',
      '/var/lib/dpkg/status: 87 packages',
      'shell /usr/bin/dash',
      'package manager /usr/bin/apt-get',
    ]);
  });

  it('distroless: os-release and dpkg status.d, but no shell and no package manager', () => {
    const b = detectBase(
      files(
        T('/etc/os-release', DISTROLESS_OS),
        D('/var/lib/dpkg/status.d'),
        T('/var/lib/dpkg/status.d/base-files', 'Package: base-files\n'),
        T('/var/lib/dpkg/status.d/tzdata', 'Package: tzdata\n'),
        F('/etc/ssl/certs/ca-certificates.crt', 200_000),
        D('/usr/share/zoneinfo'),
        F('/usr/share/zoneinfo/UTC', 114),
      ),
    );
    expect(b.verdict).toBe('distroless');
    expect(b.evidence).toContain('/var/lib/dpkg/status.d/: 2 package records (the distroless layout)');
    expect(b.evidence).toContain('no shell and no package manager');
  });

  it('distroless: Chainguard (wolfi, an apk database without apk or a shell)', () => {
    const b = detectBase(
      files(
        T('/etc/os-release', 'ID=wolfi\nNAME="Wolfi"\n'),
        F('/lib/apk/db/installed', 4000, { records: 5 }),
      ),
    );
    expect(b).toMatchObject({
      verdict: 'distroless',
      image: 'wolfi',
      packages: [{ manager: 'apk', count: 5 }],
    });
  });

  it('distroless: a usr-merged Wolfi image keeps its apk database under /usr/lib (reported once)', () => {
    const b = detectBase(
      files(
        T('/etc/os-release', 'ID=wolfi\n'),
        S('/lib', 'usr/lib'),
        D('/usr/lib/apk/db'),
        F('/usr/lib/apk/db/installed', 4000, { records: 7 }),
      ),
    );
    expect(b.packages).toEqual([{ manager: 'apk', path: '/usr/lib/apk/db/installed', count: 7 }]);
    expect(b.verdict).toBe('distroless');
  });

  it('os: alpine (apk and a busybox shell)', () => {
    const b = detectBase(
      files(
        T('/etc/os-release', 'ID=alpine\nVERSION_ID=3.20.0\n'),
        F('/lib/apk/db/installed', 4000, { records: 14 }),
        X('/bin/busybox', STATIC()),
        S('/bin/sh', '/bin/busybox'),
        X('/sbin/apk', STATIC()),
      ),
    );
    expect(b).toMatchObject({ verdict: 'os', image: 'alpine:3.20.0' });
  });

  it('os: a distroless :debug image has a busybox shell on its PATH', () => {
    const b = detectBase(
      files(
        T('/etc/os-release', DISTROLESS_OS),
        D('/busybox'),
        X('/busybox/busybox', STATIC()),
        S('/busybox/sh', 'busybox'),
      ),
      { env: ['PATH=/usr/local/bin:/usr/bin:/bin:/busybox'] },
    );
    expect(b.verdict).toBe('os');
  });

  it('os: an rpm database with microdnf', () => {
    const b = detectBase(files(F('/var/lib/rpm/rpmdb.sqlite', 5000), X('/usr/bin/microdnf', STATIC())));
    expect(b.verdict).toBe('os');
    expect(b.evidence).toContain('/var/lib/rpm/: rpm database');
  });

  it('scratch: a lone busybox on scratch (the shell rules report it)', () => {
    expect(detectBase(files(X('/bin/busybox', STATIC()))).verdict).toBe('scratch');
  });

  it('uses the OCI base-image labels as the name and the evidence', () => {
    const b = detectBase(files(T('/etc/os-release', DISTROLESS_OS)), {
      labels: {
        'org.opencontainers.image.base.name': 'gcr.io/distroless/static-debian12:nonroot',
        'org.opencontainers.image.base.digest': 'sha256:abc',
      },
    });
    expect(b.image).toBe('gcr.io/distroless/static-debian12:nonroot');
    expect(b.evidence).toContain(
      'label org.opencontainers.image.base.name=gcr.io/distroless/static-debian12:nonroot (org.opencontainers.image.base.digest=sha256:abc)',
    );
  });

  it('a Dockerfile that says scratch does not hide OS files copied in', () => {
    const df = parseDockerfile('FROM debian AS d\nFROM scratch\nCOPY --from=d / /\n', { path: 'Dockerfile' });
    const b = detectBase(files(T('/etc/os-release', DEBIAN_OS), X('/bin/sh', STATIC())), { dockerfile: df });
    expect(b.verdict).toBe('os');
    expect(b.evidence).toContain('the Dockerfile says scratch, but the image has OS files (copied in?)');
    expect(b.dockerfile).toEqual({ file: 'Dockerfile', line: 2, image: 'scratch' });
  });

  it('a named base with a shell but no OS files (FROM busybox) is os', () => {
    const df = parseDockerfile('FROM busybox:1.36\n', { path: 'Dockerfile' });
    expect(detectBase(files(X('/bin/sh', STATIC())), { dockerfile: df })).toMatchObject({
      verdict: 'os',
      image: 'busybox:1.36',
    });
  });
});

describe('names and globs', () => {
  it.each([
    ['gcr.io/distroless/static-debian12:nonroot', true],
    ['gcr.io/distroless/base', true],
    ['registry.local/mirror/distroless/cc:latest', true],
    ['cgr.dev/chainguard/static:latest', true],
    ['chainguard/node', true],
    ['debian:12', false],
    ['ghcr.io/acme/distroless-like:1', false],
  ])('%s distroless family: %s', (name, want) => {
    expect(isDistrolessName(name)).toBe(want);
  });

  it('image name forms for globs', () => {
    expect(imageNameForms('debian:12')).toEqual(
      expect.arrayContaining([
        'debian:12',
        'docker.io/library/debian:12',
        'debian',
        'docker.io/library/debian',
      ]),
    );
    expect(imageNameForms('ghcr.io/o/app@sha256:ab')).toEqual(expect.arrayContaining(['ghcr.io/o/app']));
  });

  it('allowed-bases: verdict keywords and image-name globs', () => {
    expect(baseAllowed('scratch', null, ['scratch', 'distroless'])).toBe(true);
    expect(baseAllowed('os', 'debian:12', ['scratch', 'distroless'])).toBe(false);
    expect(baseAllowed('os', 'debian:12', ['scratch', 'debian:*'])).toBe(true);
    expect(baseAllowed('os', 'ghcr.io/acme/base:1', ['ghcr.io/acme/*'])).toBe(true);
    expect(baseAllowed('os', 'ghcr.io/acme/sub/base:1', ['ghcr.io/acme/*'])).toBe(false);
    expect(baseAllowed('os', 'ghcr.io/acme/sub/base:1', ['ghcr.io/acme/**'])).toBe(true);
    expect(baseAllowed('os', null, ['os'])).toBe(true);
  });
});
