// The worker pool must never hang or pass when a worker dies: its job fails, and later jobs get a new worker.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScanPool } from '../../src/scan/pool.js';
import type { BlobRef } from '../../src/sources/contract.js';
import { InputError, RegistryError } from '../../src/util/errors.js';

const file = (p: string): BlobRef => ({ kind: 'file', path: p, digest: 'sha256:x' });

function workerFile(body: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sg-pool-'));
  const file = path.join(dir, 'worker.mjs');
  writeFileSync(file, `import { parentPort } from 'node:worker_threads';\n${body}\n`);
  return file;
}

describe('ScanPool with failing workers', () => {
  it('a worker that exits fails its job with a clear error, and the next job gets a fresh worker', async () => {
    const pool = new ScanPool(2, workerFile(`parentPort.on('message', () => process.exit(3));`));
    try {
      await expect(pool.scan(file('/nonexistent'), 'layer 1')).rejects.toThrow(
        /exited unexpectedly \(code 3\)/,
      );
      // Both slots die in turn; nothing hangs and nothing resolves.
      const results = await Promise.allSettled([1, 2, 3].map((i) => pool.scan(file('/x'), `layer ${i}`)));
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    } finally {
      await pool.close();
    }
  });

  it('a worker that throws fails only its own job; the other worker still answers', async () => {
    // The first job throws inside the worker (an uncaught error); later jobs are answered normally.
    const pool = new ScanPool(
      2,
      workerFile(`parentPort.on('message', (job) => {
        if (job.label === 'bad') throw new Error('boom');
        parentPort.postMessage({ id: job.id, scan: { digest: 'sha256:x', diffId: 'sha256:x', compression: 'none',
          compressedSize: 0, uncompressedSize: 0, entries: [], escapes: [], refused: [] } });
      });`),
    );
    try {
      const [bad, good] = await Promise.allSettled([
        pool.scan(file('/a'), 'bad'),
        pool.scan(file('/b'), 'good'),
      ]);
      expect(bad.status).toBe('rejected');
      expect(String((bad as PromiseRejectedResult).reason)).toMatch(/scan worker failed: boom/);
      expect(good.status).toBe('fulfilled');
      await expect(pool.scan(file('/c'), 'again')).resolves.toMatchObject({ digest: 'sha256:x' });
    } finally {
      await pool.close();
    }
  });

  it('an error keeps its kind across the thread: input, registry (with its cause) or internal', async () => {
    const pool = new ScanPool(
      2,
      workerFile(`parentPort.on('message', (job) => {
        const kind = job.label;
        parentPort.postMessage({ id: job.id, error: kind + ' failed', kind,
          ...(kind === 'registry' ? { cause: 'read ECONNRESET' } : {}) });
      });`),
    );
    try {
      const [input, registry, internal] = await Promise.allSettled(
        ['input', 'registry', 'internal'].map((k) => pool.scan(file('/a'), k)),
      );
      const reason = (r: PromiseSettledResult<unknown>): unknown => (r as PromiseRejectedResult).reason;
      expect(reason(input)).toBeInstanceOf(InputError);
      expect(reason(registry)).toBeInstanceOf(RegistryError);
      expect(((reason(registry) as Error).cause as Error).message).toBe('read ECONNRESET');
      expect(reason(internal)).not.toBeInstanceOf(InputError);
      expect(reason(internal)).not.toBeInstanceOf(RegistryError);
      expect((reason(internal) as Error).message).toBe('internal failed');
    } finally {
      await pool.close();
    }
  });
});
