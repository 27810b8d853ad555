/**
 * OSV answers kept on disk, in the layer cache's folder (so the action's Actions cache carries them with the
 * layer scans): each query's ids by query, each record's details by id, for one day. A record whose
 * `modified` is what querybatch reports again is reused past the day: it has not changed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { VulnRef } from './client.js';
import type { OsvRecord } from './records.js';

const OSV_CACHE_TTL_MS = 24 * 60 * 60 * 1000;

interface Stamped<T> {
  at: number;
  value: T;
}

const hash = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 40);

export class OsvCache {
  constructor(
    readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {}

  private path(kind: 'q' | 'v', key: string): string {
    return join(this.dir, kind, `${hash(key)}.json`);
  }

  private async read<T>(kind: 'q' | 'v', key: string): Promise<Stamped<T> | null> {
    try {
      const doc = JSON.parse(await readFile(this.path(kind, key), 'utf8')) as Stamped<T> & { key?: string };
      // The key is stored too: a hash collision, or a file from elsewhere, is a miss.
      return doc.key === key && typeof doc.at === 'number' ? doc : null;
    } catch {
      return null;
    }
  }

  private async write(kind: 'q' | 'v', key: string, value: unknown): Promise<void> {
    const path = this.path(kind, key);
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(join(this.dir, kind), { recursive: true });
      await writeFile(tmp, JSON.stringify({ key, at: this.now(), value }));
      await rename(tmp, path);
    } catch {
      // A cache that cannot be written only costs a look-up next time.
    }
  }

  private fresh(at: number): boolean {
    const age = this.now() - at;
    return age >= 0 && age < OSV_CACHE_TTL_MS;
  }

  async getQuery(key: string): Promise<VulnRef[] | null> {
    const doc = await this.read<VulnRef[]>('q', key);
    return doc && this.fresh(doc.at) && Array.isArray(doc.value) ? doc.value : null;
  }

  putQuery(key: string, refs: readonly VulnRef[]): Promise<void> {
    return this.write('q', key, refs);
  }

  /** A record, fresh, or older with the `modified` querybatch reports now. */
  async getVuln(ref: VulnRef): Promise<OsvRecord | null> {
    const doc = await this.read<OsvRecord>('v', ref.id);
    if (!doc || typeof doc.value !== 'object' || doc.value === null) return null;
    const same = !!ref.modified && doc.value.modified === ref.modified;
    return this.fresh(doc.at) || same ? doc.value : null;
  }

  putVuln(record: OsvRecord): Promise<void> {
    return this.write('v', record.id, record);
  }
}
