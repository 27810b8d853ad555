/**
 * A license as an SPDX expression, only when the database's text is one (or spdx-correct turns it into one
 * unambiguously: "Apache 2" → Apache-2.0). Anything else is left out: a wrong license is worse than none.
 */
import { createRequire } from 'node:module';

type Parse = typeof import('spdx-expression-parse');
type Correct = typeof import('spdx-correct');
let spdx: { parse: Parse; correct: Correct } | undefined;
/** Loaded on first use (the license lists are large, and the scan workers never need them). */
function lib(): { parse: Parse; correct: Correct } {
  if (!spdx) {
    const require = createRequire(import.meta.url);
    spdx = { parse: require('spdx-expression-parse') as Parse, correct: require('spdx-correct') as Correct };
  }
  return spdx;
}

/** Longer texts are a license's body, not its identifier. */
const MAX_EXPRESSION = 200;

export function spdxLicense(text: string | undefined | null): string | undefined {
  const t = text?.trim();
  // SPDX identifiers are printable ASCII: anything else is not an expression.
  if (!t || t.length > MAX_EXPRESSION || !/^[\x20-\x7e]+$/.test(t)) return undefined;
  if (valid(t)) return t;
  // A single identifier that is spelled loosely; expressions are taken only as written.
  if (/\b(?:AND|OR|WITH)\b/.test(t)) return undefined;
  const fixed = lib().correct(t, { upgrade: true });
  if (!fixed || !valid(fixed)) return undefined;
  // spdx-correct also guesses a version ("GPL" → GPL-3.0-or-later, "BSD" → BSD-2-Clause): take its answer
  // only when the text names a version itself, or is the identifier with "License" around it.
  const bare = t
    .replace(/\blicen[cs]e\b/gi, '')
    .trim()
    .toLowerCase();
  return /\d/.test(t) || bare === fixed.toLowerCase() ? fixed : undefined;
}

function valid(s: string): boolean {
  try {
    lib().parse(s);
    return true;
  } catch {
    return false;
  }
}

/** Several licenses (a gemspec's list, Python's classifiers) as one expression joined by AND, or undefined. */
export function allOf(list: readonly (string | undefined)[]): string | undefined {
  const ok = [...new Set(list.map(spdxLicense))];
  if (!ok.length || ok.includes(undefined)) return undefined;
  return ok.length === 1 ? ok[0] : ok.map((s) => (/\s/.test(s as string) ? `(${s})` : s)).join(' AND ');
}
