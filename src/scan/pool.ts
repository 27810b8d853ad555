/**
 * Scans layer files on worker threads. In-process, every layer shares the main thread for hashing, tar
 * parsing and zlib callbacks, so a second layer adds little; on workers, layers really run in parallel.
 *
 * The worker script is `worker.js` beside this module (the tsc build), or the ncc bundle itself,
 * whose entry points hand over to `startScanWorker` when started as a scan worker. Anywhere else (tests
 * running the TypeScript sources) layers are scanned in-process, with the same code.
 */
import { createReadStream, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { InputError } from '../util/errors.js';
import { scanLayer, type LayerScan } from './layer.js';
import { scanBlobJob, type BlobJob } from '../sources/registry/blob-job.js';

const WORKER_FLAG = 'slimgateScanWorker';
const READ_CHUNK = 1024 * 1024;

interface Job {
  id: number;
  path: string;
  label: string;
  /** A registry blob to download and scan, instead of a file. */
  blob?: BlobJob;
}

type Reply = { id: number; scan: LayerScan } | { id: number; error: string; input: boolean };

export function scanLayerFile(path: string, label: string): Promise<LayerScan> {
  return scanLayer(createReadStream(path, { highWaterMark: READ_CHUNK }), label);
}

function workerScript(): string | undefined {
  if (process.env['SLIMGATE_WORKERS'] === '0') return undefined;
  const here = fileURLToPath(import.meta.url);
  const sibling = join(dirname(here), 'worker.js');
  if (existsSync(sibling)) return sibling;
  // Inside the ncc bundle this module is the bundle file.
  if (basename(here) === 'cli.js' || basename(here) === 'index.js') return here;
  return undefined;
}

export function isScanWorker(): boolean {
  return !isMainThread && !!(workerData as Record<string, unknown> | null)?.[WORKER_FLAG];
}

export function startScanWorker(): void {
  const port = parentPort;
  if (!port) return;
  port.on('message', (job: Job) => {
    (job.blob ? scanBlobJob(job.blob, job.label) : scanLayerFile(job.path, job.label)).then(
      (scan) => port.postMessage({ id: job.id, scan } satisfies Reply),
      (err: unknown) =>
        port.postMessage({
          id: job.id,
          error: err instanceof Error ? err.message : String(err),
          input: err instanceof InputError,
        } satisfies Reply),
    );
  });
}

/**
 * A fixed set of workers, one job each at a time; `scan` runs on an idle one, or in-process when workers
 * are unavailable. A worker that dies fails only its own job and is replaced for the next one.
 */
export class ScanPool {
  private readonly idle: Worker[] = [];
  private readonly live = new Set<Worker>();
  private readonly waiting: ((w: Worker) => void)[] = [];
  /** The job each busy worker is running. */
  private readonly jobs = new Map<Worker, { resolve: (s: LayerScan) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private readonly script: string | undefined;

  /** `script` overrides the worker entry (tests). */
  constructor(
    private readonly size: number,
    script?: string,
  ) {
    this.script = size > 1 ? (script ?? workerScript()) : undefined;
  }

  async scan(path: string, label: string): Promise<LayerScan> {
    if (!this.script) return scanLayerFile(path, label);
    return this.dispatch(this.script, { path, label });
  }

  /**
   * Downloads and scans a registry blob on a worker (the worker fetches it itself, so the bytes never
   * cross threads); without workers, `local` does it in-process.
   */
  async scanBlob(blob: BlobJob, label: string, local: () => Promise<LayerScan>): Promise<LayerScan> {
    if (!this.script) return local();
    return this.dispatch(this.script, { path: '', label, blob });
  }

  private async dispatch(script: string, job: Omit<Job, 'id'>): Promise<LayerScan> {
    const worker = await this.acquire(script);
    try {
      return await new Promise<LayerScan>((resolve, reject) => {
        this.jobs.set(worker, { resolve, reject });
        worker.postMessage({ id: this.nextId++, ...job } satisfies Job);
      });
    } finally {
      this.jobs.delete(worker);
      this.release(worker, script);
    }
  }

  async close(): Promise<void> {
    const all = [...this.live];
    this.live.clear();
    this.idle.length = 0;
    await Promise.all(all.map((w) => w.terminate()));
  }

  private acquire(script: string): Promise<Worker> {
    const w = this.idle.pop();
    if (w) return Promise.resolve(w);
    if (this.live.size < this.size) return Promise.resolve(this.spawn(script));
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(w: Worker, script: string): void {
    const next = this.waiting.shift();
    // A worker that died is not reused: whoever waits gets a fresh one.
    if (!this.live.has(w)) {
      if (next) next(this.spawn(script));
      return;
    }
    if (next) next(w);
    else this.idle.push(w);
  }

  private spawn(script: string): Worker {
    const w = new Worker(script, { workerData: { [WORKER_FLAG]: true } });
    const fail = (err: Error): void => {
      if (!this.live.delete(w)) return; // closed, or already failed
      const i = this.idle.indexOf(w);
      if (i !== -1) this.idle.splice(i, 1);
      this.jobs.get(w)?.reject(err);
    };
    w.on('message', (r: Reply) => {
      const job = this.jobs.get(w);
      if (!job) return;
      if ('scan' in r) job.resolve(revive(r.scan));
      else job.reject(r.input ? new InputError(r.error) : new Error(r.error));
    });
    w.on('error', (err) => fail(new Error(`a layer scan worker failed: ${err.message}`)));
    w.on('exit', (code) => fail(new Error(`a layer scan worker exited unexpectedly (code ${code})`)));
    this.live.add(w);
    return w;
  }
}

/** Structured clone turns Buffers into plain Uint8Arrays; make heads Buffers again, without a copy. */
function revive(scan: LayerScan): LayerScan {
  for (const e of scan.entries) {
    if (e.head && !Buffer.isBuffer(e.head)) {
      const u = e.head as Uint8Array;
      e.head = Buffer.from(u.buffer, u.byteOffset, u.length);
    }
  }
  return scan;
}
