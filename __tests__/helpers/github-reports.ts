// Report fixtures for the diff and markdown tests: small, hand-written reports (schemaVersion 1) shaped
// like the ones the engine writes, so that snapshots stay readable and stable.
import type { Finding, Report, ReportFile, ReportLayer } from '../../src/types/report.js';
import type { PrEnvelope } from '../../src/github/artifact.js';

const hex = (c: string): string => `sha256:${c.repeat(64).slice(0, 64)}`;

export function file(path: string, size: number, x: Partial<ReportFile> = {}): ReportFile {
  return { path, type: 'file', size, mode: '0644', uid: 0, gid: 0, link: null, layer: 0, ...x };
}

export function dir(path: string, x: Partial<ReportFile> = {}): ReportFile {
  return { path, type: 'dir', size: 0, mode: '0755', uid: 0, gid: 0, link: null, layer: 0, ...x };
}

export function layer(
  id: string,
  createdBy: string | null,
  uncompressedSize: number,
  x: Partial<ReportLayer> = {},
): ReportLayer {
  return {
    digest: hex(`c${id}`),
    diffId: hex(`d${id}`),
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    compressedSize: Math.round(uncompressedSize * 0.4),
    uncompressedSize,
    createdBy,
    files: 1,
    wastedBytes: 0,
    ...x,
  };
}

export function finding(
  id: string,
  category: string,
  severity: Finding['severity'],
  path: string,
  message?: string,
): Finding {
  return {
    id,
    category,
    severity,
    message: message ?? `${category} ${path} present`,
    path,
    remediation: `Remove ${path} from the final stage.`,
  };
}

export function report(x: Partial<Report> & { files?: ReportFile[] } = {}): Report {
  const files = x.files ?? [];
  const layers = x.layers ?? [layer('1', 'COPY app /app # buildkit', 1_819_324)];
  const uncompressed = files.filter((f) => f.type === 'file').reduce((n, f) => n + f.size, 0);
  const r: Report = {
    schemaVersion: 1,
    image: {
      source: 'docker-archive:app.tar',
      digest: hex('a'),
      configDigest: hex('b'),
      platform: 'linux/amd64',
      tags: ['app:latest'],
      config: {
        user: '65532',
        entrypoint: ['/app/hello'],
        cmd: null,
        env: ['PATH=/usr/bin:/bin'],
        workingDir: null,
      },
    },
    size: {
      compressed: layers.reduce((n, l) => n + l.compressedSize, 0),
      uncompressed,
      wasted: 0,
      files: files.length,
    },
    layers,
    files,
    base: { verdict: 'scratch', image: null, evidence: ['no os-release and no package database'] },
    findings: [],
    budget: { passed: true, checks: [] },
    passed: true,
    ...x,
  };
  if (x.size) r.size = x.size;
  return r;
}

/** main: a static binary on scratch. */
export function mainReport(): Report {
  return report({
    files: [dir('/app'), file('/app/hello', 1_819_324, { mode: '0755' }), file('/etc/passwd', 120)],
    layers: [layer('1', 'COPY hello /app/hello # buildkit', 1_819_444)],
    findings: [
      {
        id: 'SG601',
        category: 'user',
        severity: 'warning',
        message: 'runs as root: no USER in the image config',
        remediation: 'Add USER 65532 (or another non-root id) to the final stage.',
      },
    ],
  });
}

/** This PR: the same binary on a Debian-ish base with a shell, an apt cache and a setuid file. */
export function prReport(): Report {
  const files = [
    dir('/app'),
    file('/app/hello', 1_819_324, { mode: '0755' }),
    file('/etc/passwd', 180, { mode: '0644' }),
    file('/etc/os-release', 267),
    dir('/bin'),
    file('/bin/bash', 1_265_648, { mode: '0755', layer: 0 }),
    { ...file('/bin/sh', 0), type: 'symlink' as const, link: 'bash', mode: '0777' },
    dir('/usr/lib/x86_64-linux-gnu'),
    file('/usr/lib/x86_64-linux-gnu/libc.so.6', 1_922_136, { mode: '0755' }),
    file('/usr/lib/x86_64-linux-gnu/libtinfo.so.6.4', 204_424),
    file('/usr/bin/passwd', 68_248, { mode: '4755' }),
    file('/usr/bin/apt', 18_824, { mode: '0755' }),
    dir('/var/lib/apt/lists'),
    file('/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4', 2_715_306),
    file('/var/lib/dpkg/status', 81_234),
  ];
  return report({
    files,
    layers: [
      layer('0', '# debian.sh --arch amd64 out/ bookworm @1700000000', 4_812_000),
      layer('1', 'COPY hello /app/hello # buildkit', 1_819_444),
      layer('2', 'RUN apt-get update # buildkit', 2_715_306),
    ],
    base: {
      verdict: 'os',
      image: 'debian:12',
      evidence: [
        '/etc/os-release ID=debian VERSION_ID=12',
        '/var/lib/dpkg/status: 88 packages',
        'Dockerfile:1 FROM debian:12',
      ],
    },
    findings: [
      finding(
        'SG101',
        'base',
        'error',
        '/etc/os-release',
        'base debian:12 is not allowed (allowed: scratch, distroless)',
      ),
      finding('SG201', 'shell', 'error', '/bin/sh', 'shell /bin/sh present'),
      finding('SG201', 'shell', 'error', '/bin/bash', 'shell /bin/bash present'),
      finding('SG301', 'package-manager', 'error', '/usr/bin/apt', 'package manager /usr/bin/apt present'),
      finding('SG501', 'privilege', 'error', '/usr/bin/passwd', 'setuid file /usr/bin/passwd (mode 4755)'),
      finding(
        'SG801',
        'waste',
        'warning',
        '/var/lib/apt/lists',
        'apt lists /var/lib/apt/lists (2.72 MB uncompressed)',
      ),
    ],
    budget: {
      passed: false,
      checks: [
        { name: 'max-size', limit: 5_000_000, actual: 8_094_936, passed: false },
        { name: 'max-compressed-size', limit: 10_000_000, actual: 3_738_700, passed: true },
        { name: 'max-layers', limit: 10, actual: 3, passed: true },
        { name: 'max-growth', limit: 1_000_000, actual: 6_275_612, passed: false },
      ],
    },
    passed: false,
  });
}

/** A well-formed pr.json, as a pull_request run of one image writes it for the comment job. */
export function prEnvelope(headSha: string): PrEnvelope {
  return {
    slimgate: 1,
    pullRequest: 7,
    headSha,
    commentKey: 'docker-archive:app.tar',
    failOn: 'error',
    overrideApplied: false,
    baselineLabel: 'main',
    baselineNote: '',
    showPlatform: false,
  };
}
