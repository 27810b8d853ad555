/**
 * Scanning one registry blob, as a job a scan worker can run: the worker rebuilds the client from plain
 * data (already authenticated), streams the blob and scans it in the same pass.
 */
import { scanLayer, type LayerScan } from '../../scan/layer.js';
import type { Descriptor } from '../model.js';
import { RegistryClient, type ClientSpec } from './client.js';

export interface BlobJob {
  client: ClientSpec;
  desc: Descriptor;
}

const clients = new Map<string, RegistryClient>();

/** Runs a blob job with a client per registry repository and authorization (kept for the next job). */
export async function scanBlobJob(job: BlobJob, label: string): Promise<LayerScan> {
  const key = JSON.stringify(job.client);
  let client = clients.get(key);
  if (!client) {
    client = RegistryClient.fromSpec(job.client);
    clients.set(key, client);
  }
  return scanRegistryBlob(client, job.desc, label);
}

/** Streams a blob straight into the layer scanner: download, digest and decompression in one pass. */
export async function scanRegistryBlob(
  client: RegistryClient,
  desc: Descriptor,
  label: string,
  signal?: AbortSignal,
): Promise<LayerScan> {
  try {
    return await scanLayer(client.blob(desc, label, signal), label);
  } catch (err) {
    throw client.redactError(err);
  }
}
