/** The engine as the CLI and the action use it: source → scanned images → reports. */
import { availableParallelism } from 'node:os';
import { openSource } from './image/source.js';
import type { PlatformChoice } from './image/platform.js';
import { buildReport } from './report/build.js';
import type { Report } from './report/schema.js';

export interface InspectOptions {
  platform?: PlatformChoice;
  concurrency?: number;
  progress?: (message: string) => void;
}

/** Two layers at once keeps both cores busy (one parses, zlib inflates on the thread pool); more only adds memory. */
export function defaultConcurrency(): number {
  return Math.max(2, Math.min(4, availableParallelism()));
}

export async function inspect(source: string, opts: InspectOptions = {}): Promise<Report[]> {
  const images = await openSource(source, {
    platform: opts.platform,
    concurrency: opts.concurrency ?? defaultConcurrency(),
    progress: opts.progress,
  });
  return images.map(buildReport);
}
