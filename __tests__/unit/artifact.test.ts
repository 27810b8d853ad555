// An OCI layout that holds an artifact (an SBOM, a cosign signature, a Helm chart) is not an image: one line
// that says what it is, from a layout directory and from an oci-archive alike.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspect } from '../../src/engine/engine.js';
import { InputError } from '../../src/util/errors.js';
import { file, layer, ociArchiveParts, rawLayer, tar, type OciImage } from '../helpers/tar.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-artifact-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const EMPTY = Buffer.from('{}');
const sbom = rawLayer(Buffer.from('{"spdxVersion":"SPDX-2.3"}'), undefined, 'application/spdx+json');

const CASES: [string, OciImage, string][] = [
  [
    'an SBOM (OCI 1.1 artifactType, empty config)',
    {
      layers: [sbom],
      config: EMPTY,
      patchManifest: (m) => {
        m['artifactType'] = 'application/spdx+json';
        (m['config'] as Record<string, unknown>)['mediaType'] = 'application/vnd.oci.empty.v1+json';
      },
    },
    'is an OCI artifact (artifactType "application/spdx+json"), not an image',
  ],
  [
    'a cosign signature (image config, signature layers)',
    {
      layers: [
        rawLayer(
          Buffer.from('{"critical":{}}'),
          undefined,
          'application/vnd.dev.cosign.simplesigning.v1+json',
        ),
      ],
    },
    'is an OCI artifact (layers of media type "application/vnd.dev.cosign.simplesigning.v1+json"), not an image',
  ],
  [
    'a Helm chart (its own config type)',
    {
      layers: [
        rawLayer(Buffer.from('chart'), undefined, 'application/vnd.cncf.helm.chart.content.v1.tar+gzip'),
      ],
      config: EMPTY,
      patchManifest: (m) => {
        (m['config'] as Record<string, unknown>)['mediaType'] = 'application/vnd.cncf.helm.config.v1+json';
      },
    },
    'is an OCI artifact (config media type "application/vnd.cncf.helm.config.v1+json"), not an image',
  ],
];

function writeLayout(dir: string, img: OciImage): void {
  for (const e of ociArchiveParts([img]).entries) {
    const p = path.join(dir, e.name);
    if (e.type === 'dir') mkdirSync(p, { recursive: true });
    else writeFileSync(p, e.body ?? '');
  }
}

describe.each(CASES)('%s', (name, img, line) => {
  const slug = name.replace(/\W+/g, '-');
  it('in a layout directory', async () => {
    const dir = path.join(tmp, slug);
    mkdirSync(dir);
    writeLayout(dir, img);
    const err = await inspect(`oci:${dir}`, { cache: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(
      new RegExp(`^manifest sha256:[0-9a-f]{64} ${line.replace(/[()."+]/g, '\\$&')}$`),
    );
  });

  it('in an oci-archive', async () => {
    const p = path.join(tmp, `${slug}.tar`);
    writeFileSync(p, tar(ociArchiveParts([img]).entries));
    const err = await inspect(`oci-archive:${p}`, { cache: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toContain(line);
  });
});

it('an image is still an image (a plain layer, an image config)', async () => {
  const dir = path.join(tmp, 'image');
  mkdirSync(dir);
  writeLayout(dir, { layers: [layer(tar([file('hello', 'hi')]))] });
  const [r] = await inspect(`oci:${dir}`, { cache: false });
  expect(r?.files.map((f) => f.path)).toEqual(['/hello']);
});
