/**
 * Source strings, with skopeo's transport names: docker://REF, docker-daemon:REF,
 * docker-archive:PATH[:REF|@INDEX], oci-archive:PATH[:REF], oci:DIR[:REF]. A bare existing path is sniffed.
 */
import { statSync } from 'node:fs';
import { InputError } from '../util/errors.js';
import { archiveFileSource, type ArchiveFormat, type ArchiveSelector } from './archive.js';
import type { ImageSource } from './contract.js';
import { daemonSource, type DaemonOptions } from './daemon.js';
import { layoutSource } from './layout.js';
import type { PlatformChoice } from './platform.js';
import type { RegistryOptions } from './registry/client.js';
import { registrySource } from './registry-source.js';
import { parseReference } from './registry/reference.js';

export type SourceSpec =
  | { kind: 'archive'; format: ArchiveFormat; path: string; selector: ArchiveSelector }
  | { kind: 'oci'; dir: string; ref?: string }
  | { kind: 'registry'; ref: string }
  | { kind: 'daemon'; ref: string };

function kindOf(path: string): 'file' | 'dir' | undefined {
  try {
    const s = statSync(path);
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

/** Splits "PATH[:REF]" at the first ':' (or '@' when allowed) after which the path exists. */
function splitPath(
  rest: string,
  want: 'file' | 'dir',
  allowAt: boolean,
): { path: string; tail?: string; sep?: string } {
  if (kindOf(rest) === want) return { path: rest };
  for (let i = 1; i < rest.length; i++) {
    const c = rest[i];
    if (c === ':' || (allowAt && c === '@')) {
      const path = rest.slice(0, i);
      if (kindOf(path) === want) return { path, tail: rest.slice(i + 1), sep: c };
    }
  }
  return { path: rest };
}

export function parseSource(s: string): SourceSpec {
  if (!s.trim()) throw new InputError('no image source given');
  const m = /^(docker|docker-daemon|docker-archive|oci-archive|oci):(.*)$/.exec(s);
  if (m) {
    const [, transport, rest = ''] = m;
    if (transport === 'docker') {
      if (!rest.startsWith('//')) throw new InputError(`bad source "${s}": write docker://REF`);
      return { kind: 'registry', ref: rest.slice(2) };
    }
    if (transport === 'docker-daemon') return { kind: 'daemon', ref: rest };
    if (transport === 'oci') {
      const { path, tail } = splitPath(rest, 'dir', false);
      if (kindOf(path) !== 'dir') throw new InputError(`oci: ${path} is not a directory`);
      return tail ? { kind: 'oci', dir: path, ref: tail } : { kind: 'oci', dir: path };
    }
    const { path, tail, sep } = splitPath(rest, 'file', transport === 'docker-archive');
    if (kindOf(path) !== 'file') throw new InputError(`${transport}: ${path} is not a file`);
    const selector: ArchiveSelector = {};
    if (tail !== undefined && sep === '@') {
      if (!/^\d+$/.test(tail)) throw new InputError(`bad source "${s}": @INDEX must be a number`);
      selector.index = Number(tail);
    } else if (tail) selector.ref = tail;
    return { kind: 'archive', format: transport as ArchiveFormat, path, selector };
  }
  const k = kindOf(s);
  if (k === 'file') return { kind: 'archive', format: 'any', path: s, selector: {} };
  if (k === 'dir') return { kind: 'oci', dir: s };
  if (/^[./~]/.test(s) || s.endsWith('.tar') || s.endsWith('.tar.gz')) {
    throw new InputError(`${s}: no such file or directory`);
  }
  return { kind: 'registry', ref: s };
}

/** What opening a source may need: the platform, registry access, the docker CLI, progress. */
export interface SourceOptions {
  platform: PlatformChoice;
  registry?: RegistryOptions | undefined;
  daemon?: DaemonOptions | undefined;
  progress?: ((message: string) => void) | undefined;
}

/** The one switch on a source's kind: every kind comes out behind the same contract. */
export function openSource(source: string, opts: SourceOptions): ImageSource {
  const spec = parseSource(source);
  const { platform } = opts;
  switch (spec.kind) {
    case 'archive':
      return archiveFileSource(spec.path, {
        source,
        format: spec.format,
        selector: spec.selector,
        platform,
        progress: opts.progress,
      });
    case 'oci':
      return layoutSource(spec.dir, spec.ref, source, platform);
    case 'registry':
      return registrySource(spec.ref, source, { platform, registry: opts.registry });
    case 'daemon':
      return daemonSource(spec.ref, source, { ...opts.daemon, platform, progress: opts.progress });
  }
}

/** The registry a source reads from (`ghcr.io`, `docker.io`), if it is a registry source. */
export function registryOfSource(source: string): string | undefined {
  const spec = parseSource(source);
  return spec.kind === 'registry' ? parseReference(spec.ref).registry : undefined;
}
