import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/util/errors.js';
import {
  apiHost,
  formatReference,
  isInsecureRegistry,
  manifestReference,
  normaliseRegistryName,
  parseReference,
  registryBaseUrl,
} from '../../src/sources/registry/reference.js';
import { parseSource } from '../../src/sources/source.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseReference (normalised as Docker does)', () => {
  it.each([
    ['alpine', 'docker.io', 'library/alpine', undefined, undefined, 'docker.io/library/alpine:latest'],
    ['alpine:3.20', 'docker.io', 'library/alpine', '3.20', undefined, 'docker.io/library/alpine:3.20'],
    [
      'library/alpine',
      'docker.io',
      'library/alpine',
      undefined,
      undefined,
      'docker.io/library/alpine:latest',
    ],
    [
      'docker.io/alpine',
      'docker.io',
      'library/alpine',
      undefined,
      undefined,
      'docker.io/library/alpine:latest',
    ],
    [
      'index.docker.io/library/alpine',
      'docker.io',
      'library/alpine',
      undefined,
      undefined,
      'docker.io/library/alpine:latest',
    ],
    [
      'registry-1.docker.io/bitnami/redis:7',
      'docker.io',
      'bitnami/redis',
      '7',
      undefined,
      'docker.io/bitnami/redis:7',
    ],
    ['bitnami/redis', 'docker.io', 'bitnami/redis', undefined, undefined, 'docker.io/bitnami/redis:latest'],
    ['ghcr.io/owner/app:pr-12', 'ghcr.io', 'owner/app', 'pr-12', undefined, 'ghcr.io/owner/app:pr-12'],
    [
      'ghcr.io/owner/team/app',
      'ghcr.io',
      'owner/team/app',
      undefined,
      undefined,
      'ghcr.io/owner/team/app:latest',
    ],
    ['localhost/app', 'localhost', 'app', undefined, undefined, 'localhost/app:latest'],
    ['localhost:5000/app:1', 'localhost:5000', 'app', '1', undefined, 'localhost:5000/app:1'],
    [
      '127.0.0.1:5000/a/b_c.d-e:v1.2',
      '127.0.0.1:5000',
      'a/b_c.d-e',
      'v1.2',
      undefined,
      '127.0.0.1:5000/a/b_c.d-e:v1.2',
    ],
    [
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:main',
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      'app',
      'main',
      undefined,
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:main',
    ],
    [`alpine@${D}`, 'docker.io', 'library/alpine', undefined, D, `docker.io/library/alpine@${D}`],
    [`ghcr.io/o/app:1@${D}`, 'ghcr.io', 'o/app', '1', D, `ghcr.io/o/app:1@${D}`],
    ['[::1]:5000/app', '[::1]:5000', 'app', undefined, undefined, '[::1]:5000/app:latest'],
    [
      'Registry.Example.COM/app',
      'Registry.Example.COM',
      'app',
      undefined,
      undefined,
      'Registry.Example.COM/app:latest',
    ],
    // "localhost:5000" alone is a repository with a tag, as Docker reads it.
    [
      'localhost:5000',
      'docker.io',
      'library/localhost',
      '5000',
      undefined,
      'docker.io/library/localhost:5000',
    ],
  ])('%s', (input, registry, repository, tag, digest, formatted) => {
    const ref = parseReference(input);
    expect(ref).toEqual({
      registry,
      repository,
      ...(tag !== undefined ? { tag } : {}),
      ...(digest !== undefined ? { digest } : {}),
    });
    expect(formatReference(ref)).toBe(formatted);
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['Alpine', /lowercase/],
    ['ghcr.io/Owner/app', /repository names must be lowercase: ghcr\.io\/owner\/app$/],
    [
      'ghcr.io/Owner/App:V1@sha256:' + 'a'.repeat(64),
      new RegExp(`lowercase: ghcr\\.io/owner/app:V1@sha256:a{64}$`),
    ],
    ['app:', /not a valid tag/],
    ['app:-x', /not a valid tag/],
    [`app:${'x'.repeat(129)}`, /not a valid tag/],
    ['app@sha256:abc', /not a sha256 digest/],
    ['app@nodigest', /not a digest/],
    ['https://ghcr.io/o/app', /without a URL scheme/],
    ['ghcr.io//app', /not a valid repository path component/],
    ['a b', /whitespace/],
    ['bad_host:5000:x/app', /./],
    ['ghcr.io/o/app/', /not a valid repository path component/],
    [`r.io/${'a'.repeat(260)}`, /longer than 255/],
  ])('rejects %j in one line', (input, why) => {
    let err: unknown;
    try {
      parseReference(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(why);
    expect((err as Error).message).not.toContain('\n');
  });

  it('asks for the digest when there is one, else the tag, else latest', () => {
    expect(manifestReference(parseReference('a'))).toBe('latest');
    expect(manifestReference(parseReference('a:1'))).toBe('1');
    expect(manifestReference(parseReference(`a:1@${D}`))).toBe(D);
  });
});

describe('registry hosts and schemes', () => {
  it('talks to registry-1.docker.io for Docker Hub', () => {
    expect(apiHost('docker.io')).toBe('registry-1.docker.io');
    expect(registryBaseUrl('docker.io')).toEqual({
      baseUrl: 'https://registry-1.docker.io',
      httpFallback: false,
    });
    expect(registryBaseUrl('ghcr.io')).toEqual({ baseUrl: 'https://ghcr.io', httpFallback: false });
  });

  it.each([
    ['localhost', true],
    ['localhost:5000', true],
    ['127.0.0.1:5000', true],
    ['127.1.2.3', true],
    ['[::1]:5000', true],
    ['ghcr.io', false],
    ['128.0.0.1:5000', false],
    ['localhost.example.com', false],
  ])('%s is plain HTTP by default: %s', (registry, insecure) => {
    expect(isInsecureRegistry(registry)).toBe(insecure);
    expect(registryBaseUrl(registry).baseUrl.startsWith(insecure ? 'http://' : 'https://')).toBe(true);
    expect(registryBaseUrl(registry).httpFallback).toBe(false);
  });

  it('may use plain HTTP for the registries the user lists, by host or host:port', () => {
    expect(isInsecureRegistry('registry:5000', ['registry:5000'])).toBe(true);
    expect(isInsecureRegistry('registry:5000', ['http://registry:5000/'])).toBe(true);
    expect(isInsecureRegistry('registry:5000', ['registry'])).toBe(true);
    expect(isInsecureRegistry('registry:5000', ['other:5000'])).toBe(false);
    // As Docker: HTTPS first, plain HTTP only when the registry does not speak TLS.
    expect(registryBaseUrl('registry:5000', ['registry:5000'])).toEqual({
      baseUrl: 'https://registry:5000',
      httpFallback: true,
    });
    expect(registryBaseUrl('127.0.0.1:5000', ['127.0.0.1:5000'])).toEqual({
      baseUrl: 'http://127.0.0.1:5000',
      httpFallback: false,
    });
  });

  it.each([
    ['https://index.docker.io/v1/', 'docker.io'],
    ['index.docker.io', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['https://ghcr.io', 'ghcr.io'],
    ['http://127.0.0.1:5000/v2/', '127.0.0.1:5000'],
    ['GHCR.IO', 'ghcr.io'],
  ])('normalises the config key %s to %s', (key, want) => {
    expect(normaliseRegistryName(key)).toBe(want);
  });
});

describe('parseSource for registry references', () => {
  it.each([
    ['docker://alpine', 'alpine'],
    ['docker://ghcr.io/o/app:1', 'ghcr.io/o/app:1'],
    ['alpine:3', 'alpine:3'],
    ['ghcr.io/o/app@' + D, 'ghcr.io/o/app@' + D],
  ])('%s is a registry source', (s, ref) => {
    expect(parseSource(s)).toEqual({ kind: 'registry', ref });
  });

  it('docker-daemon:REF is a daemon source', () => {
    expect(parseSource('docker-daemon:app:latest')).toEqual({ kind: 'daemon', ref: 'app:latest' });
  });
});
