// The HTML report in a real browser: Debian's Chromium, driven by playwright-core, opens the page from
// file:// with no network, clicks into a directory, switches this PR / main / changes, searches a path,
// follows a finding and a layer, and checks that hostile names are text. A 100,000-file image must open in
// under 2 s and weigh under 10 MB. `slimgate check --html` (dist/cli.js) writes the page for a real image.
// SLIMGATE_DOCS=1 also writes docs/html-report.png, the README's picture.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html.js';
import { escapeInvisible } from '../../src/util/text.js';
import { distCli } from '../helpers/cli.js';
import { HOSTILE_NAMES, HOSTILE_PACKAGE, NOT_UTF8, syntheticReport } from '../helpers/html-reports.js';
import { repoRoot, run } from '../helpers/world.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-html-'));
let browser: Browser;

beforeAll(async () => {
  const chromiumPath = run('sh', ['-c', 'command -v chromium']).stdout.trim();
  browser = await chromium.launch({
    executablePath: chromiumPath,
    // TESTING.md's flags; /dev/shm is small in containers.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--hide-scrollbars',
      '--disable-dev-shm-usage',
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Set by the page script once the first treemap is painted: ms since navigation start. */
const READY = 'document.documentElement.dataset.ready';

interface Opened {
  page: Page;
  /** ms from navigation start to the first treemap drawn (the page's own clock). */
  ready: number;
  /** Console errors (a CSP refusal is one), page errors, dialogs and requests that left file://. */
  problems: string[];
}

async function open(file: string, viewport = { width: 1400, height: 1000 }): Promise<Opened> {
  const page = await browser.newPage({ viewport });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => {
    if (!r.url().startsWith('file://')) problems.push(`request: ${r.url()}`);
  });
  await page.goto(`file://${file}`);
  // Expressions as strings: the tests compile without the DOM's types.
  await page.waitForFunction(READY, undefined, { timeout: 30_000 });
  const ready = Number(await page.evaluate(READY));
  return { page, ready, problems };
}

const tilePaths = (page: Page): Promise<string[]> =>
  page.$$eval('#map .t', (ts) => ts.map((t) => t.getAttribute('data-path') ?? ''));
const crumbs = (page: Page): Promise<string[]> =>
  page.$$eval('#crumbs button', (bs) => bs.map((b) => b.textContent ?? ''));
const tile = (page: Page, p: string) => page.locator(`#map .t[data-path="${p}"]`);
const background = (page: Page, p: string): Promise<string> =>
  tile(page, p).evaluate(
    (t) => (t as unknown as { style: { backgroundColor: string } }).style.backgroundColor,
  );

/** The first name in a fold tile, with its directory's path, from the page's data block. */
function firstFolded(html: string): string | null {
  type N = { n: string; c?: N[]; z?: [string][] };
  const json = /<script type="application\/json" id="slimgate-data">([^<]*)<\/script>/.exec(html)![1]!;
  const walk = (n: N, dir: string): string | null => {
    for (const k of n.c ?? []) {
      if (k.z) return `${dir}/${k.z[0]![0]}`;
      const found = k.c ? walk(k, `${dir}/${k.n}`) : null;
      if (found) return found;
    }
    return null;
  };
  return walk((JSON.parse(json) as { tree: N }).tree, '');
}

describe('the HTML report of a 100,000-file image, in Chromium', () => {
  const file = path.join(tmp, 'big.html');
  let o: Opened;

  beforeAll(async () => {
    const pr = syntheticReport(100_000, 'pr');
    expect(pr.files.filter((f) => f.type !== 'dir').length).toBeGreaterThanOrEqual(100_000);
    writeFileSync(file, renderHtml(pr, { baseline: syntheticReport(100_000, 'main') }));
    o = await open(file);
  }, 120_000);
  afterAll(() => o?.page.close());
  // Each test starts from the image root, in the PR's view, with an empty search.
  beforeEach(async () => {
    await o.page.click('#views button[data-view="pr"]');
    await o.page.locator('#crumbs button').first().click();
    await o.page.fill('#search', '');
  });

  it('opens in under 2 s and is under 10 MB, with nothing refused and no request out', () => {
    const size = statSync(file).size;
    console.log(`100,000 files: ${(size / 1e6).toFixed(2)} MB, first treemap after ${o.ready} ms`);
    expect(size).toBeLessThan(10_000_000);
    expect(o.ready).toBeGreaterThan(0);
    expect(o.ready).toBeLessThan(2_000);
    expect(o.problems).toEqual([]);
  });

  it('says how the small files are folded', async () => {
    const notes = await o.page.$$eval('p.note', (ps) => ps.map((p) => p.textContent ?? ''));
    expect(notes.join('\n')).toMatch(
      /In a directory with more than 100 files, the smaller ones share one tile: [\d,]+ such tiles hold [\d,]+ files/,
    );
    const folds = (await tilePaths(o.page)).filter((p) => /^\/usr\/bin\/\([\d,]+ smaller files\)$/.test(p));
    expect(folds).toHaveLength(1);
  });

  it('zooms into a directory on click, and back out by the breadcrumb', async () => {
    const { page } = o;
    expect(await crumbs(page)).toEqual(['/ (image root)']);
    await tile(page, '/usr/local').click({ position: { x: 20, y: 6 } });
    expect(await crumbs(page)).toEqual(['/ (image root)', 'usr', 'local']);
    const paths = await tilePaths(page);
    // lib/python3.11/site-packages has one child at each level: the map opens onto the packages.
    expect(paths.length).toBeGreaterThan(20);
    expect(paths.every((p) => p.startsWith('/usr/local/'))).toBe(true);
    expect(paths).toContain('/usr/local/lib/python3.11/site-packages/pandas');
    await page.locator('#crumbs button', { hasText: 'usr' }).click();
    expect(await crumbs(page)).toEqual(['/ (image root)', 'usr']);
    await page.locator('#crumbs button').first().click();
    expect(await crumbs(page)).toEqual(['/ (image root)']);
  });

  it('switches this PR / main / changes: sizes, new and removed packages, colours', async () => {
    const { page } = o;
    await tile(page, '/usr/local').click({ position: { x: 20, y: 6 } });
    const sitePackages = '/usr/local/lib/python3.11/site-packages';
    // This PR has pandas; main has legacy instead.
    expect(await tile(page, `${sitePackages}/pandas`).count()).toBe(1);
    expect(await tile(page, `${sitePackages}/legacy`).count()).toBe(0);
    await page.click('#views button[data-view="main"]');
    expect(await page.getAttribute('#views button[data-view="main"]', 'aria-pressed')).toBe('true');
    expect(await tile(page, `${sitePackages}/pandas`).count()).toBe(0);
    expect(await tile(page, `${sitePackages}/legacy`).count()).toBe(1);
    await page.click('#views button[data-view="changes"]');
    // Every tile drawn inside pandas is new (green), inside legacy removed (red).
    const colours = async (dir: string): Promise<string[]> => [
      ...new Set(
        await page.$$eval(
          '#map .t:not(.frame)',
          (ts, prefix) =>
            ts
              .filter((t) => (t.getAttribute('data-path') ?? '').startsWith(prefix))
              .map((t) => (t as unknown as { style: { backgroundColor: string } }).style.backgroundColor),
          `${dir}/`,
        ),
      ),
    ];
    expect(await colours(`${sitePackages}/pandas`)).toEqual(['rgb(74, 194, 107)']);
    expect(await colours(`${sitePackages}/legacy`)).toEqual(['rgb(255, 129, 130)']);
    // The app binary grew from 41 to 58 MB: its size in each view.
    await page.locator('#crumbs button').first().click();
    await tile(page, '/app').click({ position: { x: 20, y: 6 } });
    expect(await background(page, '/app/server')).toBe('rgb(251, 143, 68)'); // grew
    await page.click('#views button[data-view="pr"]');
    expect(await tile(page, '/app/server').textContent()).toContain('58.0 MB');
    await page.click('#views button[data-view="main"]');
    expect(await tile(page, '/app/server').textContent()).toContain('41.0 MB');
    await page.click('#views button[data-view="pr"]');
    await page.locator('#crumbs button').first().click();
  });

  it('colours by owner (the default with packages) or by layer; the legend, tooltip and details name the owner', async () => {
    const { page } = o;
    const pressed = (by: string) => page.getAttribute(`#colour-by button[data-by="${by}"]`, 'aria-pressed');
    expect([await pressed('owner'), await pressed('layer')]).toEqual(['true', 'false']);
    expect(await page.isDisabled('#colour-by button[data-by="owner"]')).toBe(false);
    // The legend names the largest packages, the hostile one as text, and your files.
    const legend = (): Promise<string> =>
      page
        .locator('#legend')
        .textContent()
        .then((t) => t ?? '');
    expect(await legend()).toContain('Coloured by owner:');
    expect(await legend()).toContain('python pandas');
    expect(await legend()).toContain(`dpkg ${HOSTILE_PACKAGE}`);
    expect(await legend()).toMatch(/[\d,]+ other packages/);
    expect(await legend()).toContain('your files (no package)');
    expect(await page.$$eval('script', (s) => s.length)).toBe(3);
    // The app binary is nobody's; two Python packages of one layer have two colours.
    await tile(page, '/app').click({ position: { x: 20, y: 6 } });
    const yours = await background(page, '/app/server');
    await page.locator('#crumbs button').first().click();
    await tile(page, '/usr/local').click({ position: { x: 20, y: 6 } });
    const sitePackages = '/usr/local/lib/python3.11/site-packages';
    // The colours of the tiles drawn inside a directory (a directory with children is a frame, uncoloured).
    const inside = async (dir: string): Promise<string[]> => [
      ...new Set(
        await page.$$eval(
          '#map .t:not(.frame)',
          (ts, prefix) =>
            ts
              .filter((t) => (t.getAttribute('data-path') ?? '').startsWith(prefix))
              .map((t) => (t as unknown as { style: { backgroundColor: string } }).style.backgroundColor),
          `${dir}/`,
        ),
      ),
    ];
    const pandas = await inside(`${sitePackages}/pandas`);
    const scipy = await inside(`${sitePackages}/scipy`);
    expect(pandas).toHaveLength(1);
    expect(scipy).toHaveLength(1);
    expect(new Set([yours, pandas[0], scipy[0]]).size).toBe(3);
    // Hovering a directory names the package that owns most of its bytes.
    await tile(page, `${sitePackages}/pandas`).hover({ position: { x: 20, y: 6 } });
    await expect
      .poll(() => page.locator('#tip').textContent())
      .toContain('owner (most bytes): python pandas');
    // By layer, the two packages (both layer 3) are one colour again, and the legend lists layers.
    await page.click('#colour-by button[data-by="layer"]');
    expect([await pressed('owner'), await pressed('layer')]).toEqual(['false', 'true']);
    const byLayer = await inside(`${sitePackages}/pandas`);
    expect(byLayer).toHaveLength(1);
    expect(await inside(`${sitePackages}/scipy`)).toEqual(byLayer);
    expect(byLayer).not.toEqual(pandas);
    expect(await legend()).toContain('Coloured by layer:');
    await page.click('#colour-by button[data-by="owner"]');
    expect(await inside(`${sitePackages}/pandas`)).toEqual(pandas);
    // The hostile package's file: its owner in the tooltip and the details, as text.
    await page.locator('#crumbs button').first().click();
    await tile(page, '/usr/sbin/evil-daemon').hover();
    await expect.poll(() => page.locator('#tip').textContent()).toContain(`owner: dpkg ${HOSTILE_PACKAGE}`);
    await tile(page, '/usr/sbin/evil-daemon').click();
    expect(await page.locator('#details').textContent()).toContain(`owner: dpkg ${HOSTILE_PACKAGE}`);
    expect(await page.$$eval('script', (s) => s.length)).toBe(3);
    await page.fill('#search', 'pkgcache');
    await page.locator('#results button').first().click();
    expect(await page.locator('#details').textContent()).toContain('owner: your files');
    expect(o.problems).toEqual([]);
  });

  it('finds a path with the search box, and shows it', async () => {
    const { page } = o;
    await page.fill('#search', 'pkgcache');
    await expect
      .poll(() => page.locator('#results button').allTextContents())
      .toEqual(['/var/cache/apt/pkgcache.bin']);
    await page.locator('#results button').first().click();
    expect(await crumbs(page)).toEqual(['/ (image root)', 'var', 'cache', 'apt']);
    expect(await page.locator('#details .path').first().textContent()).toBe('/var/cache/apt/pkgcache.bin');
    expect(await page.locator('#details').textContent()).toContain('this PR: 31.0 MB');
    expect(await tile(page, '/var/cache/apt/pkgcache.bin').getAttribute('class')).toContain('sel');
    // A file folded into a "(N smaller files)" tile is found too.
    const folded = firstFolded(readFileSync(file, 'utf8'));
    expect(folded).toMatch(/^\/usr\//);
    // Enter on a directory's full path zooms into it.
    await page.fill('#search', '/usr/share/doc');
    await page.press('#search', 'Enter');
    expect(await crumbs(page)).toEqual(['/ (image root)', 'usr', 'share', 'doc']);
    await page.fill('#search', folded!);
    await page.press('#search', 'Enter');
    expect(await page.locator('#details h2').textContent()).toBe('File (in a folded tile)');
    expect(await page.locator('#details .path').first().textContent()).toBe(folded);
    await page.fill('#search', '');
  });

  it('shows hostile names as text: no script runs, no element is made, the title stays', async () => {
    const { page } = o;
    const title = await page.title();
    // Each name, searched whole, is found and shown as its text; invisible and reordering characters
    // as escapes (\u202e).
    for (const name of HOSTILE_NAMES) {
      const shown = escapeInvisible(name);
      await page.fill('#search', shown);
      await expect.poll(() => page.locator('#results button').allTextContents()).toContain(shown);
    }
    expect(escapeInvisible(HOSTILE_NAMES[4])).toBe('/app/safe\\u202egnp.exe');
    // A name that is not UTF-8 and a literal twin: two hits, the same text, told apart in the details.
    await page.fill('#search', NOT_UTF8.shown);
    await expect
      .poll(() => page.locator('#results button').allTextContents())
      .toEqual([NOT_UTF8.shown, NOT_UTF8.shown]);
    const twins: string[] = [];
    for (const i of [0, 1]) {
      await page.locator('#results button').nth(i).click();
      twins.push((await page.locator('#details').textContent()) ?? '');
    }
    expect(twins.map((t) => [t.includes('not UTF-8'), /this PR: ([\d.]+ kB)/.exec(t)?.[1]])).toEqual([
      [false, '8.00 kB'],
      [true, '7.00 kB'],
    ]);
    await page.fill('#search', 'alert(1)');
    await page.locator('#results button', { hasText: '/app/<script>alert(1)</script>' }).click();
    expect(await page.locator('#details .path').first().textContent()).toBe('/app/<script>alert(1)</script>');
    expect(await page.$$eval('script', (s) => s.length)).toBe(3);
    expect(await page.$$eval('img', (s) => s.length)).toBe(0);
    expect(await page.title()).toBe(title);
    expect(title).not.toContain('pwned');
    expect(o.problems).toEqual([]);
    await page.fill('#search', '');
  });

  it('follows a finding to its file, and a layer to its tiles', async () => {
    const { page } = o;
    await page.locator('#findings button', { hasText: '/var/cache/apt/pkgcache.bin' }).click();
    expect(await crumbs(page)).toEqual(['/ (image root)', 'var', 'cache', 'apt']);
    expect(await tile(page, '/var/cache/apt/pkgcache.bin').getAttribute('class')).toContain('sel');
    await page.locator('#crumbs button').first().click();
    // Layer 4 (node_modules): everything else is dimmed.
    const dimmed = async (): Promise<[string, boolean][]> =>
      page.$$eval('#map .t:not(.frame)', (ts) =>
        ts.map((t): [string, boolean] => [t.getAttribute('data-path') ?? '', t.classList.contains('dim')]),
      );
    await page.locator('#layers tr.pick').nth(3).click();
    const tiles = await dimmed();
    const modules = tiles.filter(([p]) => p.startsWith('/app/node_modules/'));
    expect(modules.length).toBeGreaterThan(10);
    expect(modules.every(([, dim]) => !dim)).toBe(true);
    expect(tiles.find(([p]) => p === '/var/cache/apt/pkgcache.bin')).toEqual([
      '/var/cache/apt/pkgcache.bin',
      true,
    ]);
    await page.locator('#layers tr.pick').nth(3).click();
    expect((await dimmed()).some(([, dim]) => dim)).toBe(false);
  });

  it('lists what grew, what is new and what was removed', async () => {
    const { page } = o;
    expect(await page.locator('#changes tr td button').first().textContent()).toBe('/app/server');
    await page.locator('#changes .tabs button', { hasText: 'Removed' }).click();
    const removed = await page.locator('#changes tr td button').allTextContents();
    expect(removed.length).toBeGreaterThan(0);
    expect(removed.every((p) => p.includes('/legacy/'))).toBe(true);
    await page.locator('#changes tr td button').first().click();
    // A removed file is only on main: the changes view shows it.
    expect(await page.getAttribute('#views button[data-view="changes"]', 'aria-pressed')).toBe('true');
    expect(await page.locator('#details .path').first().textContent()).toBe(removed[0]);
    await page.click('#views button[data-view="pr"]');
    await page.locator('#crumbs button').first().click();
  });

  it('draws the README picture (SLIMGATE_DOCS=1)', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
    try {
      await page.goto(`file://${file}`);
      await page.waitForFunction(READY);
      await page.hover('#map .t[data-path="/app/server"]');
      const shot = await page.screenshot();
      expect(shot.subarray(1, 4).toString()).toBe('PNG');
      if (process.env['SLIMGATE_DOCS'] === '1')
        writeFileSync(path.join(repoRoot, 'docs', 'html-report.png'), shot);
    } finally {
      await page.close();
    }
  });
});

describe('slimgate check --html, on real images', () => {
  const cliIn = (cwd: string, args: string[]) =>
    run(process.execPath, [distCli, ...args], { cwd, allowFailure: true, timeout: 120_000 });
  const examples = path.join(repoRoot, 'examples');

  it('writes the page for a failing check against a baseline (exit 1), and it opens', async () => {
    const cwd = mkdtempSync(path.join(tmp, 'cli-'));
    const r = cliIn(cwd, [
      'check',
      path.join(examples, 'busybox-os.tar'),
      '--baseline',
      path.join(examples, 'hello-scratch.tar'),
      '--html',
      'out/report.html',
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const file = path.join(cwd, 'out', 'report.html');
    const { page, problems } = await open(file);
    try {
      expect(await page.locator('#summary .fail').textContent()).toMatch(/^failed: \d+ errors?/);
      await page.fill('#search', 'busybox');
      await expect.poll(() => page.locator('#results button').allTextContents()).toContain('/bin/busybox');
      await page.click('#views button[data-view="main"]');
      expect(await tile(page, '/bin').count()).toBe(0);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('writes one page per platform with --platform all; with no baseline, only this image', async () => {
    const cwd = mkdtempSync(path.join(tmp, 'cli-all-'));
    const r = cliIn(cwd, [
      'check',
      path.join(examples, 'hello-scratch.tar'),
      '--platform',
      'all',
      '--html',
      'r.html',
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const page = path.join(cwd, 'r-linux-amd64.html');
    expect(readFileSync(page, 'utf8')).toContain('<!doctype html>');
    expect(existsSync(path.join(cwd, 'r.html'))).toBe(false);
    const o = await open(page);
    try {
      expect(await o.page.isDisabled('#views button[data-view="main"]')).toBe(true);
      expect(await o.page.isDisabled('#views button[data-view="changes"]')).toBe(true);
      expect(await o.page.locator('#changes').count()).toBe(0);
      // A scratch image lists no packages: colour by layer, the owner button disabled.
      expect(await o.page.isDisabled('#colour-by button[data-by="owner"]')).toBe(true);
      expect(await o.page.getAttribute('#colour-by button[data-by="layer"]', 'aria-pressed')).toBe('true');
      expect(await o.page.locator('#legend').textContent()).toMatch(/^Coloured by layer:/);
      expect(await o.page.locator('#summary .pass').textContent()).toMatch(/^passed/);
      expect((await tilePaths(o.page)).length).toBeGreaterThan(0);
      expect(o.problems).toEqual([]);
    } finally {
      await o.page.close();
    }
  });

  it.each([
    [['--html', 'a-file/x.html'], /^slimgate: cannot write the HTML report a-file\/x\.html: /],
    [['--html', '/proc/nope/x.html'], /^slimgate: cannot write the HTML report \/proc\/nope\/x\.html: /],
    [['--manifest-only', '--max-layers', '9', '--html', 'x.html'], /^slimgate: --html needs the full check/],
  ])('refuses %j with one line and exit 2', (args, line) => {
    const cwd = mkdtempSync(path.join(tmp, 'cli-bad-'));
    writeFileSync(path.join(cwd, 'a-file'), 'not a directory');
    const r = cliIn(cwd, ['check', path.join(examples, 'hello-scratch.tar'), ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(line);
    expect(existsSync(path.join(cwd, 'x.html'))).toBe(false);
  });

  it('is a check flag: inspect refuses it', () => {
    const r = cliIn(tmp, ['inspect', path.join(examples, 'hello-scratch.tar'), '--html', 'x.html']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^slimgate: .*--html/);
  });
});
