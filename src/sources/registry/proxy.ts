/**
 * Registries behind a forward proxy, configured the way curl and Docker read it: HTTPS_PROXY for https://
 * registries, HTTP_PROXY for http:// ones, NO_PROXY for the exceptions, each in lower or upper case (lower
 * case first). Loopback registries are never proxied, as Docker never proxies them.
 *
 * http:// requests go to the proxy with the absolute URL; https:// ones through a CONNECT tunnel, so TLS
 * is still end to end with the registry.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { isIP } from 'node:net';
import { InputError, oneLine, RegistryError } from '../../util/errors.js';

export interface Proxy {
  url: URL;
  /** The variable it came from, for messages (e.g. "HTTPS_PROXY"). */
  variable: string;
}

function envVar(env: NodeJS.ProcessEnv, name: string): { name: string; value: string } | undefined {
  for (const n of [name.toLowerCase(), name.toUpperCase()]) {
    const v = env[n]?.trim();
    if (v) return { name: n, value: v };
  }
  return undefined;
}

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || /^127\./.test(h) || h === '::1';
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((n, p) => n * 256 + Number(p), 0);
}

/** Whether one NO_PROXY entry (host, .domain, *.domain, IP, IPv4 CIDR, each with an optional :port) matches. */
function entryMatches(entry: string, host: string, port: string): boolean {
  let e = entry.toLowerCase();
  if (e === '*') return true;
  const hostPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(e);
  if (hostPort) {
    if (hostPort[2] !== port) return false;
    e = hostPort[1] as string;
  }
  e = e.replace(/^\[|\]$/g, '');
  const cidr = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(e);
  if (cidr) {
    if (isIP(host) !== 4) return false;
    const bits = Number(cidr[2]);
    if (bits > 32) return false;
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    return (ipv4ToInt(host) & mask) >>> 0 === (ipv4ToInt(cidr[1] as string) & mask) >>> 0;
  }
  const domain = e.replace(/^\*?\./, '');
  if (!domain) return false;
  return host === domain || host.endsWith(`.${domain}`);
}

export function bypassesProxy(host: string, port: string, noProxy: string | undefined): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (isLoopback(h)) return true;
  if (!noProxy) return false;
  return noProxy
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((e) => entryMatches(e, h, port));
}

/** The proxy for a request to `target`, or undefined for a direct connection. */
export function proxyFor(target: URL, env: NodeJS.ProcessEnv = process.env): Proxy | undefined {
  const https = target.protocol === 'https:';
  const v = envVar(env, https ? 'https_proxy' : 'http_proxy') ?? envVar(env, 'all_proxy');
  if (!v) return undefined;
  const port = target.port || (https ? '443' : '80');
  if (bypassesProxy(target.hostname, port, envVar(env, 'no_proxy')?.value)) return undefined;
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(v.value) ? v.value : `http://${v.value}`);
  } catch {
    throw new InputError(`${v.name} is not a proxy URL: ${JSON.stringify(v.value.slice(0, 100))}`);
  }
  if (url.protocol !== 'http:') {
    throw new InputError(`${v.name}: only http:// proxies are supported, not ${url.protocol}//`);
  }
  return { url, variable: v.name };
}

/** The proxy as messages show it: no credentials. */
export function describeProxy(p: Proxy): string {
  return `${p.url.protocol}//${p.url.host} (${p.variable})`;
}

function proxyAuthorization(p: Proxy): Record<string, string> {
  if (!p.url.username) return {};
  const user = decodeURIComponent(p.url.username);
  const pass = decodeURIComponent(p.url.password);
  return { 'Proxy-Authorization': `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` };
}

/** A failure to talk to the proxy itself: one line naming it, not retried as a registry error is. */
export function proxyError(p: Proxy, target: string, err: unknown): RegistryError {
  return new RegistryError(`cannot reach ${target} through the proxy ${describeProxy(p)}: ${oneLine(err)}`, {
    cause: err,
  });
}

/** Request options that send a plain-HTTP request to the proxy with the absolute URL. */
export function viaHttpProxy(p: Proxy, target: URL, headers: Record<string, string>): http.RequestOptions {
  return {
    host: p.url.hostname,
    port: p.url.port || 80,
    path: target.href,
    headers: { ...headers, Host: target.host, ...proxyAuthorization(p) },
  };
}

type ConnectCallback = (err: Error | null, socket?: Duplex) => void;

/** An https agent whose connections are CONNECT tunnels through the proxy. */
export class TunnelAgent extends https.Agent {
  constructor(
    readonly proxy: Proxy,
    opts: https.AgentOptions,
  ) {
    super(opts);
  }

  // Node's Agent waits for the callback when createConnection returns nothing.
  override createConnection(options: tls.ConnectionOptions, callback: ConnectCallback): undefined {
    const host = options.host ?? 'localhost';
    const port = Number(options.port ?? 443);
    const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const req = http.request({
      host: this.proxy.url.hostname,
      port: this.proxy.url.port || 80,
      method: 'CONNECT',
      path: authority,
      headers: { Host: authority, ...proxyAuthorization(this.proxy) },
      agent: false,
    });
    req.once('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        callback(proxyError(this.proxy, authority, `CONNECT answered HTTP ${res.statusCode ?? '?'}`));
        return;
      }
      callback(null, tls.connect({ ...options, socket, servername: options.servername ?? host }));
    });
    req.once('error', (err) => callback(proxyError(this.proxy, authority, err)));
    req.end();
    return undefined;
  }
}
