/**
 * The report boundary for names (src/util/names.ts): the engine keeps a name's bytes, the report shows
 * them. A name that is valid UTF-8 is shown as is. Any other name is shown with each stray byte as `\xHH`
 * and each backslash as `\\`, and its exact bytes go in a sibling field, base64: `pathBase64` next to
 * `path`, `linkBase64` next to `link`. Two different names therefore never look the same in a report,
 * and a report holds no lone surrogate, which other JSON readers would turn into U+FFFD.
 */
import { encodeName, isUtf8Name, showName, showText } from '../util/names.js';
import type { Report } from '../types/report.js';

/** Fields that hold a name from the image, and get a `…Base64` sibling when it is not UTF-8. */
const NAME_KEYS = new Set(['path', 'link', 'resolved']);

/** Rewrites every string of the report for showing, in place; linear in the report's size. */
export function showNames(report: Report): Report {
  walk(report as unknown as Record<string, unknown>);
  return report;
}

function walk(node: Record<string, unknown> | unknown[]): void {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const v = node[i];
      if (typeof v === 'string') {
        if (!isUtf8Name(v)) node[i] = showText(v);
      } else if (v && typeof v === 'object') walk(v as Record<string, unknown>);
    }
    return;
  }
  // for…in, not Object.keys: no array per object, and a report is plain data (no inherited keys).
  for (const key in node) {
    const v = node[key];
    if (typeof v === 'string') {
      if (isUtf8Name(v)) continue;
      if (NAME_KEYS.has(key)) {
        node[key] = showName(v);
        node[`${key}Base64`] = encodeName(v).toString('base64');
      } else node[key] = showText(v);
    } else if (v && typeof v === 'object' && !Buffer.isBuffer(v)) walk(v as Record<string, unknown>);
  }
}
