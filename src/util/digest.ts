import { createHash } from 'node:crypto';

/** The sha256 digest of a buffer, as OCI names blobs: "sha256:<hex>". */
export function sha256(buf: Buffer): string {
  return `sha256:${createHash('sha256').update(buf).digest('hex')}`;
}
