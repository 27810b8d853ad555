import { InputError } from '../util/errors.js';
import type { Platform } from './model/image.js';

export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

/** "linux/arm64/v8" → Platform; "all" is handled by the caller. */
export function parsePlatform(s: string): Platform {
  const parts = s.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9_.-]+$/i.test(p))) {
    throw new InputError(`bad --platform "${s}": expected os/arch[/variant], e.g. linux/amd64, or "all"`);
  }
  const [os, architecture, variant] = parts as [string, string, string?];
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function formatPlatform(p: Platform): string {
  return p.variant ? `${p.os}/${p.architecture}/${p.variant}` : `${p.os}/${p.architecture}`;
}

/** arm64 images often omit the v8 variant; treat it as the default, as containerd does. */
function normVariant(p: Platform): string {
  if (p.architecture === 'arm64' && (p.variant === undefined || p.variant === 'v8')) return '';
  return p.variant ?? '';
}

export function platformMatches(want: Platform, have: Platform): boolean {
  if (want.os !== have.os || want.architecture !== have.architecture) return false;
  return want.variant === undefined || normVariant(want) === normVariant(have);
}

/**
 * The platforms `baseline` has and `image` lacks, in the baseline's order and each once. A platform counts
 * as present when the image has one it matches (arm64 with or without v8 are one).
 */
export function missingPlatforms(baseline: readonly Platform[], image: readonly Platform[]): Platform[] {
  const out: Platform[] = [];
  for (const b of baseline)
    if (!image.some((i) => platformMatches(i, b)) && !out.some((o) => platformMatches(o, b))) out.push(b);
  return out;
}

export type PlatformChoice = Platform | 'all' | undefined;

/**
 * Picks from the platforms an index offers: the requested one; by default linux/amd64, else the only one;
 * otherwise a clear error that lists what is there.
 */
export function choosePlatforms<T>(items: T[], platformOf: (t: T) => Platform, choice: PlatformChoice): T[] {
  if (choice === 'all') return items;
  const list = (): string => items.map((t) => formatPlatform(platformOf(t))).join(', ');
  if (choice) {
    const hit = items.find((t) => platformMatches(choice, platformOf(t)));
    if (!hit)
      throw new InputError(`platform ${formatPlatform(choice)} is not in this image; it has: ${list()}`);
    return [hit];
  }
  const amd64 = items.find((t) => platformMatches(DEFAULT_PLATFORM, platformOf(t)));
  if (amd64) return [amd64];
  if (items.length === 1) return items;
  throw new InputError(
    `this image has several platforms (${list()}); choose one with --platform, or --platform all`,
  );
}
