// Secrets that used to get through (issue 12, section 4), as hostile images: each is built as a real
// docker-archive and checked by the bundled CLI (layers scanned on worker threads, as users run it). Each
// case asserts the exit code, the finding (id, and layer where it matters) and that no secret value appears
// in the text, markdown or JSON output. Then the pieces: the shapes and their redaction, and the streaming
// matcher over real tar streams.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flatten } from '../../src/flatten/flatten.js';
import { scanLayer } from '../../src/scan/layer.js';
import { matchSecretFile, SECRET_READ_CAP } from '../../src/scan/secret-files.js';
import { redactCommand, redactEnv } from '../../src/analysis/secrets.js';
import { findSecrets, redactArgv, redactSecrets } from '../../src/util/secret-shapes.js';
import type { Finding, Report } from '../../src/types/report.js';
import { chunks, dir, dockerArchive, file, imageConfig, layer, tar, type TarEntry } from '../helpers/tar.js';
import { check, D, F, image, STATIC, T, X } from '../helpers/rules-kit.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-secrets-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Secret values, each unique so that a leak anywhere is found by a plain substring search.
const DEPLOY = 'dEpL0y-t0ken-9f8e7d';
const PG_PW = 'Pg-Pa55w0rd-4b1c';
const FLAG_PW = 'Fl4g-Pa55-77aa';
const JWT =
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiIsImlhdCI6MTUxNjIzOTAyMn0.qZ8mW1nXr4Yc0s2Lk7uVb3Te9Hg6Jd5Fa1Op';
const SLACK_PATH = 'T01ABCDEF/B02GHIJKL/' + 'a1B2c3D4e5F6g7H8i9J0k1L2';
const APP_KEY = 'base64:' + 'Zm9vYmFyYmF6cXV4cXV1eHF1dXpjb3JnZWdyYXVsdA==';
const ENV_SECRETS = {
  PGPASSWORD: 'pgPw-1a2b3c4d',
  MYSQL_PWD: 'myPwd-5e6f7a8b',
  DB_PASS: 'dbPass-9c0d1e2f',
  REDIS: 'r3d1s-pw-3a4b',
};
const RUN_SECRETS = {
  export: 'ApiT0k3n-export-11',
  curl: 'cUrl-pw-2233',
  bearer: 'BeArEr-t0k3n-4455',
  mysql: 'MyS9l-pw-6677',
};
const KEY_BODY = 'MIIEowIBAAKCAQEAsecretkeybodyAAAA';
const KEY = `-----BEGIN RSA PRIVATE KEY-----\n${KEY_BODY}\n-----END RSA PRIVATE KEY-----\n`;
const CERT =
  '-----BEGIN CERTIFICATE-----\n' +
  'MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n'.repeat(20) +
  '-----END CERTIFICATE-----\n';
const NPM_SECRET = 'npmT0k-deep-8899aabb';
const KUBE_TOKEN = 'kube-t0ken-ccddeeff';
const DOTENV_SECRET = 'dotenv-s3cret-1122';

const PASSWD = 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n';

/** A clean base layer: a static binary, /etc/passwd, run as 65532. */
const BASE: TarEntry[] = [dir('etc/'), file('etc/passwd', PASSWD), file('app', STATIC(), { mode: 0o755 })];
const CONFIG = { Entrypoint: ['/app'], Env: ['PATH=/usr/bin:/bin'], User: '65532' };

interface Built {
  archive: string;
}

let n = 0;
function archive(
  layers: TarEntry[][],
  config: Record<string, unknown> = CONFIG,
  history?: Record<string, unknown>[],
): Built {
  const blobs = [BASE, ...layers].map((entries) => layer(tar(entries)));
  const cfg = imageConfig(blobs, {
    config,
    history: history ?? blobs.map((_, i) => ({ created_by: `COPY layer${i} / # buildkit` })),
  });
  const p = path.join(tmp, `${++n}.tar`);
  writeFileSync(p, dockerArchive({ layers: blobs, config: cfg, repoTags: [`secrets:${n}`] }));
  return { archive: `docker-archive:${p}` };
}

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', SLIMGATE_CACHE: '0' };
  delete env['SLIMGATE_DEBUG'];
  const r = spawnSync(process.execPath, [path.join(repo, 'dist', 'cli.js'), ...args], {
    encoding: 'utf8',
    env,
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * `check` as text, markdown and JSON, and `inspect` as text and JSON: every output with the same exit
 * code, none holding any of the secrets. Returns the JSON report of `check`.
 */
function checkAll(img: Built, secrets: readonly string[], status: number): Report {
  const sarif = `${img.archive.replace(/^docker-archive:/, '')}.sarif`;
  const outputs: [string, ReturnType<typeof cli>][] = [
    ['check text', cli('check', img.archive, '--sarif', sarif)],
    ['check markdown', cli('check', img.archive, '--markdown')],
    ['check json', cli('check', img.archive, '--json')],
  ];
  // The SARIF log for code scanning holds the same findings: never their values.
  const log = readFileSync(sarif, 'utf8');
  expect(JSON.parse(log)).toMatchObject({ version: '2.1.0' });
  for (const s of secrets) expect(log.includes(s), `the SARIF log shows the secret ${s}`).toBe(false);
  for (const [what, r] of outputs) {
    expect(r.status, `${what}: ${r.stderr}`).toBe(status);
    for (const s of secrets) {
      expect(r.stdout.includes(s), `${what} shows the secret ${s}`).toBe(false);
      expect(r.stderr.includes(s), `${what} (stderr) shows the secret ${s}`).toBe(false);
    }
  }
  for (const args of [
    ['inspect', img.archive],
    ['inspect', img.archive, '--json'],
  ]) {
    const r = cli(...args);
    expect(r.status, r.stderr).toBe(0);
    for (const s of secrets) expect(r.stdout.includes(s), `${args.join(' ')} shows ${s}`).toBe(false);
  }
  return JSON.parse(outputs[2]![1].stdout) as Report;
}

function secretFindings(r: Report): Finding[] {
  return r.findings.filter((f) => f.category === 'secret');
}

describe('hostile images: secrets that used to get through (bundled CLI)', { timeout: 120_000 }, () => {
  it('a control: the clean image passes (exit 0), so each exit 1 below comes from its secret', () => {
    const r = checkAll(archive([]), [], 0);
    expect(r.findings.filter((f) => f.severity !== 'info')).toEqual([]);
  });

  it('a build arg on an exec-form RUN (BuildKit) is SG505, and redacted', () => {
    const created = `RUN |1 DEPLOY_TOKEN=${DEPLOY} /app --self-test # buildkit`;
    const img = archive([[file('stamp', 'x')]], CONFIG, [
      { created_by: 'COPY app / # buildkit' },
      { created_by: created },
    ]);
    const r = checkAll(img, [DEPLOY], 1);
    expect(secretFindings(r).map((f) => [f.id, f.env])).toEqual([['SG505', 'DEPLOY_TOKEN']]);
    expect(r.layers[1]?.createdBy).toBe('RUN |1 DEPLOY_TOKEN=*** /app --self-test # buildkit');
  });

  it('a password in ENTRYPOINT or CMD is SG506, and redacted in config.cmd, entrypoint.argv and text', () => {
    const config = {
      ...CONFIG,
      Entrypoint: ['/app', '--password', FLAG_PW],
      Cmd: [`postgres://svc:${PG_PW}@db/app`],
    };
    const img = archive([], config, [{ created_by: `CMD ["postgres://svc:${PG_PW}@db/app"] # buildkit` }]);
    const r = checkAll(img, [PG_PW, FLAG_PW], 1);
    expect(secretFindings(r).map((f) => [f.id, f.message])).toEqual([
      ['SG506', 'ENTRYPOINT holds a password flag (argument 3; value not shown)'],
      ['SG506', 'CMD holds a URL with a password (argument 1; value not shown)'],
    ]);
    expect(r.image.config.entrypoint).toEqual(['/app', '--password', '***']);
    expect(r.image.config.cmd).toEqual(['postgres://svc:***@db/app']);
    expect(r.entrypoint?.argv).toEqual(['/app', '--password', '***', 'postgres://svc:***@db/app']);
    const text = cli('check', img.archive).stdout;
    expect(text).toContain('Entrypoint  ["/app","--password","***","postgres://svc:***@db/app"]');
  });

  it('a key added in one layer and deleted in the next is SG501, naming the layer that ships it', () => {
    const img = archive([
      [dir('root/'), dir('root/.ssh/'), file('root/.ssh/id_rsa', KEY, { mode: 0o600 })],
      [dir('root/'), dir('root/.ssh/'), file('root/.ssh/.wh.id_rsa')],
    ]);
    const r = checkAll(img, [KEY_BODY], 1);
    const f = secretFindings(r);
    expect(f.map((x) => [x.id, x.path, x.layer])).toEqual([['SG501', '/root/.ssh/id_rsa', 1]]);
    expect(f[0]?.message).toBe(
      'rsa private key in /root/.ssh/id_rsa in layer 2: a later layer deletes or replaces it, but layer 2 still ships it',
    );
    expect(r.files.some((x) => x.path === '/root/.ssh/id_rsa')).toBe(false);
  });

  it('known shapes in ENV and in RUN bodies are found and redacted', () => {
    const env = [
      'PATH=/usr/bin:/bin',
      `PGPASSWORD=${ENV_SECRETS.PGPASSWORD}`,
      `MYSQL_PWD=${ENV_SECRETS.MYSQL_PWD}`,
      `DB_PASS=${ENV_SECRETS.DB_PASS}`,
      `REDIS_URL=redis://:${ENV_SECRETS.REDIS}@cache:6379/0`,
      `SESSION=${JWT}`,
      `ALERTS=https://hooks.slack.com/services/${SLACK_PATH}`,
      `APP_KEY=${APP_KEY}`,
    ];
    const history = [
      { created_by: 'COPY app / # buildkit' },
      { created_by: `RUN /bin/sh -c export API_TOKEN=${RUN_SECRETS.export} && ./configure # buildkit` },
      { created_by: `RUN /bin/sh -c curl -fsS -u deploy:${RUN_SECRETS.curl} https://x.example/a # buildkit` },
      {
        created_by: `RUN /bin/sh -c curl -H "Authorization: Bearer ${RUN_SECRETS.bearer}" https://x.example # buildkit`,
      },
      { created_by: `RUN /bin/sh -c mysql -h db -u root -p${RUN_SECRETS.mysql} < /seed.sql # buildkit` },
    ];
    const img = archive(
      [[file('a', '1')], [file('b', '2')], [file('c', '3')], [file('d', '4')]],
      { ...CONFIG, Env: env },
      history,
    );
    const secrets = [
      ...Object.values(ENV_SECRETS),
      JWT,
      SLACK_PATH,
      APP_KEY.slice(7),
      ...Object.values(RUN_SECRETS),
    ];
    const r = checkAll(img, secrets, 1);
    const f = secretFindings(r);
    expect(f.filter((x) => x.env).map((x) => [x.id, x.env])).toEqual(
      expect.arrayContaining([
        ['SG503', 'PGPASSWORD'],
        ['SG503', 'MYSQL_PWD'],
        ['SG503', 'DB_PASS'],
        ['SG504', 'REDIS_URL'],
        ['SG504', 'SESSION'],
        ['SG504', 'ALERTS'],
        ['SG504', 'APP_KEY'],
      ]),
    );
    expect(f.filter((x) => x.id === 'SG505').map((x) => x.message)).toEqual([
      'a secret assignment appears in the command of history step 2 (value not shown)',
      'a curl password appears in the command of history step 3 (value not shown)',
      'an authorization header appears in the command of history step 4 (value not shown)',
      'a MySQL password appears in the command of history step 5 (value not shown)',
    ]);
    expect(r.image.config.env).toEqual([
      'PATH=/usr/bin:/bin',
      'PGPASSWORD=***',
      'MYSQL_PWD=***',
      'DB_PASS=***',
      'REDIS_URL=redis://:***@cache:6379/0',
      'SESSION=***',
      'ALERTS=https://hooks.slack.com/services/***',
      'APP_KEY=***',
    ]);
    expect(r.layers.map((l) => l.createdBy)).toEqual([
      'COPY app / # buildkit',
      'RUN /bin/sh -c export API_TOKEN=*** && ./configure # buildkit',
      'RUN /bin/sh -c curl -fsS -u deploy:*** https://x.example/a # buildkit',
      'RUN /bin/sh -c curl -H "Authorization: Bearer ***" https://x.example # buildkit',
      'RUN /bin/sh -c mysql -h db -u root -p*** < /seed.sql # buildkit',
    ]);
  });

  it('secret files past 4 KiB, backups, *.env and kubeconfig tokens are found', () => {
    const filler = '# registry settings\n'.repeat(300); // 6 KiB
    const img = archive([
      [
        dir('etc/'),
        dir('etc/ssl/'),
        file('etc/ssl/bundle.pem', CERT.repeat(5) + KEY), // the key after ~6 KiB of certificates
        dir('root/'),
        file('root/.npmrc', `${filler}//registry.npmjs.org/:_authToken=${NPM_SECRET}\n`),
        dir('root/.ssh/'),
        file('root/.ssh/id_rsa.bak', KEY),
        dir('root/.kube/'),
        file(
          'root/.kube/config',
          `apiVersion: v1\nkind: Config\nusers:\n- name: ci\n  user:\n    token: ${KUBE_TOKEN}\n`,
        ),
        dir('srv/'),
        file('srv/prod.env', `LOG_LEVEL=info\nSTRIPE_SECRET=${DOTENV_SECRET}\n`),
        file('srv/example.env', 'STRIPE_SECRET=changeme-in-prod\n'),
      ],
    ]);
    const r = checkAll(img, [KEY_BODY, NPM_SECRET, KUBE_TOKEN, DOTENV_SECRET], 1);
    expect(secretFindings(r).map((f) => [f.id, f.path, f.layer])).toEqual([
      ['SG501', '/etc/ssl/bundle.pem', 1],
      ['SG501', '/root/.ssh/id_rsa.bak', 1],
      ['SG502', '/root/.kube/config', 1],
      ['SG502', '/root/.npmrc', 1],
      ['SG502', '/srv/prod.env', 1],
    ]);
  });

  it.each([
    ['quoted ${X}', '_authToken="${NPM_TOKEN}"'],
    ['single-quoted ${X}', "_authToken='${NPM_TOKEN}'"],
    ['quoted $X', '_authToken="$NPM_TOKEN"'],
    ['bare $X', '_authToken=$NPM_TOKEN'],
    ['bare ${X}', '_authToken=${NPM_TOKEN}'],
  ])('an .npmrc that references the token (%s) is not SG502: exit 0', (_name, line) => {
    const img = archive([
      [dir('root/'), file('root/.npmrc', `//registry.npmjs.org/:${line}\nalways-auth=true\n`)],
    ]);
    const r = checkAll(img, [], 0);
    expect(secretFindings(r)).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------------ the pieces

describe('secret shapes: found, and redacted to a stable ***', () => {
  it.each<[string, string, string]>([
    ['a URL password with an empty user', 'redis://:hunter2xyz@cache:6379', 'redis://:***@cache:6379'],
    ['a URL password', 'amqp://app:pw-123@mq/vhost', 'amqp://app:***@mq/vhost'],
    ['a JWT', `token ${JWT} end`, 'token *** end'],
    [
      'a Slack webhook',
      `https://hooks.slack.com/services/${SLACK_PATH}`,
      'https://hooks.slack.com/services/***',
    ],
    ['a base64 app key', `APP_KEY=${APP_KEY}`, 'APP_KEY=***'],
    ['export NAME=…', 'export GITHUB_TOKEN=abc123def && make', 'export GITHUB_TOKEN=*** && make'],
    ['a quoted assignment', "DB_PASSWORD='a b c' ./migrate", "DB_PASSWORD='***' ./migrate"],
    ['curl -u', 'curl -u admin:s3cr3t https://x', 'curl -u admin:*** https://x'],
    ['curl --user quoted', "curl --user 'admin:s3 cr3t' https://x", "curl --user 'admin:***' https://x"],
    [
      'an Authorization header',
      'curl -H "Authorization: Bearer abc.def.ghi" x',
      'curl -H "Authorization: Bearer ***" x',
    ],
    [
      'a Basic header',
      "curl -H 'Authorization: Basic dXNlcjpwdw==' x",
      "curl -H 'Authorization: Basic ***' x",
    ],
    ['a PRIVATE-TOKEN header', 'curl -H "PRIVATE-TOKEN: glp-xyz-123" x', 'curl -H "PRIVATE-TOKEN: ***" x'],
    ['mysql -pPASS', 'mysql -uroot -pS3cret db', 'mysql -uroot -p*** db'],
    ['mysqldump -p"PASS"', 'mysqldump -p"S3 cret" db', 'mysqldump -p"***" db'],
    ['--password=', 'psql --password=pw0rd123 x', 'psql --password=*** x'],
    ['--db-password VALUE', 'migrate --db-password pw0rd123', 'migrate --db-password ***'],
    ['sshpass -p', 'sshpass -p pw0rd ssh host', 'sshpass -p *** ssh host'],
    ['openssl -passin', 'openssl rsa -passin pass:pw0rd', 'openssl rsa -passin pass:***'],
    ['a PEM key cut off', '-----BEGIN PRIVATE KEY-----\nMIIE', '***'],
  ])('%s', (_name, input, want) => {
    expect(redactSecrets(input)).toBe(want);
    if (want !== input) expect(findSecrets(input).length).toBeGreaterThan(0);
  });

  it.each([
    ['a reference', 'export API_TOKEN=$API_TOKEN'],
    ['a braced reference', 'curl -u "$USER:${PASSWORD}" x'],
    ['a command substitution', 'export TOKEN=$(cat /run/secrets/t)'],
    ['a placeholder', 'curl -H "Authorization: Bearer <token>" x'],
    ['a template', 'psql --password={{ .Values.pw }}'],
    ['mysql prompting (-p alone) and a port (-P)', 'mysql -u root -p -P 3306 db'],
    ['a user only', 'curl -u admin https://x'],
    ['-u that is not curl', 'useradd -u 1000:1000 app'],
    ['a URL without a password', 'postgres://svc@db:5432/app'],
    ['a port, not a password', 'http://host:8080/path@x'],
    ['a name that is about a secret', 'export TOKEN_FILE=/run/secrets/t'],
    ['PWD alone is the working directory', 'PWD=abc ./x'],
    ['a --password-stdin flag', 'echo "$PW" | docker login --password-stdin -u me'],
    ['already redacted', 'curl -u admin:*** https://x'],
  ])('not a secret: %s', (_name, input) => {
    expect(findSecrets(input)).toEqual([]);
    expect(redactSecrets(input)).toBe(input);
  });

  it('redaction is idempotent', () => {
    const s = `curl -u a:pw1234 -H "Authorization: Bearer ${JWT}" redis://:x1y2z3@h`;
    expect(redactSecrets(redactSecrets(s))).toBe(redactSecrets(s));
  });

  it('argv: a flag and its value in separate arguments, and curl -u user:pw', () => {
    expect(redactArgv(['/app', '--password', 'pw1', '--token=tk2', '--name', 'x'])).toEqual([
      '/app',
      '--password',
      '***',
      '--token=***',
      '--name',
      'x',
    ]);
    expect(redactArgv(['curl', '-u', 'me:pw3', 'https://x'])).toEqual(['curl', '-u', 'me:***', 'https://x']);
    expect(redactArgv(['/app', '--password', '$PW'])).toEqual(['/app', '--password', '$PW']);
  });

  it('env names: PGPASSWORD, MYSQL_PWD, DB_PASS…, APP_KEY are secrets; PWD, PASSWORD_FILE are not', () => {
    for (const e of [
      'PGPASSWORD=x1',
      'MYSQL_PWD=x1',
      'DB_PASS=x1',
      'DB_PASSWD=x1',
      'APP_KEY=x1',
      'AUTHTOKEN=x1',
    ])
      expect(redactEnv(e)).toBe(`${e.split('=')[0]}=***`);
    for (const e of ['PWD=/app', 'OLDPWD=x', 'DB_PASSWORD_FILE=/run/s', 'PASSENGER_APP_ENV=production'])
      expect(redactEnv(e)).toBe(e);
  });

  it('history: the exec form and the shell form name the same build args', () => {
    expect(redactCommand('RUN |2 A=1 DEPLOY_TOKEN=abcdef /app --self-test')).toBe(
      'RUN |2 A=1 DEPLOY_TOKEN=*** /app --self-test',
    );
    expect(redactCommand('|1 DEPLOY_TOKEN=abcdef /app --self-test')).toBe(
      '|1 DEPLOY_TOKEN=*** /app --self-test',
    );
  });
});

describe('rules over layer records: any layer, the layer named', () => {
  const CLEAN = [D('/etc'), T('/etc/passwd', PASSWD), X('/app', STATIC())];
  const cfg = { User: '65532', Entrypoint: ['/app'] };

  it('a key replaced by a harmless file in the next layer is still reported, from its own layer', () => {
    const r = check(
      image([CLEAN, [D('/srv'), T('/srv/tls.key', KEY)], [D('/srv'), T('/srv/tls.key', 'gone\n')]], cfg),
    );
    expect(r.findings.map((f) => [f.id, f.path, f.layer])).toEqual([['SG501', '/srv/tls.key', 1]]);
  });

  it('a key in the final file system is reported once, with its layer', () => {
    const r = check(image([CLEAN, [D('/srv'), T('/srv/tls.key', KEY)], [F('/other', 1)]], cfg));
    expect(r.findings.map((f) => [f.id, f.path, f.layer, f.message])).toEqual([
      ['SG501', '/srv/tls.key', 1, 'rsa private key in /srv/tls.key'],
    ]);
  });

  it('two different keys at one path, one overwriting the other: both ship, both are reported', () => {
    const r = check(
      image([CLEAN, [D('/srv'), T('/srv/tls.key', KEY)], [D('/srv'), T('/srv/tls.key', KEY)]], cfg),
    );
    expect(r.findings.map((f) => [f.id, f.layer])).toEqual([
      ['SG501', 2],
      ['SG501', 1],
    ]);
  });

  it('a deleted test-fixture key stays info (SG509)', () => {
    const r = check(
      image(
        [
          CLEAN,
          [T('/usr/lib/go/src/crypto/tls/testdata/k.pem', KEY)],
          [F('/usr/lib/go/src/crypto/tls/testdata/.wh.k.pem')],
        ],
        cfg,
      ),
    );
    expect(r.findings.map((f) => [f.id, f.severity, f.layer])).toEqual([['SG509', 'info', 1]]);
  });
});

describe('the streaming matcher over real tar streams', () => {
  const scan = async (entries: TarEntry[], chunk: number) => {
    const s = await scanLayer(chunks(tar(entries), chunk), 'layer');
    return flatten([s]).files;
  };

  it.each([7, 512, 65_536])(
    'a key after 20 KiB of certificates, read in %i-byte chunks, keeping no bytes',
    async (c) => {
      const files = await scan([file('bundle.pem', CERT.repeat(16) + KEY)], c);
      expect(files[0]).toMatchObject({
        path: '/bundle.pem',
        secret: { kind: 'key', what: 'rsa private key' },
      });
      expect(files[0]?.head).toBeUndefined();
    },
  );

  it('a token on a line longer than the line window is still seen, across windows', async () => {
    const long = `{"auths":{"r.example":{"x":"${'y'.repeat(40_000)}","auth":"dXNlcjpwdw=="}}}`;
    const files = await scan(
      [dir('root/'), dir('root/.docker/'), file('root/.docker/config.json', long)],
      4096,
    );
    expect(files.find((f) => f.path === '/root/.docker/config.json')?.secret).toEqual({
      kind: 'credential',
      what: 'Docker registry credentials',
    });
  });

  it('reading stops at the cap: a key past 1 MiB is not read (the scan stays bounded)', () => {
    const pad = Buffer.alloc(SECRET_READ_CAP + 10, 0x41);
    expect(matchSecretFile('/x.pem', Buffer.concat([pad, Buffer.from(`\n${KEY}`)]))).toBeUndefined();
    expect(matchSecretFile('/x.pem', Buffer.concat([Buffer.from(`${KEY}\n`), pad]))).toEqual({
      kind: 'key',
      what: 'rsa private key',
    });
  });

  it('a key wins over a credential that comes first in the same file', () => {
    expect(matchSecretFile('/app/.env', Buffer.from(`API_TOKEN=abc123\n${KEY}`))).toEqual({
      kind: 'key',
      what: 'rsa private key',
    });
  });

  it.each<[string, string, string | undefined]>([
    ['/root/.npmrc', '//r/:_authToken="${NPM_TOKEN}"\n', undefined],
    ['/root/.npmrc', "//r/:_authToken='$NPM_TOKEN'\n", undefined],
    ['/root/.npmrc', '//r/:_authToken=\n', undefined],
    ['/root/.npmrc', '//r/:_authToken="npm_literal"\n', 'npm auth token'],
    ['/root/.kube/config', 'users:\n- name: a\n  user:\n    token: ""\n', undefined],
    [
      '/root/.kube/config',
      'users:\n- user:\n    client-key-data: LS0tLS1CRUdJTg==\n',
      'Kubernetes credentials',
    ],
    ['/etc/kubernetes/admin.conf', '    token: abc.def\n', 'Kubernetes credentials'],
    ['/root/.git-credentials', 'https://:ghp_x@github.com\n', 'git credentials'],
    ['/app/.env.example', 'API_TOKEN=abc\n', undefined],
    ['/app/app.env', 'export API_TOKEN="abc"\n', 'dotenv secrets'],
    ['/app/app.env', 'API_TOKEN=${API_TOKEN}\n', undefined],
    ['/root/.docker/config.json', '{"auths":{"x":{"auth":""}},"credsStore":"desktop"}', undefined],
  ])('%s %j → %s', (p, body, what) => {
    expect(matchSecretFile(p, Buffer.from(body))?.what).toBe(what);
  });
});

describe('the verdict on the record', () => {
  it('survives flatten by reference (so a shipped file is not reported twice)', async () => {
    const s = await scanLayer([tar([file('k.pem', KEY)])], 'layer');
    const e = s.entries[0];
    expect(e?.secret).toBeDefined();
    expect(flatten([s]).files[0]?.secret).toBe(e?.secret);
  });
});
