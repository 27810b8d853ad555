/**
 * The HTML report's style sheet and script, as text for src/report/html.ts to inline. The script reads the
 * page's data (a JSON block) and draws everything with createElement and textContent: no name, message or
 * command from an image is ever parsed as markup. Layout by d3-hierarchy's squarified treemap (inlined too).
 */

export const PAGE_STYLE = `
*{box-sizing:border-box}
body{margin:0;font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#f6f8fa}
header{padding:12px 16px;background:#fff;border-bottom:1px solid #d0d7de}
h1{font-size:18px;margin:0 0 4px;overflow-wrap:anywhere}
h2{font-size:15px;margin:0 0 8px}
.muted{color:#59636e}
.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}
.bar{display:flex;flex-wrap:wrap;gap:8px;align-items:center;padding:8px 16px;background:#fff;border-bottom:1px solid #d0d7de}
.seg{display:inline-flex;border:1px solid #d0d7de;border-radius:6px;overflow:hidden}
.seg button{border:0;border-right:1px solid #d0d7de;background:#f6f8fa;padding:4px 10px;font:inherit;cursor:pointer}
.seg button:last-child{border-right:0}
.seg button[aria-pressed=true]{background:#0969da;color:#fff}
.seg button:disabled{color:#8c959f;cursor:not-allowed}
input[type=search]{font:inherit;padding:4px 8px;border:1px solid #d0d7de;border-radius:6px;width:320px;max-width:100%}
.legend{display:flex;flex-wrap:wrap;gap:10px}
.legend span{display:inline-flex;align-items:center;gap:4px}
.sw{display:inline-block;width:12px;height:12px;border-radius:2px;border:1px solid rgba(0,0,0,.2)}
nav.crumbs{padding:6px 16px;background:#fff;border-bottom:1px solid #d0d7de;overflow-wrap:anywhere}
nav.crumbs button{border:0;background:none;color:#0969da;font:inherit;cursor:pointer;padding:0 2px}
nav.crumbs button:last-child{color:#1f2328;font-weight:600;cursor:default}
main{display:flex;gap:12px;padding:12px 16px}
#map{position:relative;flex:1;min-width:0;height:560px;background:#fff;border:1px solid #d0d7de;overflow:hidden}
#results:empty{display:none}
aside{width:340px;flex:none;display:flex;flex-direction:column;gap:12px}
.card{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:10px 12px}
.t{position:absolute;overflow:hidden;border:1px solid rgba(255,255,255,.7);font-size:11px;line-height:13px;padding:1px 3px;cursor:pointer;white-space:nowrap;text-overflow:ellipsis;color:#1f2328}
.t.frame{background:#eaeef2;border-color:#afb8c1;font-weight:600}
.t.dir{font-weight:600;outline:1px dashed rgba(0,0,0,.35);outline-offset:-3px}
.t.dim{opacity:.18}
.t.sel{outline:3px solid #1f2328;outline-offset:-3px;z-index:2}
#tip{position:fixed;pointer-events:none;background:#1f2328;color:#fff;padding:6px 8px;border-radius:4px;font-size:12px;max-width:520px;white-space:pre-line;overflow-wrap:anywhere;z-index:10;display:none}
section{margin:0 16px 12px}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.pick{cursor:pointer}tr.pick:hover{background:#f6f8fa}tr.on{background:#ddf4ff}
code,.path{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;overflow-wrap:anywhere}
button.link{border:0;background:none;color:#0969da;cursor:pointer;padding:0;text-align:left;font:inherit}
button.link:hover{text-decoration:underline}
ul.plain{list-style:none;margin:0;padding:0}ul.plain li{padding:2px 0;border-bottom:1px solid #eaeef2}
.sev-error{color:#cf222e;font-weight:600}.sev-warning{color:#9a6700;font-weight:600}.sev-info{color:#59636e}
.badge{display:inline-block;border-radius:10px;padding:0 6px;font-size:11px;background:#ddf4ff;color:#0969da;margin-left:4px}
.tabs{margin-bottom:8px}
p.note{margin:6px 16px;color:#59636e}
`;

export const PAGE_SCRIPT = `(() => {
'use strict';
const data = JSON.parse(document.getElementById('slimgate-data').textContent);
const hasBase = !!data.baseline;
const DEPTH = 3;
const PALETTE = ['#6cb6ff','#f69d50','#8ddb8c','#dcbdfb','#f47067','#c6e6ff','#e0823d','#57ab5a','#b083f0','#ffb8b0','#96d0ff','#daaa3f'];
const CHANGE = { added: '#4ac26b', removed: '#ff8182', grew: '#fb8f44', shrank: '#54aeff', same: '#d0d7de' };
// Colour by owner: the 12 largest packages (this PR's first, then main's) a colour each, kept across the
// views by manager and name; the other packages one grey-blue; files no package owns their own colour.
const OWNER_OTHER = '#9fb3c8';
const OWNER_NONE = '#e85aad';
const ownerColours = new Map();
for (const list of [data.owners, data.baselineOwners]) {
  for (const o of (list || []).slice(0, PALETTE.length)) {
    const key = o.manager + ' ' + o.name;
    if (!ownerColours.has(key) && ownerColours.size < PALETTE.length) ownerColours.set(key, PALETTE[ownerColours.size]);
  }
}
const state = { view: 'pr', focus: data.tree, selected: null, layer: null, by: data.owners ? 'owner' : 'layer' };

// ------------------------------------------------------------------ helpers
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
function fmt(n) {
  const sign = n < 0 ? '-' : '';
  let v = Math.abs(n);
  if (v < 1000) return sign + v + ' B';
  const units = ['kB', 'MB', 'GB', 'TB'];
  let i = -1;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return sign + (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) + ' ' + units[i];
}
const signed = (n) => (n > 0 ? '+' : '') + fmt(n);
const count = (n) => n.toLocaleString('en-US');
function layerColour(i) { return i === undefined || i < 0 ? '#d0d7de' : PALETTE[i % PALETTE.length]; }
function ownersOf(main) { return main ? data.baselineOwners : data.owners; }
// The list the current view colours by owner from, or null: colour by layer.
function ownerList() {
  if (state.by !== 'owner' || state.view === 'changes') return null;
  return ownersOf(state.view === 'main') || null;
}
function ownerColour(i, list) {
  const o = i === undefined || i < 0 ? null : list[i];
  return o ? ownerColours.get(o.manager + ' ' + o.name) || OWNER_OTHER : OWNER_NONE;
}
function ownerName(i, main) {
  const o = i === undefined || i < 0 ? null : (ownersOf(main) || [])[i];
  return o ? o.manager + ' ' + o.name + (o.version ? ' ' + o.version : '') : 'your files';
}
// What the ecosystem keys on: the package-url, the source package and the license, when the report has them.
function ownerKeys(i, main) {
  const o = i === undefined || i < 0 ? null : (ownersOf(main) || [])[i];
  if (!o) return '';
  return [o.purl, o.source ? 'source ' + o.source : '', o.licenses ? 'license ' + o.licenses : ''].filter(Boolean).join(' · ');
}

// ------------------------------------------------------------------ the tree: parents and change weights
(function prepare(node, parent) {
  const stack = [[node, parent]];
  const order = [];
  while (stack.length) {
    const [n, p] = stack.pop();
    n.p = p;
    order.push(n);
    if (n.c) for (const k of n.c) stack.push([k, n]);
  }
  // Post-order sums: in the changes view a tile is as big as the larger of its two sides.
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i];
    if (n.c) { let w = 0; for (const k of n.c) w += k.w; n.w = w; }
    else n.w = Math.max(n.s ?? 0, n.b ?? 0);
  }
})(data.tree, null);

function present(n) {
  if (state.view === 'pr') return n.s !== undefined;
  if (state.view === 'main') return n.b !== undefined;
  return true;
}
function value(n) {
  if (state.view === 'pr') return n.s ?? 0;
  if (state.view === 'main') return n.b ?? 0;
  return n.w;
}
function change(s, b) {
  if (s === undefined || s < 0) return 'removed';
  if (b === undefined || b < 0) return 'added';
  return s > b ? 'grew' : s < b ? 'shrank' : 'same';
}
// Colour by vulnerability: each package by its worst known vulnerability (the report's OSV look-up).
const VULN = { critical: '#cf222e', high: '#fb8f44', medium: '#d4a72c', low: '#54aeff', unknown: '#8c959f', none: '#d0d7de', mine: '#f6f8fa' };
function vulnColour(i, list) {
  const o = i === undefined || i < 0 ? null : list[i];
  return o ? VULN[o.v || 'none'] : VULN.mine;
}
function colourOf(n) {
  if (state.view === 'changes') return CHANGE[change(n.s, n.b)];
  if (state.by === 'vulnerability' && ownersOf(state.view === 'main')) return vulnColour(state.view === 'pr' ? n.o : n.q, ownersOf(state.view === 'main'));
  const owners = ownerList();
  if (owners) return ownerColour(state.view === 'pr' ? n.o : n.q, owners);
  return layerColour(state.view === 'pr' ? n.l : n.m);
}
function pathOf(n) {
  const parts = [];
  for (let x = n; x && x.p; x = x.p) parts.push(x.n === '' ? '(' + count(x.f) + ' smaller files)' : x.n);
  return '/' + parts.reverse().join('/');
}
function joinPath(dir, name) { return dir === '/' ? '/' + name : dir + '/' + name; }
function labelOf(n) {
  if (n.n === '') return '(' + count(n.f) + ' smaller files)';
  return n.n;
}
function layerLine(i, main) {
  const list = main ? data.baselineLayers : data.layers;
  const l = list && list[i];
  return l ? 'layer ' + (i + 1) + ': ' + (l.createdBy || '(no created-by)') : '';
}
function sizeLines(s, b) {
  const out = [];
  if (s !== undefined && s >= 0) out.push('this PR: ' + fmt(s));
  else if (hasBase) out.push('this PR: not in the image');
  if (hasBase) {
    if (b !== undefined && b >= 0) out.push('main: ' + fmt(b));
    else out.push('main: not in the image');
    if (s !== undefined && s >= 0 && b !== undefined && b >= 0 && s !== b) out.push('change: ' + signed(s - b));
  }
  return out;
}
function describe(n) {
  const lines = [pathOf(n)];
  if (n.c) lines.push('directory' + (n.k !== undefined ? ', ' + count(n.k) + ' files' : ''));
  else if (n.n === '') lines.push(count(n.f) + ' files folded into one tile' + (n.z ? '' : ' (names left out)'));
  else if (n.t) lines.push(n.t);
  if (n.x) lines.push('the name is not UTF-8: its stray bytes show as \\\\xHH');
  lines.push(...sizeLines(n.s, n.b));
  const most = n.c || n.n === '' ? ' (most bytes)' : '';
  if (data.owners && n.s !== undefined) lines.push('owner' + most + ': ' + ownerName(n.o, false), ownerKeys(n.o, false));
  if (n.l !== undefined && n.s !== undefined) lines.push(layerLine(n.l, false));
  const mainToo = hasBase && n.b !== undefined && (state.view === 'main' || n.s === undefined);
  if (mainToo && data.baselineOwners) lines.push('main owner' + most + ': ' + ownerName(n.q, true));
  if (mainToo && n.m !== undefined) lines.push('main ' + layerLine(n.m, true));
  return lines.filter(Boolean);
}

// ------------------------------------------------------------------ the treemap
const map = document.getElementById('map');
const tip = document.getElementById('tip');
const tileNode = new WeakMap();

// The focus and DEPTH levels below it; a directory with one child does not count as a level, so that
// /usr/local/lib/python3.11/site-packages opens onto its packages.
function truncated(n, depth) {
  if (depth >= DEPTH || !n.c) return { node: n, kids: null };
  const shown = n.c.filter((k) => present(k) && value(k) > 0);
  const next = shown.length > 1 ? depth + 1 : depth;
  return { node: n, kids: shown.length ? shown.map((k) => truncated(k, next)) : null };
}

function draw() {
  const W = map.clientWidth, H = map.clientHeight;
  map.replaceChildren();
  const root = d3.hierarchy(truncated(state.focus, 0), (v) => v.kids)
    .sum((v) => (v.kids ? 0 : value(v.node)))
    .sort((a, b) => b.value - a.value);
  d3.treemap().tile(d3.treemapSquarify).size([W, H]).round(true)
    .paddingInner(1).paddingOuter(2)
    .paddingTop((d) => (d.depth > 0 && d.children ? 16 : 2))(root);
  const frag = document.createDocumentFragment();
  let tiles = 0;
  for (const d of root.descendants()) {
    if (d.depth === 0) continue;
    const w = d.x1 - d.x0, h = d.y1 - d.y0;
    if (w < 2 || h < 2) continue;
    const n = d.data.node;
    const t = el('div', 't');
    if (d.children) t.classList.add('frame');
    else {
      t.style.background = colourOf(n);
      if (n.c && w > 24 && h > 16) t.classList.add('dir');
    }
    if (state.layer !== null && !d.children && (state.view === 'main' ? n.m : n.l) !== state.layer) t.classList.add('dim');
    if (state.selected === n) t.classList.add('sel');
    t.style.left = d.x0 + 'px'; t.style.top = d.y0 + 'px';
    t.style.width = w + 'px'; t.style.height = h + 'px';
    if (w > 30 && h > 12) t.textContent = labelOf(n) + (h > 26 || d.children ? ' ' + fmt(d.value) : '');
    t.dataset.path = pathOf(n);
    tileNode.set(t, n);
    frag.appendChild(t);
    tiles++;
  }
  if (!tiles) map.appendChild(el('p', 'note', 'Nothing to draw here: no bytes in this view.'));
  map.appendChild(frag);
  drawCrumbs();
}

function drawCrumbs() {
  const nav = document.getElementById('crumbs');
  nav.replaceChildren();
  const chain = [];
  for (let x = state.focus; x; x = x.p) chain.unshift(x);
  chain.forEach((n, i) => {
    if (i > 0) nav.appendChild(document.createTextNode(' › '));
    const b = el('button', '', i === 0 ? '/ (image root)' : n.n);
    b.addEventListener('click', () => zoom(n));
    nav.appendChild(b);
  });
  const total = value(state.focus);
  nav.appendChild(el('span', 'muted', '  ' + fmt(total) + (state.view === 'changes' ? ' (the larger side of each file)' : '')));
}

function zoom(n) {
  state.focus = n;
  draw();
}

function findTile(e) {
  let t = e.target;
  while (t && t !== map && !tileNode.has(t)) t = t.parentNode;
  return t && tileNode.has(t) ? tileNode.get(t) : null;
}
map.addEventListener('click', (e) => {
  const n = findTile(e);
  if (!n) return;
  if (n.c && n !== state.focus) zoom(n);
  else select(n);
});
map.addEventListener('mousemove', (e) => {
  const n = findTile(e);
  if (!n) { tip.style.display = 'none'; return; }
  tip.textContent = describe(n).join('\\n');
  tip.style.display = 'block';
  const x = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 4);
  const y = Math.min(e.clientY + 14, window.innerHeight - tip.offsetHeight - 4);
  tip.style.left = x + 'px'; tip.style.top = y + 'px';
});
map.addEventListener('mouseleave', () => { tip.style.display = 'none'; });

// ------------------------------------------------------------------ details of a file, a fold or a search hit
const details = document.getElementById('details');
function select(n, folded) {
  state.selected = n;
  details.replaceChildren(el('h2', '', folded ? 'File (in a folded tile)' : n.c ? 'Directory' : n.n === '' ? 'Folded files' : 'File'));
  if (folded) {
    details.appendChild(el('div', 'path', joinPath(pathOf(n.p), folded[0])));
    for (const line of sizeLines(folded[1], folded[2])) details.appendChild(el('div', '', line));
    if (data.owners && folded[1] >= 0) details.appendChild(el('div', '', 'owner: ' + ownerName(folded[5], false)));
    if (data.baselineOwners && folded[2] >= 0 && folded[1] < 0) details.appendChild(el('div', '', 'main owner: ' + ownerName(folded[6], true)));
    if (folded[3] >= 0) details.appendChild(el('div', 'muted', layerLine(folded[3], false)));
  } else {
    for (const [i, line] of describe(n).entries()) details.appendChild(el('div', i === 0 ? 'path' : '', line));
  }
  if (n.z) {
    details.appendChild(el('div', 'muted', 'The largest of them:'));
    const ul = el('ul', 'plain');
    const top = [...n.z].sort((a, b) => Math.max(b[1], b[2]) - Math.max(a[1], a[2])).slice(0, 50);
    for (const z of top) ul.appendChild(el('li', 'path', z[0] + '  ' + fmt(Math.max(z[1], z[2], 0))));
    details.appendChild(ul);
  }
  draw();
}

// ------------------------------------------------------------------ going to a path (findings, search, changes)
function reveal(path) {
  const parts = path.split('/').filter((p) => p !== '');
  let n = data.tree;
  for (let i = 0; i < parts.length; i++) {
    const last = i === parts.length - 1;
    const kids = n.c || [];
    const next = kids.find((k) => k.n === parts[i] && (!last ? k.c : true) && k.n !== '');
    if (!next && last) {
      for (const k of kids) {
        const z = k.z && k.z.find((f) => f[0] === parts[i]);
        if (z) { showView(k); state.focus = n; select(k, z); return true; }
      }
    }
    if (!next) return false;
    n = next;
  }
  goTo(n);
  return true;
}
// A node itself: two names may show alike (a byte 0xff and a literal "\\xff"), so search hits keep theirs.
function goTo(n) {
  showView(n);
  if (n.c) { state.selected = null; zoom(n); }
  else { state.focus = n.p || data.tree; select(n); }
}
// A removed file is only in the baseline: show a view that has it.
function showView(n) {
  if (!present(n)) setView(n.s === undefined && hasBase ? 'changes' : 'pr', true);
}

// ------------------------------------------------------------------ views: this PR, main, changes
function setView(v, quiet) {
  state.view = v;
  for (const b of document.querySelectorAll('#views button')) b.setAttribute('aria-pressed', String(b.dataset.view === v));
  let f = state.focus;
  while (f.p && !present(f)) f = f.p;
  state.focus = f;
  drawLegend();
  if (!quiet) draw();
}
for (const b of document.querySelectorAll('#views button')) {
  if (b.dataset.view !== 'pr' && !hasBase) b.disabled = true;
  b.addEventListener('click', () => setView(b.dataset.view));
}

// ------------------------------------------------------------------ colour by: layer or owner
function setColourBy(by) {
  state.by = by;
  for (const b of document.querySelectorAll('#colour-by button')) b.setAttribute('aria-pressed', String(b.dataset.by === by));
  drawLegend();
  draw();
}
for (const b of document.querySelectorAll('#colour-by button')) {
  b.setAttribute('aria-pressed', String(b.dataset.by === state.by));
  if ((b.dataset.by === 'owner' || b.dataset.by === 'vulnerability') && !data.owners) { b.disabled = true; b.title = 'This report lists no packages'; }
  b.addEventListener('click', () => setColourBy(b.dataset.by));
}

function drawLegend() {
  const box = document.getElementById('legend');
  box.replaceChildren();
  const item = (colour, text) => {
    const s = el('span');
    const sw = el('span', 'sw');
    sw.style.background = colour;
    s.append(sw, document.createTextNode(text));
    box.appendChild(s);
  };
  if (state.view === 'changes') {
    item(CHANGE.added, 'new'); item(CHANGE.grew, 'grew'); item(CHANGE.shrank, 'shrank');
    item(CHANGE.removed, 'removed (sized as on main)'); item(CHANGE.same, 'unchanged');
  } else if (state.by === 'vulnerability' && ownersOf(state.view === 'main')) {
    box.appendChild(el('span', 'muted', 'Coloured by the worst known vulnerability of the owning package:'));
    for (const k of ['critical', 'high', 'medium', 'low', 'unknown']) item(VULN[k], k);
    item(VULN.none, 'none known'); item(VULN.mine, 'your files (no package)');
  } else if (ownerList()) {
    const list = ownerList();
    box.appendChild(el('span', 'muted', 'Coloured by owner:'));
    let others = 0;
    for (const o of list) {
      const c = ownerColours.get(o.manager + ' ' + o.name);
      if (c) item(c, o.manager + ' ' + o.name);
      else others++;
    }
    if (others) item(OWNER_OTHER, count(others) + ' other package' + (others === 1 ? '' : 's'));
    item(OWNER_NONE, 'your files (no package)');
  } else {
    const list = state.view === 'main' ? data.baselineLayers : data.layers;
    const why = state.by === 'owner' && state.view === 'main' ? 'Coloured by layer (main’s report lists no packages):' : 'Coloured by layer:';
    box.appendChild(el('span', 'muted', why));
    (list || []).forEach((l, i) => item(layerColour(i), String(i + 1)));
  }
}

// ------------------------------------------------------------------ search
const search = document.getElementById('search');
const results = document.getElementById('results');
let index = null;
function buildIndex() {
  index = [];
  const stack = [data.tree];
  while (stack.length) {
    const n = stack.pop();
    if (n.c) { for (const k of n.c) stack.push(k); if (n.p) index.push({ path: pathOf(n), size: Math.max(n.s ?? 0, n.b ?? 0), n }); }
    else if (n.n !== '') index.push({ path: pathOf(n), size: Math.max(n.s ?? 0, n.b ?? 0), n });
    if (n.z) { const dir = pathOf(n.p); for (const z of n.z) index.push({ path: joinPath(dir, z[0]), size: Math.max(z[1], z[2], 0) }); }
  }
  for (const e of index) e.low = e.path.toLowerCase();
}
let searchTimer = 0;
search.addEventListener('input', () => { clearTimeout(searchTimer); searchTimer = setTimeout(runSearch, 120); });
search.addEventListener('keydown', (e) => {
  if (e.key !== 'Enter') return;
  clearTimeout(searchTimer);
  const q = search.value.trim();
  if (q.startsWith('/') && reveal(q)) return;
  runSearch();
  const first = results.querySelector('button');
  if (first) first.click();
});
function runSearch() {
  const q = search.value.trim().toLowerCase();
  results.replaceChildren();
  if (!q) return;
  if (!index) buildIndex();
  const hits = [];
  for (const e of index) if (e.low.includes(q)) hits.push(e);
  hits.sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : 1));
  results.appendChild(el('div', 'muted', count(hits.length) + (hits.length === 1 ? ' match' : ' matches') + (hits.length > 50 ? ', the 50 largest:' : '')));
  const ul = el('ul', 'plain');
  for (const h of hits.slice(0, 50)) {
    const li = el('li');
    const b = el('button', 'link path', h.path);
    b.addEventListener('click', () => (h.n ? goTo(h.n) : reveal(h.path)));
    li.append(b, document.createTextNode('  ' + fmt(h.size)));
    ul.appendChild(li);
  }
  results.appendChild(ul);
}

// ------------------------------------------------------------------ the tables: changes, layers, findings
function cell(tr, text, cls) { const td = el('td', cls, text); tr.appendChild(td); return td; }
function pathButton(path) {
  const b = el('button', 'link path', path);
  b.addEventListener('click', () => { reveal(path); document.getElementById('map').scrollIntoView({ block: 'nearest' }); });
  return b;
}

function drawChanges() {
  const box = document.getElementById('changes');
  if (!data.changes) { box.remove(); return; }
  const kinds = [['grew', 'Grew'], ['added', 'New'], ['removed', 'Removed'], ['shrank', 'Shrank']];
  const tabs = el('div', 'seg tabs');
  const body = el('div');
  const show = (kind) => {
    for (const b of tabs.children) b.setAttribute('aria-pressed', String(b.dataset.kind === kind));
    const c = data.changes[kind];
    body.replaceChildren();
    if (!c.items.length) { body.appendChild(el('p', 'muted', 'None.')); return; }
    if (c.count > c.items.length) body.appendChild(el('p', 'muted', 'The ' + c.items.length + ' largest of ' + count(c.count) + '.'));
    const table = el('table');
    const head = el('tr');
    for (const h of ['path', 'main', 'this PR', 'change']) head.appendChild(el('th', '', h));
    table.appendChild(head);
    for (const it of c.items) {
      const tr = el('tr');
      cell(tr, '').appendChild(pathButton(it.path));
      cell(tr, it.before === null ? '—' : fmt(it.before), 'n');
      cell(tr, it.after === null ? '—' : fmt(it.after), 'n');
      cell(tr, signed(it.delta), 'n');
      table.appendChild(tr);
    }
    body.appendChild(table);
  };
  for (const [kind, label] of kinds) {
    const c = data.changes[kind];
    const b = el('button', '', label + ' (' + count(c.count) + ', ' + signed(c.bytes) + ')');
    b.dataset.kind = kind;
    b.addEventListener('click', () => show(kind));
    tabs.appendChild(b);
  }
  box.append(tabs, body);
  const first = kinds.find(([kind]) => data.changes[kind].count > 0);
  show(first ? first[0] : 'grew');
}

function drawLayers() {
  const table = document.getElementById('layers');
  const head = el('tr');
  for (const h of ['', '#', 'created by', 'uncompressed', 'compressed', 'files', 'wasted'].concat(hasBase ? ['vs main'] : [])) head.appendChild(el('th', '', h));
  table.appendChild(head);
  data.layers.forEach((l, i) => {
    const tr = el('tr', 'pick');
    const sw = el('span', 'sw');
    sw.style.background = layerColour(i);
    cell(tr, '').appendChild(sw);
    cell(tr, i + 1, 'n');
    cell(tr, '').appendChild(el('code', '', l.createdBy || '(no created-by)'));
    cell(tr, fmt(l.size), 'n');
    cell(tr, fmt(l.compressed), 'n');
    cell(tr, count(l.files), 'n');
    cell(tr, l.wasted ? fmt(l.wasted) : '—', 'n');
    if (hasBase) cell(tr, l.change || '');
    tr.title = 'Show only this layer in the map';
    tr.addEventListener('click', () => {
      state.layer = state.layer === i ? null : i;
      for (const r of table.querySelectorAll('tr.on')) r.classList.remove('on');
      if (state.layer === i) tr.classList.add('on');
      if (state.view !== 'pr') setView('pr', true);
      draw();
    });
    table.appendChild(tr);
  });
}

function drawFindings() {
  const box = document.getElementById('findings');
  if (!data.findings.length) { box.appendChild(el('p', 'muted', 'No findings.')); return; }
  const table = el('table');
  const head = el('tr');
  for (const h of ['severity', 'rule', 'finding', 'path']) head.appendChild(el('th', '', h));
  table.appendChild(head);
  for (const f of data.findings) {
    const tr = el('tr');
    cell(tr, f.severity, 'sev-' + f.severity);
    cell(tr, f.id + ' ' + f.category);
    const msg = cell(tr, f.message);
    if (f.state) msg.appendChild(el('span', 'badge', f.state));
    if (f.remediation) msg.appendChild(el('div', 'muted', f.remediation));
    const p = cell(tr, '');
    if (f.path) p.appendChild(pathButton(f.path));
    table.appendChild(tr);
  }
  box.appendChild(table);
}

function drawSummary() {
  const box = document.getElementById('summary');
  const line1 = el('div');
  line1.append(el('span', data.verdict.status === 'fail' ? 'fail' : 'pass', data.verdict.line), document.createTextNode(' · ' + data.image.platform + ' · '), el('code', '', data.image.digest));
  if (data.image.tags.length) line1.appendChild(document.createTextNode(' · ' + data.image.tags.join(', ')));
  box.appendChild(line1);
  const sz = data.size;
  let text = fmt(sz.uncompressed) + ' uncompressed · ' + fmt(sz.compressed) + (data.stored ? ' stored · ' : ' compressed · ') + count(sz.files) + ' files · ' + fmt(sz.wasted) + ' wasted (uncompressed) · ' + data.layers.length + (data.layers.length === 1 ? ' layer' : ' layers');
  if (hasBase) {
    const d = sz.uncompressed - data.baseline.size.uncompressed;
    text += ' · ' + signed(d) + ' uncompressed against main (' + fmt(data.baseline.size.uncompressed) + ')';
  }
  box.appendChild(el('div', 'muted', text));
  if (hasBase) {
    const b = el('div', 'muted', 'main: ' + data.baseline.source + ' ');
    b.appendChild(el('code', '', data.baseline.digest));
    box.appendChild(b);
  }
}

drawSummary();
drawLegend();
drawChanges();
drawLayers();
drawFindings();
draw();
let resizeTimer = 0;
window.addEventListener('resize', () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(draw, 100); });
// Open: the first map laid out and painted (the frame after this one), in ms since navigation started.
requestAnimationFrame(() => setTimeout(() => {
  document.documentElement.dataset.ready = String(Math.round(performance.now()));
}, 0));
})();
`;
