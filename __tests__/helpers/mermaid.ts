// Renders markdown the way GitHub shows a comment: cmark-gfm with GitHub's extensions, github-markdown-css,
// and every ```mermaid block drawn by the `mermaid` package, in Debian's headless Chromium. Returns the
// DOM after rendering (and a screenshot when asked). Needs cmark-gfm and chromium (apt-get install).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot, run, runAsync } from './world.js';

const CHROME = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--hide-scrollbars',
  // Lets mermaid's asynchronous render finish before the DOM is dumped or the screenshot taken.
  '--virtual-time-budget=30000',
];

export interface Rendered {
  /** The document title: "rendered N" or "error: …". */
  title: string;
  dom: string;
}

export async function renderComment(
  markdown: string,
  opts: { screenshot?: string; width?: number } = {},
): Promise<Rendered> {
  const tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-mermaid-'));
  try {
    const md = path.join(tmp, 'comment.md');
    writeFileSync(md, markdown);
    const html = run('cmark-gfm', [
      '--unsafe',
      '-e',
      'table',
      '-e',
      'strikethrough',
      '-e',
      'autolink',
      '-e',
      'tagfilter',
      '-e',
      'tasklist',
      md,
    ]).stdout;
    const css = path.join(repoRoot, 'node_modules', 'github-markdown-css', 'github-markdown-light.css');
    const mermaid = path.join(repoRoot, 'node_modules', 'mermaid', 'dist', 'mermaid.min.js');
    const page = path.join(tmp, 'page.html');
    writeFileSync(
      page,
      `<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="file://${css}"><script src="file://${mermaid}"></script>
<style>body{margin:0;background:#fff}.markdown-body{padding:16px;font-size:14px;width:${(opts.width ?? 880) - 32}px}</style></head>
<body><article class="markdown-body">${html}</article>
<script>
(async () => {
  try {
    mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
    const blocks = [...document.querySelectorAll('code.language-mermaid')];
    for (const [i, code] of blocks.entries()) {
      const { svg } = await mermaid.render('chart' + i, code.textContent);
      const div = document.createElement('div');
      div.className = 'mermaid-chart';
      div.innerHTML = svg;
      code.parentElement.replaceWith(div);
    }
    document.querySelectorAll('details').forEach((d) => (d.open = true));
    document.title = 'rendered ' + blocks.length + ' ' + (document.documentElement.scrollHeight + 16);
  } catch (e) {
    document.title = 'error: ' + e.message;
  }
})();
</script></body></html>`,
    );
    const profile = ['--user-data-dir=' + path.join(tmp, 'profile')];
    const width = opts.width ?? 880;
    const r = await runAsync(
      'chromium',
      [...CHROME, ...profile, `--window-size=${width},900`, '--dump-dom', `file://${page}`],
      { timeout: 90_000 },
    );
    const title = /<title>([^<]*)<\/title>/.exec(r.stdout)?.[1] ?? '';
    if (opts.screenshot) {
      const height = Number(/^rendered \d+ (\d+)$/.exec(title)?.[1] ?? 1200);
      await runAsync(
        'chromium',
        [
          ...CHROME,
          ...profile,
          `--window-size=${width},${height}`,
          `--screenshot=${opts.screenshot}`,
          `file://${page}`,
        ],
        { timeout: 90_000 },
      );
    }
    return { title, dom: r.stdout };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
