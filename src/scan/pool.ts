/**
 * Scans layer files on worker threads. In-process, every layer shares the main thread for hashing, tar
 * parsing and zlib callbacks, so a second layer adds little; on workers, layers really run in parallel.
 *
 * The worker script is `worker.js` beside this module (the tsc build), or the ncc bundle itself,
 * whose entry points hand over to `startScanWorker` when started as a scan worker. Anywhere else (tests
 * running the TypeScript sources) layers are scanned in-process, with the same code.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { readBlob } from '../sources/blob.js';
import type { BlobRef } from '../sources/contract.js';
import { InputError, RegistryError } from '../util/errors.js';
import { scanLayer, type LayerScan } from './layer.js';

const WORKER_FLAG = 'slimgateScanWorker';
interface Job {
  id: number;
  ref: BlobRef;
  label: string;
}

/** A failure crosses the thread as its message and kind (an Error subclass does not survive the copy). */
interface Failure {
  error: string;
  kind: 'input' | 'registry' | 'internal';
  /** The message of a RegistryError's cause. */
  cause?: string;
}
type Reply = { id: number; scan: LayerScan } | ({ id: number } & Failure);

function toFailure(err: unknown): Failure {
  const error = err instanceof Error ? err.message : String(err);
  if (err instanceof RegistryError) {
    const cause = err.cause instanceof Error ? err.cause.message : undefined;
    return { error, kind: 'registry', ...(cause !== undefined ? { cause } : {}) };
  }
  return { error, kind: err instanceof InputError ? 'input' : 'internal' };
}

function fromFailure(f: Failure): Error {
  if (f.kind === 'registry')
    return new RegistryError(f.error, f.cause !== undefined ? { cause: new Error(f.cause) } : undefined);
  return f.kind === 'input' ? new InputError(f.error) : new Error(f.error);
}

/** Opens and scans one blob in this thread. */
function scanBlob(ref: BlobRef, label: string, signal?: AbortSignal): Promise<LayerScan> {
  return scanLayer(readBlob(ref, label, signal), label);
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
    scanBlob(job.ref, job.label).then(
      (scan) => port.postMessage({ id: job.id, scan } satisfies Reply),
      (err: unknown) => port.postMessage({ id: job.id, ...toFailure(err) } satisfies Reply),
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

  /** Scans a blob on an idle worker (which opens the blob itself), or in-process without workers. */
  async scan(ref: BlobRef, label: string, signal?: AbortSignal): Promise<LayerScan> {
    if (!this.script) return scanBlob(ref, label, signal);
    return this.dispatch(this.script, { ref, label });
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
      else job.reject(fromFailure(r));
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
