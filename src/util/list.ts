import { InputError } from './errors.js';

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

/**
 * A docker/build-push-action list input, parsed as its `Util.getInputList` does (csv-parse with relaxed
 * quotes): each line is a CSV record; a field that starts with `"` is quoted (it keeps commas and line
 * breaks, `""` is a quote) and a quote elsewhere is literal; `#` is no comment. A record becomes one item
 * per field, and a one-field record is split at its commas too; with `ignoreComma` a record is one item,
 * its fields joined by commas. Items are trimmed unless `trim` is false (build-push-action's `secrets`).
 * A quote that is not closed, or that closes in mid-field, is an InputError naming `what` and the line,
 * never the text (the list may hold secrets).
 */
export function parseBuildxList(
  value: string | undefined,
  what: string,
  opts: { ignoreComma?: boolean; trim?: boolean } = {},
): string[] {
  const out: string[] = [];
  for (const record of csvRecords(value ?? '', what)) {
    if (record.length === 1 && record[0] === '') continue; // an empty line
    const items = opts.ignoreComma
      ? [record.join(',')]
      : record.length === 1
        ? (record[0] as string).split(',')
        : record;
    for (const item of items) {
      const v = opts.trim === false ? item : item.trim();
      // A blank item is dropped either way; only an untrimmed one needs its own test.
      if (opts.trim === false ? v.trim() : v) out.push(v);
    }
  }
  return out;
}

function csvRecords(text: string, what: string): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let field = '';
  let pending = false; // the current record has begun
  let line = 1;
  let i = 0;
  const endRecord = (): void => {
    fields.push(field);
    records.push(fields);
    fields = [];
    field = '';
    pending = false;
  };
  while (i < text.length) {
    const c = text[i] as string;
    pending = true;
    if (c === '"' && field === '') {
      // A quoted field: up to the quote that is followed by a comma, a line end or the end.
      const start = line;
      for (i++; ;) {
        if (i >= text.length)
          throw new InputError(`${what}: line ${start} opens a quote that is never closed`);
        const q = text[i] as string;
        if (q === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (q === '"') {
          const next = text[++i];
          if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r')
            throw new InputError(`${what}: line ${line}: a quoted field must end at a comma or the line end`);
          break;
        } else {
          if (q === '\n') line++;
          field += q;
          i++;
        }
      }
      continue;
    }
    if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      endRecord();
      if (c === '\r' && text[i + 1] === '\n') i++;
      line++;
    } else field += c;
    i++;
  }
  if (pending) endRecord();
  return records;
}

/** The fields of one CSV line, as buildx reads its flag values (`id=a,src=b`); bad quoting as above. */
export function csvFields(line: string, what: string): string[] {
  return csvRecords(line, what)[0] ?? [];
}

/** One `key=value` field for such a line, quoted when it holds a comma, a quote or a line break. */
export function csvField(keyValue: string): string {
  return /[",\r\n]/.test(keyValue) ? `"${keyValue.replace(/"/g, '""')}"` : keyValue;
}
