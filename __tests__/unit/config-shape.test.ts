// Wrongly typed image config metadata: read as Docker (moby, Go's encoding/json) reads it. A field of the
// wrong type is one input error naming the field (exit 2), never "internal error: … is not a function";
// what Docker accepts (a string ENTRYPOINT or CMD, nulls, keys in another case) is read as Docker reads it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspect } from '../../src/engine/engine.js';
import { checkImage } from '../helpers/check.js';
import { InputError } from '../../src/util/errors.js';
import { checkImageConfig } from '../../src/sources/image-config.js';
import type { Report } from '../../src/types/report.js';
import { cli, stderrLines } from '../helpers/cli.js';
import { dockerArchive, file, layer, ociArchive, tar, type LayerBlob } from '../helpers/tar.js';
import { STATIC } from '../helpers/rules-kit.js';

/** A config document to break on purpose: any field may be given any type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-config-shape-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const appLayer: LayerBlob = layer(tar([file('app', STATIC(), { mode: 0o755 })]));

/** A config as Docker writes it, with `patch` applied to a copy. */
function config(patch: (c: Loose) => void): Buffer {
  const c: Loose = {
    architecture: 'amd64',
    os: 'linux',
    config: {
      User: '65532',
      Entrypoint: ['/app'],
      Cmd: null,
      Env: ['PATH=/usr/bin:/bin'],
      Labels: { 'org.opencontainers.image.base.name': 'scratch' },
    },
    rootfs: { type: 'layers', diff_ids: [appLayer.diffId] },
    history: [{ created_by: 'COPY app /app # buildkit' }],
  };
  patch(c);
  return Buffer.from(JSON.stringify(c));
}

let n = 0;
function archive(cfg: Buffer, kind: 'oci' | 'docker' = 'oci'): string {
  const p = path.join(tmp, `${++n}.tar`);
  writeFileSync(
    p,
    kind === 'oci'
      ? ociArchive({ layers: [appLayer], config: cfg })
      : dockerArchive({ layers: [appLayer], config: cfg }),
  );
  return `${kind === 'oci' ? 'oci-archive' : 'docker-archive'}:${p}`;
}

async function report(source: string): Promise<Report> {
  return (await checkImage(source, { concurrency: 1 })).report;
}

describe('wrongly typed config fields are one input error that names the field', () => {
  it.each<[string, (c: Loose) => void, string]>([
    [
      'Env as a string',
      (c) => (c.config.Env = 'PATH=/bin'),
      'config.Env must be a list of strings, not a string',
    ],
    [
      'Env as an object',
      (c) => (c.config.Env = { PATH: '/bin' }),
      'config.Env must be a list of strings, not an object',
    ],
    [
      'an Env entry as a number',
      (c) => (c.config.Env = ['A=1', 7]),
      'config.Env[1] must be a string, not a number',
    ],
    ['User as a number', (c) => (c.config.User = 0), 'config.User must be a string, not a number'],
    [
      'created_by as a number',
      (c) => (c.history[0].created_by = 42),
      'history[0].created_by must be a string, not a number',
    ],
    [
      'a history entry as a string',
      (c) => (c.history = ['RUN x']),
      'history[0] must be an object, not a string',
    ],
    ['history as an object', (c) => (c.history = {}), 'history must be a list, not an object'],
    [
      'empty_layer as a string',
      (c) => (c.history[0].empty_layer = 'false'),
      'history[0].empty_layer must be true or false, not a string',
    ],
    [
      'a base-name label as a number',
      (c) => (c.config.Labels['org.opencontainers.image.base.name'] = 12),
      'config.Labels["org.opencontainers.image.base.name"] must be a string, not a number',
    ],
    [
      'Labels as a list',
      (c) => (c.config.Labels = ['a=b']),
      'config.Labels must be an object of strings, not a list',
    ],
    [
      'Entrypoint as a number',
      (c) => (c.config.Entrypoint = 1),
      'config.Entrypoint must be a string or a list of strings, not a number',
    ],
    [
      'an Entrypoint element as a list',
      (c) => (c.config.Entrypoint = ['/app', ['x']]),
      'config.Entrypoint[1] must be a string, not a list',
    ],
    [
      'Cmd as an object',
      (c) => (c.config.Cmd = { 0: '/app' }),
      'config.Cmd must be a string or a list of strings, not an object',
    ],
    [
      'WorkingDir as a boolean',
      (c) => (c.config.WorkingDir = true),
      'config.WorkingDir must be a string, not a boolean',
    ],
    ['config as a string', (c) => (c.config = 'x'), 'config must be an object, not a string'],
    ['architecture as a number', (c) => (c.architecture = 64), 'architecture must be a string, not a number'],
    ['os as a list', (c) => (c.os = ['linux']), 'os must be a string, not a list'],
    [
      'rootfs.diff_ids as a string',
      (c) => (c.rootfs.diff_ids = 'sha256:x'),
      'rootfs.diff_ids must be a list of strings, not a string',
    ],
    [
      'a lowercase key of the wrong type (Go matches keys in any case)',
      (c) => {
        delete c.config.User;
        c.config.user = 0;
      },
      'config.User must be a string, not a number',
    ],
  ])('%s', async (_name, patch, message) => {
    for (const kind of ['oci', 'docker'] as const) {
      const source = archive(config(patch), kind);
      let caught: unknown;
      await inspect(source, { concurrency: 1 }).catch((err: unknown) => (caught = err));
      expect(caught, kind).toBeInstanceOf(InputError);
      const msg = (caught as Error).message;
      expect(msg).toContain(message);
      expect(msg).toMatch(/^config (sha256:[0-9a-f]{64}|[0-9a-f]{64}\.json in .*) is malformed: /);
      expect(msg).not.toMatch(/\n/);
    }
  });

  it('the whole config must be an object', () => {
    expect(() => checkImageConfig([], 'config X')).toThrow(
      'config X is malformed: the config must be an object, not a list',
    );
    expect(() => checkImageConfig(null, 'config X')).toThrow('not null');
  });

  it('the CLI prints one slimgate: line and exits 2, for inspect and check alike', () => {
    const source = archive(config((c) => (c.config.Env = 'PATH=/bin')));
    for (const cmd of ['inspect', 'check']) {
      const r = cli([cmd, source]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      const lines = stderrLines(r);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^slimgate: config sha256:[0-9a-f]{64} is malformed: config\.Env must be a list of strings, not a string$/,
      );
      expect(lines[0]).not.toContain('internal error');
    }
  });
});

describe('what Docker accepts is read as Docker reads it', () => {
  it('a string Entrypoint is one argument, not one per character, and raises no false SG702', async () => {
    for (const kind of ['oci', 'docker'] as const) {
      const r = await report(
        archive(
          config((c) => (c.config.Entrypoint = '/app')),
          kind,
        ),
      );
      expect(r.image.config.entrypoint, kind).toEqual(['/app']);
      expect(r.entrypoint?.argv).toEqual(['/app']);
      expect(
        r.findings.filter((f) => f.category === 'entrypoint'),
        kind,
      ).toEqual([]);
    }
  });

  it('a string Cmd is one argument too', async () => {
    const r = await report(
      archive(
        config((c) => {
          c.config.Entrypoint = null;
          c.config.Cmd = '/app';
        }),
      ),
    );
    expect(r.image.config.cmd).toEqual(['/app']);
    expect(r.entrypoint?.argv).toEqual(['/app']);
    expect(r.findings.filter((f) => f.category === 'entrypoint')).toEqual([]);
  });

  it('the CLI passes the string-Entrypoint image (exit 0), where it used to fail with SG702', () => {
    const r = cli(['check', archive(config((c) => (c.config.Entrypoint = '/app')))]);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toContain('SG702');
    expect(r.status, r.stdout).toBe(0);
  });

  it('nulls mean absent, and a null history entry is an empty one (Go leaves the struct at its zero value)', async () => {
    const r = await report(
      archive(
        config((c) => {
          c.config.User = null;
          c.config.Env = null;
          c.config.Labels = null;
          c.config.Cmd = null;
          c.history = [null];
        }),
      ),
    );
    expect(r.image.config.user).toBeNull();
    expect(r.image.config.env).toEqual([]);
    expect(r.layers[0]!.createdBy).toBeNull();
    expect(r.findings.map((f) => f.id)).toEqual(['SG320']); // runs as root: User is absent
  });

  it('a null inside a string list or a label decodes as "" (as in Go)', () => {
    const cfg = checkImageConfig(
      JSON.parse(
        config((c) => {
          c.config.Env = ['A=1', null];
          c.config.Labels = { a: null };
        }).toString(),
      ),
      'config X',
    );
    expect(cfg.config?.Env).toEqual(['A=1', '']);
    expect(cfg.config?.Labels).toEqual({ a: '' });
  });

  it('keys match in any case, the last one in the document winning, as in Go', async () => {
    const r = await report(
      archive(
        config((c) => {
          delete c.config.Entrypoint;
          c.config.entrypoint = '/app';
          delete c.config.User;
          c.config.USER = '1000';
        }),
      ),
    );
    expect(r.image.config.entrypoint).toEqual(['/app']);
    expect(r.image.config.user).toBe('1000');
    expect(checkImageConfig({ config: { user: 'b', User: 'a' } }, 'X').config?.User).toBe('a');
    expect(checkImageConfig({ config: { User: 'a', user: 'b' } }, 'X').config?.User).toBe('b');
    // The Kelvin sign folds to k in Go: "\u212aey" would not, but "Entrypoint" has no k; "Wor\u212aingDir" does.
    expect(checkImageConfig({ config: { 'Wor\u212aingDir': '/w' } }, 'X').config?.WorkingDir).toBe('/w');
  });

  it('fields Slimgate does not read are kept, whatever their type', () => {
    const cfg = checkImageConfig(
      { config: { ExposedPorts: 8080, Entrypoint: ['/app'] }, created: 5, author: {} },
      'config X',
    ) as unknown as Loose;
    expect(cfg['created']).toBe(5);
    expect(cfg['config']['ExposedPorts']).toBe(8080);
  });
});
