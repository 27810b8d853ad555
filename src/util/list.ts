/**
 * The one list parser, for every list a person writes (action inputs, CLI flags, .slimgate.yml strings),
 * with docker/build-push-action's rules: an item per line, and per comma too unless `commas` is false; a
 * double-quoted item keeps its commas; items are trimmed; blank lines and `#` comment lines are dropped.
 */
export function parseList(value: string | undefined, opts: { commas?: boolean } = {}): string[] {
  if (!value) return [];
  const out: string[] = [];
  for (const line of value.split(/\r?\n/)) {
    if (line.trim().startsWith('#')) continue;
    const items = opts.commas === false ? [line] : splitCommas(line);
    for (const item of items) {
      const t = item.trim();
      if (t) out.push(t);
    }
  }
  return out;
}

/** Splits at commas outside double quotes; a quoted item loses its quotes ("a,b" is one item). */
function splitCommas(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (c === '"') {
      // A doubled quote inside quotes is a literal quote, as in CSV.
      if (quoted && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else quoted = !quoted;
    } else if (c === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}
