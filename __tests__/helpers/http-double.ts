// What the test doubles of GitHub's results service share (the Actions cache and artifacts): reading a
// request body, a JSON answer, and the Azure block-blob upload the SDK makes to a signed URL.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * One request of an Azure block-blob upload, as the SDK sends it: `?comp=block` parts and a
 * `?comp=blocklist`, or one PUT with `x-ms-blob-type: BlockBlob`. `blocks` holds the parts; the whole blob,
 * once known, goes to `done`. Answers 201 as Azure does; protocol slips go to `violations`.
 */
export function acceptBlockBlob(
  req: IncomingMessage,
  url: URL,
  raw: Buffer,
  res: ServerResponse,
  blocks: Map<string, Buffer>,
  done: (blob: Buffer) => void,
  violations: string[],
): void {
  const comp = url.searchParams.get('comp');
  if (comp === 'block') {
    blocks.set(url.searchParams.get('blockid') ?? '', raw);
  } else if (comp === 'blocklist') {
    const ids = [...raw.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)</g)].map(
      (m) => m[1]!,
    );
    if (ids.some((id) => !blocks.has(id))) violations.push('blocklist names an unknown block');
    done(Buffer.concat(ids.map((id) => blocks.get(id) ?? Buffer.alloc(0))));
  } else {
    if (req.headers['x-ms-blob-type'] !== 'BlockBlob')
      violations.push('blob PUT without x-ms-blob-type: BlockBlob');
    done(raw);
  }
  res.writeHead(201, {
    etag: `"0x${randomBytes(4).toString('hex')}"`,
    'last-modified': new Date().toUTCString(),
    'x-ms-request-id': randomBytes(8).toString('hex'),
    'x-ms-version': '2025-01-05',
    'content-length': '0',
  });
  res.end();
}
