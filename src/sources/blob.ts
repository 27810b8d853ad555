/** Opens a BlobRef as a byte stream, in whatever thread asks: the main thread or a scan worker. */
import { createReadStream } from 'node:fs';
import type { BlobRef } from './contract.js';
import { RegistryClient } from './registry/client.js';

const READ_CHUNK = 1024 * 1024;

/** One client per registry repository and authorization, kept for the next blob of the same image. */
const clients = new Map<string, RegistryClient>();

function clientFor(ref: Extract<BlobRef, { kind: 'registry' }>): RegistryClient {
  const key = JSON.stringify(ref.client);
  let client = clients.get(key);
  if (!client) {
    client = RegistryClient.fromSpec(ref.client);
    clients.set(key, client);
  }
  return client;
}

/** The blob's bytes as stored. A registry's errors come out scrubbed of every credential it knows. */
export function readBlob(ref: BlobRef, label: string, signal?: AbortSignal): AsyncIterable<Buffer> {
  if (ref.kind === 'file') return createReadStream(ref.path, { highWaterMark: READ_CHUNK });
  const client = clientFor(ref);
  return (async function* () {
    try {
      yield* client.blob(ref.desc, label, signal);
    } catch (err) {
      throw client.redactError(err);
    }
  })();
}
