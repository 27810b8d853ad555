/**
 * A package's identifiers: its purl, built by `packageurl-js`, and its license, kept only as a valid SPDX
 * expression. Apart from lang.ts because these libraries (and the SPDX license lists) cost ~10 MB of
 * memory in each process that loads them: the scan workers' ELF probe must not.
 */
import { PackageURL } from 'packageurl-js';
import parseSpdx from 'spdx-expression-parse';
import correctSpdx from 'spdx-correct';
import { MAX_FIELD } from './lang.js';

/** A purl, or undefined when packageurl-js refuses the parts (it says why; the reader notes it). */
export function purlOf(
  type: string,
  namespace: string | null,
  name: string,
  version: string | null,
  qualifiers?: Record<string, string>,
): string | undefined {
  try {
    return new PackageURL(type, namespace, name, version, qualifiers ?? null, null).toString();
  } catch {
    return undefined;
  }
}

/**
 * A license as an SPDX expression: the text itself when it parses, else spdx-correct's reading of it when
 * that parses; else undefined. Several licenses are joined with OR (Composer and conda list alternatives).
 */
export function spdxOf(raw: string | readonly string[] | null | undefined): string | undefined {
  const list = (typeof raw === 'string' ? [raw] : (raw ?? [])).map((s) => s.trim()).filter(Boolean);
  if (list.length === 0 || list.some((s) => s.length > MAX_FIELD)) return undefined;
  const out: string[] = [];
  for (const s of list) {
    const one = valid(s) ?? valid(correctSpdx(s, { upgrade: true }) ?? '');
    if (one === undefined) return undefined;
    out.push(list.length > 1 && /\s/.test(one) ? `(${one})` : one);
  }
  return out.join(' OR ');
}

function valid(s: string): string | undefined {
  if (!s) return undefined;
  try {
    parseSpdx(s);
    return s;
  } catch {
    return undefined;
  }
}
