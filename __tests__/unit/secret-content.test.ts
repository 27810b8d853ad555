// Secrets in file content (issue 24): the shapes (each with a true example and a near miss, held to the
// shapes gitleaks and trufflehog both publish), the streaming scanner (pieces, seams, lines, binaries,
// the cap, the allow list), and whole images through the engine: a key in a deleted deploy_key, a PEM key
// in a JSON file, an AWS pair and a GitHub token in settings.py, and a token in a Go build setting — each
// found, and no value in any report.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildSettingSecrets,
  findContentSecrets,
  findSecrets,
  redactBuildSetting,
  shapeTable,
} from '../../src/util/secret-shapes.js';
import {
  CONTENT_CAP,
  ContentScanner,
  contentAllowed,
  isBinaryHead,
  matchContent,
  MAX_FILE_HITS,
} from '../../src/scan/secret-content.js';
import { renderCheck } from '../../src/report/text.js';
import { renderMarkdown } from '../helpers/markdown.js';
import { renderSarif } from '../../src/report/sarif.js';
import { renderHtml } from '../../src/report/html.js';
import { validateReport } from '../../src/report/validate.js';
import type { Report } from '../../src/types/report.js';
import { checkImage } from '../helpers/check.js';
import { chunks, dir, dockerArchive, file, imageConfig, layer, tar, type TarEntry } from '../helpers/tar.js';
import { STATIC } from '../helpers/rules-kit.js';
import { buildElf, goBuildInfo, goLikeSections } from '../helpers/elf-build.js';
import { REPORT_DEPS_PER_BINARY, REPORT_DEPS_PER_IMAGE } from '../../src/analysis/binaries.js';

// Built from pieces so that no whole token sits in this file (push protection, and our own scan).
const j = (...p: string[]): string => p.join('');
const GHP = j('gh', 'p_', 'R7xK2mQ9vL4wT8nB3cF6hJ1pS5dG0aZ', 'yE2uW');
const GH_PAT = j(
  'github',
  '_pat_',
  '11ABCDEFG0',
  'aBcDeFgHiJkLmN_',
  'oPqRsTuVwXyZ0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJK',
);
const AKIA = j('AK', 'IA', 'Z7Q3W5T2R8Y4U6P1');
const AWS_SECRET = j('Tq8v', 'mN5pWs9kJh3Gf6Dd1Aa0ZzYyXxWwVvUuTt7S');
const GLPAT = j('gl', 'pat-', 'xR3kP9mQ2vL7wT4nB8cF');
const SLACK = j('xo', 'xb-', '1234567890-0987654321-aBcDeFgHiJkLmNoPqRsTuV');
const STRIPE = j('sk', '_live_', '4eC39HqLyjWDarjtT1zdp7dc');
const GOOGLE = j('AI', 'za', 'SyA1bC2dE3fG4hI5jK6lM7nO8pQ9rS0tU1v');
const PEM_BODY = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7' + 'q'.repeat(40);
const PEM = `-----BEGIN PRIVATE KEY-----\n${PEM_BODY}\n${PEM_BODY}\n-----END PRIVATE KEY-----\n`;
const OPENSSH_BODY = 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW';
const OPENSSH = `-----BEGIN OPENSSH PRIVATE KEY-----\n${OPENSSH_BODY}\n${OPENSSH_BODY}\n-----END OPENSSH PRIVATE KEY-----\n`;
const DB_PW = 'Zq9-dbPa55-Xw';

/** Each shape: text with it (and its id) and a near miss that no shape may take. */
const SHAPES: { id: string; hit: string; miss: string }[] = [
  { id: 'github-token', hit: `token = "${GHP}"`, miss: `token = "${GHP.slice(0, 30)}"` },
  { id: 'github-fine-grained-token', hit: `t=${GH_PAT}`, miss: 't=github_pat_short' },
  { id: 'aws-access-key-id', hit: `id = ${AKIA}`, miss: 'id = AKIAIOSFODNN7EXAMPLE' },
  {
    id: 'aws-secret-access-key',
    hit: `aws_secret_access_key = ${AWS_SECRET}`,
    miss: 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  },
  { id: 'gitlab-token', hit: `GITLAB=${GLPAT}`, miss: 'GITLAB=glpat-short' },
  { id: 'slack-token', hit: `slack: ${SLACK}`, miss: 'slack: xoxb-short' },
  { id: 'slack-app-token', hit: j('x', 'app-1-A0123BCDE-1234567890-abcdef0123456789'), miss: 'xapp-x-y' },
  {
    id: 'slack-webhook',
    hit: j('https://hooks.slack.com/services/', 'T01ABCDEF/B02GHIJKL/a1B2c3D4e5F6g7H8i9J0k1L2'),
    miss: 'https://hooks.slack.com/services/',
  },
  { id: 'stripe-key', hit: `STRIPE=${STRIPE}`, miss: j('STRIPE=sk', '_test_4eC39HqLyjWDarjtT1zdp7dc') },
  { id: 'npm-token', hit: j('npm', '_', 'a'.repeat(18), 'B'.repeat(18)), miss: 'npm_install' },
  { id: 'pypi-token', hit: j('pypi-', 'AgEIcHlwaS5vcmc', 'x'.repeat(50)), miss: 'pypi-AgEIcHlwaS5vcmc' },
  { id: 'docker-hub-token', hit: j('dckr', '_pat_', 'aB3dE5gH7jK9mN1pQ3sT5'), miss: 'dckr_pat_x' },
  {
    id: 'hugging-face-token',
    hit: j('hf', '_', 'abcdefghijklmnopqrstuvwxyzABCDEFGH'),
    miss: 'hf_hub_download',
  },
  {
    id: 'digitalocean-token',
    hit: j('dop', '_v1_', 'a1'.repeat(32)),
    miss: j('dop', '_v1_', 'a1'.repeat(8)),
  },
  {
    id: 'sendgrid-key',
    hit: j('SG', '.', 'a'.repeat(22), '.', 'b'.repeat(43)),
    miss: 'SG.short.value',
  },
  { id: 'google-api-key', hit: `key=${GOOGLE}`, miss: 'key=AIzaShort' },
  { id: 'openai-anthropic-key', hit: j('sk', '-proj-', 'A1b2'.repeat(12)), miss: 'sk-learn' },
  {
    id: 'jwt',
    hit: j('eyJ', 'hbGciOiJIUzI1NiJ9', '.', 'eyJ', 'zdWIiOiJhZG1pbiJ9', '.', 'qZ8mW1nXr4Yc0s2Lk7uV'),
    miss: 'eyJhbGciOiJIUzI1NiJ9',
  },
  { id: 'base64-key', hit: `APP_KEY=base64:${'Zm9v'.repeat(10)}`, miss: 'base64:short' },
  { id: 'azure-storage-key', hit: `AccountKey=${'A1b2'.repeat(22)}==`, miss: 'AccountKey=short' },
  { id: 'private-key', hit: PEM, miss: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----' },
  {
    id: 'url-password',
    hit: `DATABASE_URL=postgres://app:${DB_PW}@db:5432/app`,
    miss: 'see https://example.com/a:b and postgres://app@db/app',
  },
];

describe('the shapes: a true example and a near miss each', () => {
  it('docs/secrets.md lists every shape, with whether the content scan looks for it', () => {
    const doc = readFileSync(new URL('../../docs/secrets.md', import.meta.url), 'utf8');
    for (const s of shapeTable()) {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${s.id}\``));
      expect(row, s.id).toBeDefined();
      const cells = row?.split('|').map((c) => c.trim());
      expect(cells?.[cells.length - 2], s.id).toBe(s.content ? 'yes' : 'no');
    }
  });

  it('covers every shape in the table', () => {
    expect(SHAPES.map((s) => s.id).sort()).toEqual(
      shapeTable()
        .map((s) => s.id)
        .sort(),
    );
  });

  it.each(SHAPES)('$id', ({ id, hit, miss }) => {
    expect(findSecrets(hit).map((s) => s.id)).toContain(id);
    expect(findSecrets(miss).filter((s) => s.id === id)).toEqual([]);
    const content = shapeTable().find((s) => s.id === id)?.content;
    // The content scan takes the same shapes (a key needs its body: the header alone is code, not a key).
    if (content) {
      // An AWS secret key is looked for near its key id, the anchor of the pair.
      const pair = id === 'aws-secret-access-key' ? `id = ${AKIA}\n` : '';
      expect(
        matchContent('/app/f.txt', Buffer.from(`x\n${pair}${hit}\n`))?.hits.map((h) => h.shape),
      ).toContain(id);
      expect(matchContent('/app/f.txt', Buffer.from(`x\n${miss}\n`))).toBeUndefined();
    }
  });

  it('a key header that code names, with no body, is not a key in content', () => {
    const py = 'PEM = b"-----BEGIN RSA PRIVATE KEY-----"\nEND = b"-----END RSA PRIVATE KEY-----"\n';
    expect(matchContent('/usr/lib/python3/dist-packages/x/keys.py', Buffer.from(py))).toBeUndefined();
    const json = `{"private_key": "-----BEGIN PRIVATE KEY-----\\n${PEM_BODY}\\n-----END PRIVATE KEY-----\\n"}`;
    expect(matchContent('/srv/tls/sa.json', Buffer.from(json))?.hits).toEqual([
      { shape: 'private-key', line: 1 },
    ]);
  });

  it('a Go build setting: shapes and secret-named -X variables, redacted', () => {
    const v = `-s -w -X main.token=${GHP} -X 'main.dbURL=postgres://u:${DB_PW}@db/x' -X main.apiPassword=hunter22`;
    expect(
      buildSettingSecrets(v)
        .map((s) => s.id)
        .sort(),
    ).toEqual(['github-token', 'go-secret-variable', 'go-secret-variable', 'url-password']);
    const shown = redactBuildSetting(v);
    for (const s of [GHP, DB_PW, 'hunter22']) expect(shown).not.toContain(s);
    expect(shown).toContain('-X main.token=*** ');
    expect(redactBuildSetting('-X main.version=1.2.3 -X main.commit=abc')).toBe(
      '-X main.version=1.2.3 -X main.commit=abc',
    );
  });
});

describe('the content scanner', () => {
  const body = Buffer.from(
    `# settings\n${'filler line\n'.repeat(3000)}AWS_ACCESS_KEY_ID = "${AKIA}"\n` +
      `AWS_SECRET_ACCESS_KEY = "${AWS_SECRET}"\nGITHUB = "${GHP}"\n${'tail\n'.repeat(500)}`,
  );
  const want = [
    { shape: 'aws-access-key-id', line: 3002 },
    { shape: 'aws-secret-access-key', line: 3003 },
    { shape: 'github-token', line: 3004 },
  ];

  it('finds the same hits on the same lines however the body is cut into pieces', () => {
    for (const n of [1, 7, 100, 4096, 33_000, 36_050, body.length]) {
      const s = new ContentScanner(body.length);
      for (const c of chunks(body, n)) s.write(c);
      expect(s.end()?.hits, `pieces of ${n}`).toEqual(want);
    }
  });

  it('skips binaries by their head, and files on the allow list', () => {
    expect(isBinaryHead(Buffer.from('\x7fELF\x02\x01'))).toBe(true);
    expect(isBinaryHead(Buffer.from([0x1f, 0x8b, 8, 0]))).toBe(true);
    expect(isBinaryHead(Buffer.from(`abc\0${GHP}`))).toBe(true);
    expect(isBinaryHead(Buffer.from(`#!/bin/sh\n${GHP}`))).toBe(false);
    expect(matchContent('/app/blob.bin', Buffer.from(`\0\0${GHP}\n`))).toBeUndefined();
    for (const p of [
      '/usr/share/doc/x/README.md',
      '/etc/ssl/certs/ca.pem',
      '/srv/ca.crt',
      '/app/docs/setup.md',
    ])
      expect(contentAllowed(p), p).toBe(true);
    for (const p of ['/app/config/settings.py', '/etc/ssl/private/server.key', '/app/docs/run.sh'])
      expect(contentAllowed(p), p).toBe(false);
  });

  it('reads up to the cap, and keeps at most MAX_FILE_HITS hits (the rest counted)', () => {
    const late = Buffer.concat([Buffer.alloc(CONTENT_CAP, 0x61), Buffer.from(`\n${GHP}\n`)]);
    expect(matchContent('/app/late.txt', late)).toBeUndefined();
    const many = Buffer.from(Array.from({ length: 20 }, () => `t=${GHP}\n`).join(''));
    const v = matchContent('/app/many.txt', many);
    expect(v?.hits.length).toBe(MAX_FILE_HITS);
    expect(v?.more).toBe(20 - MAX_FILE_HITS);
    expect(v?.hits.map((h) => h.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('matches anchors only near their shapes: plain URLs and prose give nothing', () => {
    const prose = 'See https://example.com/x and ftp://ftp.example.org/pub. ASIA and AKIA are words here.\n';
    expect(matchContent('/app/notes.txt', Buffer.from(prose.repeat(100)))).toBeUndefined();
    expect(findContentSecrets('AKIA is a prefix')).toEqual([]);
  });
});

// --------------------------------------------------------------------------- whole images (engine)

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-content-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const PASSWD = 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n';
const BASE: TarEntry[] = [dir('etc/'), file('etc/passwd', PASSWD), file('app', STATIC(), { mode: 0o755 })];

let n = 0;
function archive(layers: TarEntry[][]): string {
  const blobs = [BASE, ...layers].map((entries) => layer(tar(entries)));
  const cfg = imageConfig(blobs, {
    config: { Entrypoint: ['/app'], User: '65532' },
    history: blobs.map((_, i) => ({ created_by: `COPY layer${i} / # buildkit` })),
  });
  const p = path.join(tmp, `${++n}.tar`);
  writeFileSync(p, dockerArchive({ layers: blobs, config: cfg, repoTags: [`content:${n}`] }));
  return `docker-archive:${p}`;
}

/** Every surface of a report: JSON, text, markdown, SARIF, HTML. None may hold a secret value. */
function surfaces(r: Report): string {
  const sarif = JSON.stringify(renderSarif(r, { root: tmp, commentKey: 'k' }));
  return [JSON.stringify(r), renderCheck(r), renderMarkdown(r), sarif, renderHtml(r)].join('\n');
}

describe('secrets in content, through the engine', { timeout: 60_000 }, () => {
  it('finds an OpenSSH key in a deleted deploy_key, a PEM key in a JSON file, an AWS pair and a GitHub token', async () => {
    const settings =
      `DEBUG = False\nAWS_ACCESS_KEY_ID = "${AKIA}"\nAWS_SECRET_ACCESS_KEY = "${AWS_SECRET}"\n` +
      `GITHUB_TOKEN = "${GHP}"\n`;
    const src = archive([
      [dir('srv/'), dir('srv/deploy/'), file('srv/deploy/deploy_key', OPENSSH, { mode: 0o600 })],
      [dir('srv/'), dir('srv/deploy/'), file('srv/deploy/.wh.deploy_key')],
      [
        dir('srv/'),
        dir('srv/tls/'),
        file('srv/tls/sa.json', JSON.stringify({ type: 'service_account', private_key: PEM })),
        dir('app/'),
        dir('app/config/'),
        file('app/config/settings.py', settings),
      ],
    ]);
    const { report } = await checkImage(src, { cache: false });
    const found = report.findings
      .filter((f) => f.category === 'secret')
      .map((f) => [f.id, f.path, f.layer, f.severity]);
    expect(found).toEqual(
      expect.arrayContaining([
        ['SG501', '/srv/deploy/deploy_key', 1, 'error'],
        ['SG501', '/srv/tls/sa.json', 3, 'error'],
        ['SG507', '/app/config/settings.py', 3, 'error'],
      ]),
    );
    const py = report.findings.find((f) => f.path === '/app/config/settings.py');
    expect(py?.message).toBe(
      'AWS access key id in /app/config/settings.py (line 2: an AWS access key id; line 3: an AWS secret ' +
        'access key; line 4: a GitHub token; value not shown)',
    );
    expect(report.passed).toBe(false);
    const all = surfaces(report);
    for (const s of [OPENSSH_BODY, PEM_BODY, AKIA, AWS_SECRET, GHP]) expect(all.includes(s), s).toBe(false);
  });

  it('a warm run (the layer cache) gives the same content verdicts, lines included', async () => {
    const src = archive([
      [
        dir('app/'),
        file('app/.hidden.cfg', `x\ny\nGH=${GHP}\n`),
        file('app/db.ini', `u=mysql://r:${DB_PW}@h/d\n`),
      ],
    ]);
    const cache = path.join(tmp, 'cache');
    const cold = (await checkImage(src, { cache })).report.findings.filter((f) => f.category === 'secret');
    const warm = (await checkImage(src, { cache })).report.findings.filter((f) => f.category === 'secret');
    expect(cold.map((f) => [f.id, f.message])).toEqual([
      ['SG507', `GitHub token in /app/.hidden.cfg (line 3: a GitHub token; value not shown)`],
      ['SG508', `URL with a password in /app/db.ini (line 1: a URL with a password; value not shown)`],
    ]);
    expect(warm).toEqual(cold);
  });

  it('a fixture key is info, a doc is not read, a CA bundle is not a key', async () => {
    const src = archive([
      [
        dir('usr/'),
        dir('usr/lib/'),
        dir('usr/lib/go/'),
        dir('usr/lib/go/src/'),
        dir('usr/lib/go/src/crypto/'),
        dir('usr/lib/go/src/crypto/tls/'),
        file('usr/lib/go/src/crypto/tls/handshake_test.go', `const testKey = \`${PEM}\``),
        dir('usr/share/'),
        dir('usr/share/doc/'),
        dir('usr/share/doc/app/'),
        file('usr/share/doc/app/README', `token: ${GHP}\n`),
        dir('etc/'),
        dir('etc/ssl/'),
        dir('etc/ssl/certs/'),
        file(
          'etc/ssl/certs/ca-certificates.crt',
          '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
        ),
      ],
    ]);
    const { report } = await checkImage(src, { cache: false });
    const secrets = report.findings.filter((f) => f.category === 'secret');
    expect(secrets.map((f) => [f.id, f.severity, f.path])).toEqual([
      ['SG509', 'info', '/usr/lib/go/src/crypto/tls/handshake_test.go'],
    ]);
  });

  it('a secret in a Go build setting is SG510, and redacted in binaries[].go.settings and every surface', async () => {
    const ldflags = `-s -w -X main.token=${GHP} -X main.awsKey=${AKIA} -X 'main.dsn=postgres://app:${DB_PW}@db/app'`;
    const modinfo =
      'path\texample.com/svc\nmod\texample.com/svc\t(devel)\t\n' +
      `build\t-ldflags=${JSON.stringify(ldflags)}\nbuild\tGOOS=linux\n`;
    const { file: elf } = buildElf({ sections: goLikeSections(goBuildInfo('go1.22.1', modinfo)) });
    const src = archive([
      [
        dir('usr/'),
        dir('usr/local/'),
        dir('usr/local/bin/'),
        file('usr/local/bin/svc', elf, { mode: 0o755 }),
      ],
    ]);
    const { report } = await checkImage(src, { cache: false });
    expect(report.findings.filter((f) => f.id === 'SG510').map((f) => [f.path, f.message])).toEqual([
      [
        '/usr/local/bin/svc',
        '/usr/local/bin/svc: the Go build setting -ldflags holds a GitHub token (value not shown)',
      ],
    ]);
    const settings = report.binaries?.find((b) => b.path === '/usr/local/bin/svc')?.go?.settings;
    expect(settings?.[0]).toEqual({
      key: '-ldflags',
      value: "-s -w -X main.token=*** -X main.awsKey=*** -X 'main.dsn=postgres://app:***@db/app'",
    });
    const all = surfaces(report);
    for (const s of [GHP, AKIA, DB_PW]) expect(all.includes(s), s).toBe(false);
  });

  it('bounds the Go module lists per binary and per image, keeping the counts', async () => {
    const deps = Array.from({ length: 1200 }, (_, i) => `dep\texample.com/m${i}\tv1.0.${i}\th1:x=\n`).join(
      '',
    );
    const { file: elf } = buildElf({ sections: goLikeSections(goBuildInfo('go1.22.1', `path\tx\n${deps}`)) });
    const bins = Array.from({ length: 30 }, (_, i) => file(`usr/bin/tool${i}`, elf, { mode: 0o755 }));
    const { report } = await checkImage(archive([[dir('usr/'), dir('usr/bin/'), ...bins]]), { cache: false });
    const go = (report.binaries ?? []).filter((b) => b.go).map((b) => b.go!);
    expect(go.length).toBe(30);
    const listed = go.reduce((k, g) => k + g.deps.length, 0);
    expect(listed).toBeLessThanOrEqual(REPORT_DEPS_PER_IMAGE);
    expect(Math.max(...go.map((g) => g.deps.length))).toBeLessThanOrEqual(REPORT_DEPS_PER_BINARY);
    for (const g of go) {
      expect(g.truncated).toBe(true);
      expect(g.depCount).toBe(1200);
    }
    expect(validateReport(JSON.parse(JSON.stringify(report))).binaries?.find((b) => b.go)?.go?.depCount).toBe(
      1200,
    );
  });
});
