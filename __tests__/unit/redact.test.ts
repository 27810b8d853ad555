// Secrets recorded in the image config (build args in the history, ENV values) never reach a report, a
// PR comment, a job summary or the CLI's output: buildReport redacts them; the findings name them.
import { describe, expect, it } from 'vitest';
import { redactCommand, redactEnv } from '../../src/analysis/secrets.js';
import { loadReport } from '../../src/github/baseline.js';
import { diffReports } from '../../src/report/diff.js';
import { renderMarkdown } from '../helpers/markdown.js';
import { decideVerdict } from '../../src/analysis/verdict.js';
import { buildReport } from '../../src/engine/assemble.js';
import { renderCheck, renderInspect } from '../../src/report/text.js';
import { check, F, ids, image } from '../helpers/rules-kit.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const GHP = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
const NPM = 'npm_' + 'Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2';
// Not AWS's documented …EXAMPLE key: the shapes leave that one alone on purpose (docs/secrets.md).
const AKIA = 'AKIA' + 'Q7XK2M9PLR4T6WZB';
const GLPAT = 'glpat-' + 'xYz123AbC456dEf789gHi0';

describe('redactCommand', () => {
  it.each<[string, string, string]>([
    [
      'a secret build arg (classic builder)',
      '|1 NPM_TOKEN=npm_abc123def456 /bin/sh -c npm ci',
      '|1 NPM_TOKEN=*** /bin/sh -c npm ci',
    ],
    [
      'a secret build arg (BuildKit)',
      'RUN |1 NPM_TOKEN=npm_abc123def456 /bin/sh -c npm ci # buildkit',
      'RUN |1 NPM_TOKEN=*** /bin/sh -c npm ci # buildkit',
    ],
    [
      'only the secret one of several build args',
      'RUN |3 DEBIAN_FRONTEND=noninteractive API_KEY=s3cr3t-v@lue VERSION=1.2 /bin/sh -c make',
      'RUN |3 DEBIAN_FRONTEND=noninteractive API_KEY=*** VERSION=1.2 /bin/sh -c make',
    ],
    [
      'a last value with spaces, up to the shell',
      '|1 DB_PASSWORD=correct horse battery /bin/sh -c ./migrate',
      '|1 DB_PASSWORD=*** /bin/sh -c ./migrate',
    ],
    [
      'an exec-form RUN (no shell)',
      'RUN |1 GH_TOKEN=hunter2hunter2 ./fetch --all # buildkit',
      'RUN |1 GH_TOKEN=*** ./fetch --all # buildkit',
    ],
    [
      'a token-shaped value under any name',
      `RUN |1 MY_ARG=${GHP} /bin/sh -c ./x`,
      'RUN |1 MY_ARG=*** /bin/sh -c ./x',
    ],
    [
      'the secret value written again in the command',
      '|1 NPM_TOKEN=abcdef123456 /bin/sh -c echo //r/:_authToken=abcdef123456 > .npmrc',
      '|1 NPM_TOKEN=*** /bin/sh -c echo //r/:_authToken=*** > .npmrc',
    ],
    [
      'a GitHub token in the command',
      `/bin/sh -c git clone https://${GHP}@github.com/o/r`,
      '/bin/sh -c git clone https://***@github.com/o/r',
    ],
    [
      'an npm token in the command',
      `RUN /bin/sh -c npm config set //r/:_authToken ${NPM}`,
      'RUN /bin/sh -c npm config set //r/:_authToken ***',
    ],
    ['an AWS key id in the command', `ENV AWS_ACCESS_KEY_ID=${AKIA}`, 'ENV AWS_ACCESS_KEY_ID=***'],
    [
      'a GitLab token in the command',
      `RUN /bin/sh -c curl -H "PRIVATE-TOKEN: ${GLPAT}" https://gitlab.example/api`,
      'RUN /bin/sh -c curl -H "PRIVATE-TOKEN: ***" https://gitlab.example/api',
    ],
    [
      'a URL password, keeping the rest of the URL',
      'RUN /bin/sh -c pip install --index-url https://me:pa55word@pypi.example/simple app',
      'RUN /bin/sh -c pip install --index-url https://me:***@pypi.example/simple app',
    ],
  ])('redacts %s', (_name, input, want) => {
    const got = redactCommand(input);
    expect(got).toBe(want);
    for (const secret of [GHP, NPM, AKIA, GLPAT, 'npm_abc123def456', 's3cr3t-v@lue', 'hunter2', 'horse'])
      expect(got).not.toContain(secret);
    expect(got).toContain('***');
  });

  it.each([
    ['a non-secret build arg', 'RUN |1 DEBIAN_FRONTEND=noninteractive /bin/sh -c apt-get update # buildkit'],
    ['classic builder args', '|2 VERSION=1.2.3 TARGETARCH=amd64 /bin/sh -c make'],
    ['a secret reference, not a value', '|1 NPM_TOKEN_FILE=/run/secrets/npm /bin/sh -c npm ci'],
    ['a secret name with a path value', '|1 SSH_PRIVATE_KEY=/run/secrets/key /bin/sh -c ./x'],
    ['an empty secret', '|1 NPM_TOKEN= /bin/sh -c npm ci'],
    ['a name that only contains a secret word', '|1 TOKENIZERS_PARALLELISM=false /bin/sh -c ./x'],
    ['an ordinary RUN', 'RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit'],
    ['a variable reference', 'RUN /bin/sh -c echo "//r/:_authToken=${NPM_TOKEN}" > .npmrc'],
    ['a COPY', 'COPY --from=build /src/app /app # buildkit'],
    ['a URL without a password', 'ADD https://user@example.com/a.tar.gz /a # buildkit'],
    ['an ENV', 'ENV PATH=/usr/local/bin:/usr/bin:/bin'],
    ["AWS's documented example key id", 'ENV AWS_ACCESS_KEY_ID=AKIA' + 'IOSFODNN7EXAMPLE'],
    ['no history', ''],
  ])('leaves %s unchanged', (_name, input) => {
    expect(redactCommand(input)).toBe(input);
  });
});

describe('redactEnv', () => {
  it.each([
    [`API_TOKEN=${GHP}`, 'API_TOKEN=***'],
    ['DB_PASSWORD=hunter2', 'DB_PASSWORD=***'],
    [`GITHUB=${GHP}`, 'GITHUB=***'],
    ['DATABASE_URL=postgres://app:s3cret@db:5432/app', 'DATABASE_URL=postgres://app:***@db:5432/app'],
    ['PATH=/usr/bin:/bin', 'PATH=/usr/bin:/bin'],
    ['TOKENIZERS_PARALLELISM=false', 'TOKENIZERS_PARALLELISM=false'],
    ['API_TOKEN_FILE=/run/secrets/token', 'API_TOKEN_FILE=/run/secrets/token'],
    ['LANG=C.UTF-8', 'LANG=C.UTF-8'],
  ])('%s → %s', (input, want) => {
    expect(redactEnv(input)).toBe(want);
  });
});

describe('reports never carry the secret', () => {
  const history = [
    { created_by: 'ADD rootfs.tar / # buildkit' },
    // The classic builder's form, which SG505 reads.
    { created_by: `|2 NPM_TOKEN=npm_abc123def456 GH=${GHP} /bin/sh -c npm ci` },
    { created_by: 'RUN |1 NPM_TOKEN=npm_abc123def456 /bin/sh -c npm run build # buildkit' },
  ];
  const img = (): ReturnType<typeof image> =>
    image(
      [
        [F('/etc/os-release', 10)],
        [F('/app/node_modules/big.js', 2_000_000)],
        [F('/app/node_modules/big.js', 2_000_001), F('/etc/os-release', 20)],
      ],
      { Env: ['PATH=/usr/bin:/bin', `API_TOKEN=${GHP}`, 'DB_PASSWORD=hunter2hunter2'] },
      { history, createdBy: history.map((h) => h.created_by) },
    );
  const leaks = (text: string): string[] =>
    [GHP, 'npm_abc123def456', 'hunter2hunter2'].filter((s) => text.includes(s));

  it('check: JSON, markdown, text and the findings', () => {
    const r = check(img());
    // The findings still say what was found, by name.
    expect(ids(r)).toEqual(expect.arrayContaining(['SG503', 'SG504', 'SG505']));
    expect(r.findings.map((f) => f.env)).toEqual(expect.arrayContaining(['NPM_TOKEN', 'API_TOKEN']));
    expect(r.layers.map((l) => l.createdBy)).toEqual([
      'ADD rootfs.tar / # buildkit',
      '|2 NPM_TOKEN=*** GH=*** /bin/sh -c npm ci',
      'RUN |1 NPM_TOKEN=*** /bin/sh -c npm run build # buildkit',
    ]);
    // SG603 (the last layer overwrites 2 MB) names the layer by its command.
    expect(r.findings.find((f) => f.id === 'SG603')?.message).toContain('(RUN |1 NPM_TOKEN=*** /bin/sh');
    expect(r.image.config.env).toEqual(['PATH=/usr/bin:/bin', 'API_TOKEN=***', 'DB_PASSWORD=***']);
    expect(leaks(JSON.stringify(r))).toEqual([]);
    expect(leaks(renderMarkdown(r, undefined, { verdict: decideVerdict(r, 'error') }))).toEqual([]);
    const base = check(image([[F('/etc/os-release', 10)]]));
    expect(leaks(renderMarkdown(r, diffReports(base, r), { verdict: decideVerdict(r, 'error') }))).toEqual(
      [],
    );
    expect(leaks(renderCheck(r, base))).toEqual([]);
    expect(leaks(renderInspect(r))).toEqual([]);
  });

  it('inspect: JSON and text', () => {
    const r = buildReport(img());
    expect(leaks(JSON.stringify(r))).toEqual([]);
    expect(leaks(renderInspect(r))).toEqual([]);
    expect(r.layers[0]!.createdBy).toBe('ADD rootfs.tar / # buildkit');
  });

  it('a saved report written before redaction is redacted when it is read', () => {
    const r = check(img());
    r.layers[1]!.createdBy = history[1]!.created_by;
    r.image.config.env = [`API_TOKEN=${GHP}`];
    // ENTRYPOINT and CMD as reports before SG506 wrote them: verbatim.
    r.image.config.entrypoint = ['/bin/sh', '-c'];
    r.image.config.cmd = ['psql postgres://svc:hunter2hunter2@db/app'];
    r.entrypoint = {
      ...r.entrypoint!,
      argv: ['/bin/sh', '-c', 'psql postgres://svc:hunter2hunter2@db/app'],
      evidence: ['shell form: ["/bin/sh","-c","psql postgres://svc:hunter2hunter2@db/app"]'],
    };
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'slimgate-redact-')), 'baseline.json');
    writeFileSync(file, JSON.stringify(r));
    const back = loadReport(file);
    expect(leaks(JSON.stringify(back))).toEqual([]);
    expect(back.image.config.cmd).toEqual(['psql postgres://svc:***@db/app']);
    expect(back.entrypoint?.evidence).toEqual([
      'shell form: ["/bin/sh","-c","psql postgres://svc:***@db/app"]',
    ]);
  });
});
