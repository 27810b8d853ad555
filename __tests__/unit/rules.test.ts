// Table tests for every rule in the catalog: a hit that names the path, a near miss that must not fire,
// and turning the rule off or re-rating it (by id and by category) and ignoring its path by glob.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATEGORIES, RULES } from '../../src/analysis/catalog.js';
import { headSpec } from '../../src/scan/heads.js';
import type { EntryRecord } from '../../src/scan/layer.js';
import type { Finding } from '../../src/types/report.js';
import {
  check,
  D,
  DPKG,
  DYNAMIC,
  elf,
  F,
  H,
  image,
  P,
  S,
  STATIC,
  T,
  X,
  type Config,
} from '../helpers/rules-kit.js';

const PASSWD = 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n';
const GROUP = 'root:x:0:\nnonroot:x:65532:\n';
const CLEAN: EntryRecord[] = [
  D('/etc'),
  T('/etc/passwd', PASSWD),
  T('/etc/group', GROUP),
  X('/app', STATIC()),
];
const CLEAN_CONFIG: Config = {
  User: '65532',
  Entrypoint: ['/app'],
  Env: ['PATH=/usr/local/bin:/usr/bin:/bin'],
};
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----\n';
const GHP = `ghp_${'a1B2'.repeat(9)}`;

interface Case {
  /** Extra entries in a second layer on top of CLEAN. */
  files?: EntryRecord[];
  /** Replaces the whole image's layers (CLEAN is not added). */
  layers?: EntryRecord[][];
  config?: Partial<Config>;
  history?: { created_by?: string }[];
}

interface RuleCase {
  id: string;
  hit: Case & { path?: string; env?: string; message?: RegExp };
  miss: Case;
}

function run(c: Case, patch = {}): Finding[] {
  const layers = c.layers ?? [CLEAN, ...(c.files ? [c.files] : [])];
  const img = image(layers, { ...CLEAN_CONFIG, ...c.config }, { history: c.history ?? [] });
  return check(img, patch).findings;
}

const ETC_DEBIAN = T('/etc/os-release', 'ID=debian\nVERSION_ID="12"\n');

const CASES: RuleCase[] = [
  {
    id: 'SG110',
    hit: {
      files: [ETC_DEBIAN, X('/bin/sh', STATIC())],
      message: /base os \(debian:12\) is not allowed.*\/etc\/os-release ID=debian/,
    },
    miss: {
      files: [
        T('/etc/os-release', 'PRETTY_NAME="Distroless"\nID=debian\nVERSION_ID=12\n'),
        D('/var/lib/dpkg/status.d'),
        T('/var/lib/dpkg/status.d/base', 'Package: base-files\n'),
      ],
    },
  },
  {
    id: 'SG201',
    hit: {
      files: [X('/bin/bash', STATIC()), S('/bin/sh', 'bash')],
      path: '/bin/bash',
      message: /shell \/bin\/bash present \(also \/bin\/sh\)/,
    },
    miss: { files: [X('/usr/share/bash-completion/bash', 'x'), T('/bin/sh', 'not executable')] },
  },
  {
    id: 'SG202',
    hit: {
      files: [X('/bin/busybox', STATIC()), S('/bin/sh', 'busybox'), H('/bin/ls', '/bin/busybox')],
      path: '/bin/busybox',
      message: /busybox \/bin\/busybox .*linked as \/bin\/sh/,
    },
    miss: { files: [T('/usr/share/doc/busybox', 'docs'), X('/opt/busybox.txt', 'x')] },
  },
  {
    id: 'SG210',
    hit: {
      files: [X('/usr/bin/apt-get', STATIC()), X('/usr/local/bin/pip3', '#!/usr/bin/python3\n')],
      path: '/usr/bin/apt-get',
    },
    miss: { files: [X('/usr/lib/apt/methods/http', STATIC()), X('/usr/bin/aptly', STATIC())] },
  },
  {
    id: 'SG220',
    hit: { files: [X('/bin/ls', STATIC())], path: '/bin/ls' },
    miss: { files: [X('/bin/lsblk', STATIC()), X('/usr/lib/coreutils/ls', STATIC())] },
  },
  {
    id: 'SG301',
    hit: {
      files: [X('/usr/bin/helper', STATIC(), { mode: 0o4755 })],
      path: '/usr/bin/helper',
      message: /setuid \/usr\/bin\/helper \(mode 4755/,
    },
    miss: { files: [D('/srv/shared', { mode: 0o2775 }), X('/usr/bin/tool', STATIC(), { mode: 0o755 })] },
  },
  {
    id: 'SG302',
    hit: { files: [X('/usr/bin/sudo', STATIC())], path: '/usr/bin/sudo' },
    miss: { files: [T('/etc/sudoers', 'root ALL=(ALL) ALL\n')] },
  },
  {
    id: 'SG310',
    hit: {
      files: [D('/data', { mode: 0o777 }), T('/data/x', 'x', { mode: 0o666 })],
      path: '/data',
      message: /world-writable directory \/data \(mode 0777\) \(and 1 world-writable/,
    },
    miss: {
      files: [
        D('/tmp', { mode: 0o1777 }),
        T('/tmp/x', 'x', { mode: 0o666 }),
        D('/tmp/sub', { mode: 0o777 }),
        S('/link', '/tmp'),
      ],
    },
  },
  {
    id: 'SG320',
    hit: { config: { User: '' }, message: /runs as root: the image sets no USER/ },
    miss: { config: { User: 'nonroot:nonroot' } },
  },
  {
    id: 'SG321',
    hit: { config: { User: 'app' }, path: '/etc/passwd', message: /user "app" is not in \/etc\/passwd/ },
    miss: { config: { User: 'nonroot' } },
  },
  {
    id: 'SG401',
    hit: {
      files: [X('/usr/bin/x86_64-linux-gnu-gcc-12', STATIC()), S('/usr/bin/gcc', 'x86_64-linux-gnu-gcc-12')],
      path: '/usr/bin/x86_64-linux-gnu-gcc-12',
    },
    miss: { files: [X('/usr/local/bin/gopls', STATIC()), X('/usr/bin/makeinfo', STATIC())] },
  },
  {
    id: 'SG402',
    hit: {
      files: [
        ...DPKG(['golang-1.19-go', '/usr/lib/go/bin/go'], ['libc6', '/usr/lib/libc.so.6']),
        F('/usr/lib/go/bin/go', 40_000_000),
      ],
      message: /1 build toolchain package \(dpkg\) ship 40\.0 MB: golang-1\.19-go 1\.0 40\.0 MB$/,
    },
    miss: {
      files: [
        ...DPKG(
          ['libssl-dev', '/usr/include/ssl.h'],
          ['makedev', '/sbin/MAKEDEV'],
          ['libgolang-x', '/usr/lib/x'],
        ),
        F('/usr/include/ssl.h', 900_000),
      ],
    },
  },
  {
    id: 'SG403',
    hit: {
      files: [
        P('/srv/app/package.json', '{"devDependencies":{"typescript":"^5","jest":"^29"}}'),
        P('/srv/app/node_modules/typescript/package.json', '{"name":"typescript","version":"5.4.5"}'),
        F('/srv/app/node_modules/typescript/lib/tsc.js', 9_000_000),
      ],
      path: '/srv/app/package.json',
      message:
        /1 devDependency of \/srv\/app\/package\.json installed in \/srv\/app\/node_modules .*typescript 9\.00 MB/,
    },
    miss: {
      files: [
        P('/srv/app/package.json', '{"devDependencies":{"typescript":"^5"}}'),
        P('/srv/app/node_modules/left-pad/package.json', '{"name":"left-pad","version":"1.3.0"}'),
        P('/srv/other/node_modules/typescript/package.json', '{"name":"typescript","version":"5.4.5"}'),
      ],
    },
  },
  {
    id: 'SG410',
    hit: {
      files: [D('/app.d'), D('/app.d/.git'), T('/app.d/.git/HEAD', 'ref: refs/heads/main\n')],
      path: '/app.d/.git',
      message: /git repository \/app\.d\/\.git \(1 files/,
    },
    miss: { files: [D('/app.d'), D('/app.d/.github'), T('/app.d/.gitignore', 'node_modules\n')] },
  },
  {
    id: 'SG501',
    hit: {
      files: [D('/srv'), T('/srv/server.key', KEY)],
      path: '/srv/server.key',
      message: /private key in \/srv\/server\.key/,
    },
    miss: {
      files: [
        D('/srv'),
        T('/srv/server.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'),
        T('/srv/notes.txt', KEY),
      ],
    },
  },
  {
    id: 'SG502',
    hit: {
      files: [D('/root'), T('/root/.npmrc', '//registry.npmjs.org/:_authToken=npm_secretvalue\n')],
      path: '/root/.npmrc',
      message: /npm auth token in \/root\/\.npmrc/,
    },
    miss: {
      files: [
        D('/root'),
        T('/root/.npmrc', '//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n'),
        D('/root/.docker'),
        T('/root/.docker/config.json', '{"auths":{"ghcr.io":{}},"credsStore":"desktop"}'),
        T('/app.env.example', 'API_TOKEN=\n'),
      ],
    },
  },
  {
    id: 'SG503',
    hit: {
      config: { Env: ['PATH=/usr/bin', 'API_TOKEN=s3cr3t-value'] },
      env: 'API_TOKEN',
      message: /ENV API_TOKEN has a literal value .*value not shown/,
    },
    miss: {
      config: {
        Env: [
          'PATH=/usr/bin',
          'POSTGRES_PASSWORD_FILE=/run/secrets/pw',
          'TOKENIZERS_PARALLELISM=false',
          'API_TOKEN=',
          'GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D',
          'AWS_ACCESS_KEY_ID_PARAM=x',
        ],
      },
    },
  },
  {
    id: 'SG504',
    hit: {
      config: { Env: ['PATH=/usr/bin', `GH=${GHP}`] },
      env: 'GH',
      message: /ENV GH holds a GitHub token/,
    },
    miss: { config: { Env: ['PATH=/usr/bin', 'GH=ghp_short', 'DB=postgres://db:5432/app'] } },
  },
  {
    id: 'SG505',
    hit: {
      history: [{ created_by: '|1 NPM_TOKEN=abcdef123 /bin/sh -c npm ci' }],
      env: 'NPM_TOKEN',
      message: /build arg NPM_TOKEN is recorded in the image history/,
    },
    miss: {
      history: [
        { created_by: '|1 NODE_ENV=production /bin/sh -c npm ci' },
        { created_by: 'COPY file:abc in /' },
      ],
    },
  },
  {
    id: 'SG506',
    hit: {
      config: { Entrypoint: ['/app'], Cmd: ['--db', 'postgres://svc:Sup3rS3cret@db/app'] },
      message: /CMD holds a URL with a password \(argument 2; value not shown\)/,
    },
    miss: {
      config: { Entrypoint: ['/app'], Cmd: ['--db', 'postgres://svc@db/app', '--password', '$DB_PASSWORD'] },
    },
  },
  {
    id: 'SG507',
    hit: {
      files: [T('/app/config/settings.py', `DEBUG = False\nAWS_ACCESS_KEY_ID = "AKIA${'Q7'.repeat(8)}"\n`)],
      path: '/app/config/settings.py',
      message:
        /AWS access key id in \/app\/config\/settings\.py \(line 2: an AWS access key id; value not shown\)/,
    },
    miss: {
      // AWS's documented example key, and a prefix with too few characters after it.
      files: [T('/app/config/settings.py', 'KEY = "AKIAIOSFODNN7EXAMPLE"\nOTHER = "AKIA1234"\n')],
    },
  },
  {
    id: 'SG508',
    hit: {
      files: [T('/etc/app/db.conf', 'url = postgres://app:S3cr3tPw9x@db:5432/app\n')],
      path: '/etc/app/db.conf',
      message: /URL with a password in \/etc\/app\/db\.conf \(line 1: a URL with a password/,
    },
    miss: {
      files: [
        T(
          '/etc/app/db.conf',
          'url = postgres://app:${DB_PASSWORD}@db/app\nalt = postgres://app:password@db/app\n',
        ),
      ],
    },
  },
  {
    id: 'SG510',
    hit: {
      files: [
        X('/usr/local/bin/svc', STATIC(), {
          elf: {
            kinds: null,
            stripped: null,
            go: {
              version: 'go1.22.1',
              path: 'example.com/svc',
              main: null,
              deps: [],
              settings: [{ key: '-ldflags', value: `-s -w -X main.token=ghp_${'a1B2'.repeat(9)}` }],
            },
          },
        }),
      ],
      path: '/usr/local/bin/svc',
      message: /the Go build setting -ldflags holds a GitHub token \(value not shown\)/,
    },
    miss: {
      files: [
        X('/usr/local/bin/svc', STATIC(), {
          elf: {
            kinds: null,
            stripped: null,
            go: {
              version: 'go1.22.1',
              path: 'example.com/svc',
              main: null,
              deps: [],
              settings: [{ key: '-ldflags', value: '-s -w -X main.version=1.2.3 -X main.tokenFile=/run/t' }],
            },
          },
        }),
      ],
    },
  },
  {
    id: 'SG509',
    hit: {
      files: [T('/usr/local/go/src/crypto/tls/testdata/example-key.pem', KEY)],
      path: '/usr/local/go/src/crypto/tls/testdata/example-key.pem',
    },
    miss: {
      files: [T('/usr/local/go/src/crypto/tls/testdata/example-cert.pem', '-----BEGIN CERTIFICATE-----\n')],
    },
  },
  {
    id: 'SG601',
    hit: {
      files: [
        D('/var/lib/apt/lists'),
        F('/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4', 4000),
      ],
      path: '/var/lib/apt/lists',
      message: /apt package lists \/var\/lib\/apt\/lists: 1 file/,
    },
    miss: {
      files: [
        D('/var/lib/apt/lists'),
        F('/var/lib/apt/lists/lock', 0),
        D('/var/lib/apt/lists/partial'),
        F('/var/cache/debconf/templates.dat', 5000),
      ],
    },
  },
  {
    id: 'SG602',
    hit: {
      files: [D('/usr/share/doc/pkg'), F('/usr/share/doc/pkg/changelog.Debian.gz', 150_000)],
      path: '/usr/share/doc',
    },
    miss: {
      files: [
        D('/usr/share/doc/pkg'),
        F('/usr/share/doc/pkg/copyright', 500_000),
        F('/usr/share/man/man1/x.1.gz', 2000),
      ],
    },
  },
  {
    id: 'SG603',
    hit: {
      layers: [
        CLEAN,
        [D('/var'), D('/var/cache'), D('/var/cache/big'), F('/var/cache/big/a', 1_500_000)],
        [F('/var/cache/.wh.big')],
      ],
      path: '/var/cache/big',
      message:
        /layer 3 deletes or overwrites 1\.50 MB that lower layers still ship: \/var\/cache\/big 1\.50 MB \(layer 2\)/,
    },
    miss: { layers: [CLEAN, [D('/var'), F('/var/small', 200_000)], [F('/var/.wh.small')]] },
  },
  {
    id: 'SG604',
    hit: {
      layers: [
        CLEAN,
        [...DPKG(['gcc-12', '/usr/bin/gcc-12']), F('/usr/bin/gcc-12', 2_000_000)],
        [F('/usr/bin/.wh.gcc-12')],
      ],
      message:
        /1 package still installed .* ship 2\.00 MB in lower layers: gcc-12 1\.0 \(dpkg\) 2\.00 MB in layer 2/,
    },
    miss: {
      layers: [
        CLEAN,
        // deleted together with its database entry (apt-get purge), or deleted in the layer that made it
        [...DPKG(['gcc-12', '/usr/bin/gcc-12'], ['big', '/big']), F('/usr/bin/gcc-12', 2_000_000)],
        [P('/var/lib/dpkg/status', 'Package: big\nVersion: 1\n'), F('/usr/bin/.wh.gcc-12')],
      ],
    },
  },
  {
    id: 'SG620',
    hit: {
      files: [
        X('/usr/local/bin/tool', STATIC(), {
          size: 2_000_000,
          elf: {
            kinds: { code: 1_200_000, debug: 600_000, symbols: 100_000, other: 100_000 },
            stripped: false,
          },
        }),
      ],
      path: '/usr/local/bin/tool',
      message:
        /carries 600 kB of debug info and 100 kB of symbols: 35% of its 2\.00 MB uncompressed \(strip it/,
    },
    miss: {
      files: [
        // Below the bytes threshold, and below the share threshold.
        X('/usr/local/bin/small', STATIC(), {
          size: 1_000_000,
          elf: { kinds: { code: 800_000, debug: 200_000, symbols: 0, other: 0 }, stripped: false },
        }),
        X('/usr/local/bin/huge', STATIC(), {
          size: 100_000_000,
          elf: { kinds: { code: 95_000_000, debug: 5_000_000, symbols: 0, other: 0 }, stripped: false },
        }),
      ],
    },
  },
  {
    id: 'SG701',
    hit: { config: { Entrypoint: null, Cmd: null }, message: /no ENTRYPOINT and no CMD/ },
    miss: { config: { Entrypoint: null, Cmd: ['/app'] } },
  },
  {
    id: 'SG702',
    hit: {
      config: { Entrypoint: ['/server'] },
      path: '/server',
      message: /ENTRYPOINT \/server is not in the image/,
    },
    miss: { files: [S('/server', 'app')], config: { Entrypoint: ['/server'] } },
  },
  {
    id: 'SG703',
    hit: {
      files: [X('/arm', elf({ machine: 183 }))],
      config: { Entrypoint: ['/arm'] },
      path: '/arm',
      message: /built for ELF64 AArch64, but the image platform is linux\/amd64/,
    },
    miss: { files: [X('/amd', elf({ machine: 62 }))], config: { Entrypoint: ['/amd'] } },
  },
  {
    id: 'SG704',
    hit: {
      files: [X('/dyn', DYNAMIC())],
      config: { Entrypoint: ['/dyn'] },
      path: '/dyn',
      message: /needs the loader \/lib64\/ld-linux-x86-64\.so\.2, which is not in the image/,
    },
    miss: {
      files: [
        X('/dyn', DYNAMIC()),
        D('/lib'),
        D('/lib/x86_64-linux-gnu'),
        X('/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', STATIC()),
        F('/lib/x86_64-linux-gnu/libc.so.6', 100),
        S('/lib64', 'lib/x86_64-linux-gnu'),
      ],
      config: { Entrypoint: ['/dyn'] },
    },
  },
  {
    id: 'SG705',
    hit: {
      files: [
        X('/dyn', DYNAMIC(['libssl.so.3', 'libc.so.6'])),
        D('/lib64'),
        X('/lib64/ld-linux-x86-64.so.2', STATIC()),
        F('/lib64/libc.so.6', 10),
      ],
      config: { Entrypoint: ['/dyn'] },
      path: '/dyn',
      message: /\/dyn needs libssl\.so\.3, not found/,
    },
    miss: {
      files: [
        X('/dyn', DYNAMIC(['libssl.so.3'])),
        D('/lib64'),
        X('/lib64/ld-linux-x86-64.so.2', STATIC()),
        D('/usr/lib/x86_64-linux-gnu'),
        F('/usr/lib/x86_64-linux-gnu/libssl.so.3', 10),
      ],
      config: { Entrypoint: ['/dyn'] },
    },
  },
  {
    id: 'SG706',
    hit: {
      files: [X('/run.py', '#!/usr/bin/python3\nprint(1)\n')],
      config: { Entrypoint: ['/run.py'] },
      path: '/run.py',
      message: /script for \/usr\/bin\/python3, which is not in the image/,
    },
    miss: {
      files: [
        X('/run.py', '#!/usr/bin/env python3\n'),
        X('/usr/bin/env', STATIC()),
        X('/usr/bin/python3', STATIC()),
      ],
      config: { Entrypoint: ['/run.py'] },
    },
  },
  {
    id: 'SG707',
    hit: {
      config: { Entrypoint: ['/bin/sh', '-c', '/app --serve'] },
      path: '/bin/sh',
      message: /uses the shell form \(\/bin\/sh -c …\), but \/bin\/sh is not in the image/,
    },
    miss: { config: { Entrypoint: ['/app', '--serve'] } },
  },
  {
    id: 'SG708',
    hit: {
      files: [X('/start', 'echo hello\n')],
      config: { Entrypoint: ['/start'] },
      path: '/start',
      message: /neither an ELF binary nor a #! script/,
    },
    miss: { files: [X('/start', STATIC())], config: { Entrypoint: ['/start'] } },
  },
  {
    id: 'SG709',
    hit: {
      files: [X('/far', elf({ phoff: 8192, interp: '/lib/ld.so' }).subarray(0, 4096), { size: 20000 })],
      config: { Entrypoint: ['/far'] },
      path: '/far',
    },
    miss: { files: [X('/near', elf())], config: { Entrypoint: ['/near'] } },
  },
];

describe('the catalog', () => {
  it('has an id, a known category, a severity and a remediation for every rule', () => {
    for (const r of RULES.values()) {
      expect(r.id).toMatch(/^SG\d{3}$/);
      expect(CATEGORIES).toContain(r.category);
      expect(['error', 'warning', 'info']).toContain(r.severity);
      expect(r.remediation.length).toBeGreaterThan(10);
    }
  });

  it('documents every rule in docs/rules.md under an anchor of its own (### SG201)', () => {
    const doc = readFileSync(new URL('../../docs/rules.md', import.meta.url), 'utf8');
    for (const id of RULES.keys()) expect(doc).toMatch(new RegExp(`^### ${id}\\b`, 'm'));
  });

  it('has a table case for every rule except the budgets (budget.test.ts), integrity (flatten.test.ts) and vulnerabilities (vulns-policy.test.ts)', () => {
    const covered = new Set(CASES.map((c) => c.id));
    const missing = [...RULES.keys()].filter((id) => !covered.has(id) && !/^SG10[1-5]$|^SG9|^SG8/.test(id));
    expect(missing).toEqual([]);
  });
});

describe('a clean image (static binary, USER, passwd) raises nothing', () => {
  it('has no findings at all', () => {
    expect(run({})).toEqual([]);
  });
});

describe.each(CASES)('$id', ({ id, hit, miss }) => {
  const def = RULES.get(id);
  it('fires on a hit, naming the path, with the catalog category, severity, remediation and docs link', () => {
    const f = run(hit).filter((x) => x.id === id);
    expect(f.length).toBeGreaterThan(0);
    const first = f[0] as Finding;
    expect(first.category).toBe(def?.category);
    expect(first.severity).toBe(def?.severity);
    expect(first.remediation).toBe(def?.remediation);
    expect(first.docs).toMatch(new RegExp(`docs/rules\\.md#${id.toLowerCase()}$`));
    if (hit.path) {
      expect(f.map((x) => x.path)).toContain(hit.path);
      expect(first.message).toContain(hit.path);
    }
    if (hit.env) expect(f.map((x) => x.env)).toContain(hit.env);
    if (hit.message) expect(f.map((x) => x.message).join('\n')).toMatch(hit.message);
  });

  it('does not fire on the near miss', () => {
    expect(run(miss).filter((x) => x.id === id)).toEqual([]);
  });

  it('can be turned off by id and by category', () => {
    expect(run(hit, { rules: { [id]: { enabled: false } } }).filter((x) => x.id === id)).toEqual([]);
    expect(
      run(hit, { rules: { [def?.category as string]: { enabled: false } } }).filter((x) => x.id === id),
    ).toEqual([]);
  });

  it('can be re-rated, and an id override wins over its category', () => {
    const to = def?.severity === 'info' ? 'error' : 'info';
    const f = run(hit, { rules: { [id]: { severity: to } } }).filter((x) => x.id === id);
    expect(f.every((x) => x.severity === to)).toBe(true);
    const g = run(hit, {
      rules: { [def?.category as string]: { severity: 'warning' }, [id]: { severity: to } },
    });
    expect(g.filter((x) => x.id === id).every((x) => x.severity === to)).toBe(true);
  });
});

// Ignoring by path applies to rules whose findings name a path; by env: glob, to ENV findings.
describe.each(CASES.filter((c) => !!c.hit.path))('$id', ({ id, hit }) => {
  it('can be ignored by a path glob (absolute, relative and a directory glob)', () => {
    const p = hit.path as string;
    expect(run(hit, { ignorePaths: [p] }).filter((x) => x.id === id && x.path === p)).toEqual([]);
    const rel = p.split('/').pop() as string;
    expect(run(hit, { ignorePaths: [rel] }).filter((x) => x.id === id && x.path === p)).toEqual([]);
    expect(
      run(hit, { rules: { [id]: { ignorePaths: [`${p.slice(0, p.lastIndexOf('/') + 1)}**`] } } }).filter(
        (x) => x.id === id && x.path === p,
      ),
    ).toEqual([]);
  });
});

describe.each(CASES.filter((c) => !!c.hit.env))('$id', ({ id, hit }) => {
  it('can be ignored by an env: glob', () => {
    expect(run(hit, { ignorePaths: [`env:${hit.env}`] }).filter((x) => x.id === id)).toEqual([]);
  });
});

describe('fail-on and the verdict', () => {
  const shell = image([[...CLEAN, X('/bin/ls', STATIC())]], CLEAN_CONFIG);
  it('a warning passes under fail-on error and fails under fail-on warning', () => {
    expect(check(shell).passed).toBe(true);
    expect(check(shell, { failOn: 'warning' }).passed).toBe(false);
  });
  it('an error fails, unless fail-on is never', () => {
    const bad = image([[...CLEAN, X('/bin/sh', STATIC())]], CLEAN_CONFIG);
    expect(check(bad).passed).toBe(false);
    expect(check(bad, { failOn: 'never' }).passed).toBe(true);
    expect(check(bad, { failOn: 'never' }).verdict).toEqual({
      failOn: 'never',
      errors: 1,
      warnings: 0,
      infos: 0,
      newErrors: 1,
    });
  });
  it('a re-rated error no longer fails', () => {
    const bad = image([[...CLEAN, X('/bin/sh', STATIC())]], CLEAN_CONFIG);
    expect(check(bad, { rules: { shell: { severity: 'warning' } } }).passed).toBe(true);
  });
  it('a test-fixture key is info: it neither fails nor warns', () => {
    const r = check(image([[...CLEAN, T('/usr/lib/python3/test/keycert.pem', KEY)]], CLEAN_CONFIG), {
      failOn: 'warning',
    });
    expect(r.findings.map((f) => [f.id, f.severity])).toEqual([['SG509', 'info']]);
    expect(r.passed).toBe(true);
  });
});

describe('SG505 reads both history forms', () => {
  it.each([
    ['the classic builder', '|1 NPM_TOKEN=abcdef123 /bin/sh -c npm ci'],
    ['BuildKit', 'RUN |1 NPM_TOKEN=abcdef123 /bin/sh -c npm ci # buildkit'],
  ])('%s', (_name, created_by) => {
    const f = run({ history: [{ created_by }] }).filter((x) => x.id === 'SG505');
    expect(f.map((x) => x.env)).toEqual(['NPM_TOKEN']);
    expect(JSON.stringify(f)).not.toContain('abcdef123');
  });
});

describe('secrets are never echoed', () => {
  it('no finding message carries the ENV or build-arg value', () => {
    const f = run({
      config: {
        Env: ['PATH=/bin', 'DB_PASSWORD=hunter2hunter2', `T=${GHP}`, 'URL=https://u:pa55word@example.com/x'],
      },
      history: [{ created_by: '|1 SECRET_KEY=topsecretvalue /bin/sh -c true' }],
    });
    expect(f.map((x) => x.id).sort()).toEqual(['SG503', 'SG504', 'SG504', 'SG505']);
    const all = JSON.stringify(f);
    for (const v of ['hunter2hunter2', GHP, 'pa55word', 'topsecretvalue']) expect(all).not.toContain(v);
  });
});

describe('entrypoint resolution', () => {
  it('searches PATH from the config env, and follows symlinks inside the image', () => {
    const r = check(
      image([[...CLEAN, D('/opt/bin'), S('/opt/bin/serve', '/app')]], {
        ...CLEAN_CONFIG,
        Entrypoint: ['serve'],
        Env: ['PATH=/opt/bin'],
      }),
    );
    expect(r.findings).toEqual([]);
    expect(r.entrypoint).toMatchObject({ resolved: '/app', kind: 'static' });
  });
  it('resolves a relative argv0 against WORKDIR', () => {
    const r = check(
      image([[...CLEAN, D('/w'), X('/w/run', STATIC())]], {
        ...CLEAN_CONFIG,
        Entrypoint: ['./run'],
        WorkingDir: '/w',
      }),
    );
    expect(r.entrypoint?.resolved).toBe('/w/run');
    expect(r.findings).toEqual([]);
  });
  it('joins ENTRYPOINT and CMD, and reports a missing name in PATH', () => {
    const r = check(image([CLEAN], { ...CLEAN_CONFIG, Entrypoint: ['server'], Cmd: ['--port', '80'] }));
    expect(r.entrypoint?.argv).toEqual(['server', '--port', '80']);
    expect(r.findings.map((f) => f.message)).toEqual([
      expect.stringMatching(/ENTRYPOINT server is not found in PATH/),
    ]);
  });
  it('a non-executable entrypoint is an error that names its mode', () => {
    const r = check(image([[...CLEAN, T('/data.bin', 'x')]], { ...CLEAN_CONFIG, Entrypoint: ['/data.bin'] }));
    expect(r.findings[0]?.message).toMatch(/\/data\.bin is not executable \(mode 0644\)/);
  });
  it('checks the loader through symlinks (usr-merge /lib64 → usr/lib64)', () => {
    const r = check(
      image(
        [
          [
            ...CLEAN,
            X('/dyn', DYNAMIC(['libc.so.6'])),
            S('/lib64', 'usr/lib64'),
            D('/usr/lib64'),
            S('/usr/lib64/ld-linux-x86-64.so.2', '../lib/ld.so'),
            X('/usr/lib/ld.so', STATIC()),
            F('/usr/lib64/libc.so.6', 10),
          ],
        ],
        { ...CLEAN_CONFIG, Entrypoint: ['/dyn'] },
      ),
    );
    expect(r.findings).toEqual([]);
    expect(r.entrypoint).toMatchObject({
      kind: 'dynamic',
      interpreter: '/lib64/ld-linux-x86-64.so.2',
      needed: ['libc.so.6'],
    });
  });
});

describe('the heads that the scan keeps for these rules (capped per file, never the whole file)', () => {
  it.each([
    ['/app', 0o755, 4096],
    ['/usr/bin/not-exec', 0o644, 4096],
    ['/etc/os-release', 0o644, 16384],
    ['/etc/passwd', 0o644, 16384],
    ['/etc/group', 0o644, 16384],
    ['/etc/ld.so.conf.d/libc.conf', 0o644, 4096],
    ['/srv/tls/server.key', 0o600, 0],
    ['/home/app/.ssh/id_ed25519', 0o600, 0],
    ['/root/.npmrc', 0o600, 0],
    ['/root/.docker/config.json', 0o600, 0],
    ['/root/.aws/credentials', 0o600, 0],
    ['/app/.env.production', 0o644, 0],
    ['/usr/share/doc/readme.txt', 0o644, undefined],
    ['/app/config.json', 0o644, undefined],
  ])('%s (mode %o) → %s bytes', (path, mode, keep) => {
    expect(headSpec(path, mode)?.keep).toBe(keep);
  });

  it.each([
    ['/srv/tls/server.key', 'key'],
    ['/srv/tls/bundle.pem', 'key'],
    ['/root/.ssh/id_rsa.bak', 'key'],
    ['/root/.ssh/id_ed25519_deploy', 'key'],
    ['/root/.npmrc', 'npmrc'],
    ['/root/.npmrc.orig', 'npmrc'],
    ['/app/prod.env', 'dotenv'],
    ['/app/.env', 'dotenv'],
    ['/root/.kube/config', 'kube'],
    ['/etc/kubernetes/admin.conf', 'kube'],
    ['/root/.docker/config.json', 'docker'],
    ['/root/.aws/credentials', 'aws'],
  ])('%s: the body is matched for secrets as it streams (%s), and not kept', (path, kind) => {
    expect(headSpec(path, 0o600)).toEqual({ keep: 0, secrets: kind });
  });

  it.each(['/root/.ssh/id_rsa.pub', '/app/.env.example', '/app/example.env', '/app/config.json', '/app/env'])(
    '%s is not a secret candidate',
    (path) => {
      expect(headSpec(path, 0o644)).toBeUndefined();
    },
  );

  it('counts package databases without keeping them', () => {
    for (const p of ['/var/lib/dpkg/status', '/lib/apk/db/installed', '/usr/lib/apk/db/installed']) {
      expect(headSpec(p, 0o644)).toMatchObject({ keep: 0 });
    }
  });
});
