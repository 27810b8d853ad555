/**
 * A language package's identifiers, as its reader builds them: the purl and the SPDX license go through
 * the formats layer's one builder of each (purl.ts, license.ts), which load their libraries on first use,
 * so the scan workers' ELF probe never pays for them.
 */
import { purl } from './purl.js';
import { spdxLicense } from './license.js';

/** A purl, or undefined when the parts cannot form one. */
export function purlOf(
  type: string,
  namespace: string | null,
  name: string,
  version: string | null,
  qualifiers?: Record<string, string>,
): string | undefined {
  return purl(type, namespace ?? undefined, name, version, qualifiers);
}

/**
 * A license as an SPDX expression (license.ts decides what counts as one); several licenses are joined
 * with OR (Composer and conda list alternatives). Undefined when any of them is not one.
 */
export function spdxOf(raw: string | readonly string[] | null | undefined): string | undefined {
  const list = (typeof raw === 'string' ? [raw] : (raw ?? [])).map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) return undefined;
  const out: string[] = [];
  for (const s of list) {
    const one = spdxLicense(s);
    if (one === undefined) return undefined;
    out.push(list.length > 1 && /\s/.test(one) ? `(${one})` : one);
  }
  return out.join(' OR ');
}
