import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/util/errors.js';
import { bypassesProxy, describeProxy, proxyFor } from '../../src/sources/registry/proxy.js';

describe('proxyFor: the variables as curl and Docker read them', () => {
  const p = (url: string, env: NodeJS.ProcessEnv) => {
    const r = proxyFor(new URL(url), env);
    return r && `${r.url.host} ${r.variable}`;
  };
  it.each([
    ['https://ghcr.io/v2/', { HTTPS_PROXY: 'http://p:3128' }, 'p:3128 HTTPS_PROXY'],
    ['https://ghcr.io/v2/', { https_proxy: 'p2:8080', HTTPS_PROXY: 'http://p:3128' }, 'p2:8080 https_proxy'],
    ['https://ghcr.io/v2/', { HTTP_PROXY: 'http://p:3128' }, undefined],
    ['http://reg.lan:5000/v2/', { HTTP_PROXY: 'http://p:3128' }, 'p:3128 HTTP_PROXY'],
    ['http://reg.lan:5000/v2/', { ALL_PROXY: 'http://a:1' }, 'a:1 ALL_PROXY'],
    ['http://reg.lan:5000/v2/', { http_proxy: '', HTTP_PROXY: 'http://p:1' }, 'p:1 HTTP_PROXY'],
    ['http://127.0.0.1:5000/v2/', { HTTP_PROXY: 'http://p:3128' }, undefined],
    ['http://localhost:5000/v2/', { HTTP_PROXY: 'http://p:3128' }, undefined],
    ['https://ghcr.io/v2/', { HTTPS_PROXY: 'http://p:3128', NO_PROXY: 'ghcr.io' }, undefined],
    ['https://pkg.ghcr.io/v2/', { HTTPS_PROXY: 'http://p:3128', no_proxy: '.ghcr.io' }, undefined],
    ['https://notghcr.io/v2/', { HTTPS_PROXY: 'http://p:3128', no_proxy: 'ghcr.io' }, 'p:3128 HTTPS_PROXY'],
    ['https://ghcr.io/v2/', { HTTPS_PROXY: 'http://p:3128', no_proxy: 'ghcr.io:5000' }, 'p:3128 HTTPS_PROXY'],
    ['https://ghcr.io/v2/', { HTTPS_PROXY: 'http://p:3128', no_proxy: 'x, ghcr.io:443' }, undefined],
    ['https://10.1.2.3/v2/', { HTTPS_PROXY: 'http://p:3128', no_proxy: '10.0.0.0/8' }, undefined],
    ['https://11.1.2.3/v2/', { HTTPS_PROXY: 'http://p:3128', no_proxy: '10.0.0.0/8' }, 'p:3128 HTTPS_PROXY'],
    ['https://ghcr.io/v2/', { HTTPS_PROXY: 'http://p:3128', NO_PROXY: '*' }, undefined],
  ] as const)('%s %j', (url, env, want) => {
    expect(p(url, env)).toBe(want);
  });

  it('an https:// or unparsable proxy is one clear error', () => {
    expect(() => proxyFor(new URL('https://ghcr.io/'), { HTTPS_PROXY: 'https://p:443' })).toThrow(InputError);
    expect(() => proxyFor(new URL('https://ghcr.io/'), { HTTPS_PROXY: 'http://[bad' })).toThrow(
      /HTTPS_PROXY is not a proxy URL/,
    );
  });

  it('never shows the proxy credentials', () => {
    const r = proxyFor(new URL('https://ghcr.io/'), { HTTPS_PROXY: 'http://me:s3cret@p:3128' });
    expect(describeProxy(r!)).toBe('http://p:3128 (HTTPS_PROXY)');
  });

  it('loopback is never proxied, whatever NO_PROXY says', () => {
    expect(bypassesProxy('127.0.0.5', '80', undefined)).toBe(true);
    expect(bypassesProxy('[::1]', '80', '')).toBe(true);
    expect(bypassesProxy('registry.test', '80', undefined)).toBe(false);
  });
});
