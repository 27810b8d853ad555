/** Files added, removed and changed, rolled up by directory, with who owns the largest change. */
import type { DirectoryDelta, FileDelta, ReportDiff } from './diff.js';
import { code, escapeText } from './comment-escape.js';
import { details, formatBytes, signedBytes } from './comment-format.js';
import type { Level } from './comment-options.js';

function fileRow(f: FileDelta): string {
  const sign = { added: '➕', removed: '➖', changed: '✏️' }[f.change];
  let what: string;
  if (f.change === 'changed') {
    const b = f.before!;
    const a = f.after!;
    const parts = f.attributes.map((k) => {
      switch (k) {
        case 'size':
          return `${formatBytes(b.size)} → ${formatBytes(a.size)}`;
        case 'mode':
          return `mode ${b.mode} → ${a.mode}`;
        case 'owner':
          return `owner ${b.uid}:${b.gid} → ${a.uid}:${a.gid}`;
        case 'type':
          return `${b.type} → ${a.type}`;
        default:
          return 'link target';
      }
    });
    what = parts.join(', ');
  } else {
    const f0 = (f.after ?? f.before)!;
    what = f0.type === 'file' ? '' : f0.type;
  }
  return `| ${sign} | ${code(f.path, 120)} | ${f.delta ? signedBytes(f.delta) : ''} | ${escapeText(what)} |`;
}

/** `/usr/lib` → `/usr/lib/`: a directory reads as one. */
function dirLabel(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}

function dirSummary(d: DirectoryDelta): string {
  const counts = [
    d.added ? `${d.added} added` : '',
    d.removed ? `${d.removed} removed` : '',
    d.changed ? `${d.changed} changed` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `${code(dirLabel(d.path), 100)} ${signedBytes(d.delta)} · ${counts}`;
}

/** " <sub>largest: golang-1.19-go</sub>": who owns a directory's largest change (image text, escaped). */
function ownerNote(owner: string | undefined): string {
  return owner === undefined ? '' : ` <sub>largest: ${escapeText(owner, 100)}</sub>`;
}

export function filesSection(diff: ReportDiff, lv: Level): string[] {
  const f = diff.files;
  if (!f.added && !f.removed && !f.changed) return [];
  const body: string[] = [];
  const dirs = f.directories.slice(0, lv.dirs);
  body.push(
    '| directory | Δ uncompressed | added | removed | changed |',
    '| --- | ---: | ---: | ---: | ---: |',
  );
  for (const d of dirs)
    body.push(
      `| ${code(dirLabel(d.path), 100)}${ownerNote(d.owner)} | ${signedBytes(d.delta)} | ${d.added} | ${d.removed} | ${d.changed} |`,
    );
  if (f.directories.length > dirs.length)
    body.push(`| … ${f.directories.length - dirs.length} more directories |  |  |  |  |`);
  body.push('');
  if (lv.filesPerDir > 0) {
    for (const d of dirs) {
      const rows = d.files.slice(0, lv.filesPerDir).map(fileRow);
      if (d.files.length > rows.length) rows.push(`|  | … ${d.files.length - rows.length} more |  |  |`);
      body.push(
        ...details(dirSummary(d), [
          '|  | path | Δ uncompressed |  |',
          '| :---: | --- | ---: | --- |',
          ...rows,
        ]),
      );
    }
  }
  const summary = `Files: ${f.added} added, ${f.removed} removed, ${f.changed} changed, by directory`;
  return details(summary, body);
}
