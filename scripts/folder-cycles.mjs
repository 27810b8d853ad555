#!/usr/bin/env node
// Fails when folders under src/ import each other in a cycle (a → b → … → a), which dependency-cruiser's
// module-level `no-circular` cannot see: two modules may each point the other folder's way without a
// module cycle. Reads `depcruise --output-type json` on stdin.
let text = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => (text += c));
process.stdin.on('end', () => {
  const { modules } = JSON.parse(text);
  const folder = (p) => p.slice(0, p.lastIndexOf('/'));
  const edges = new Map();
  for (const m of modules) {
    if (!m.source.startsWith('src/')) continue;
    for (const d of m.dependencies) {
      if (!d.resolved.startsWith('src/')) continue;
      const [a, b] = [folder(m.source), folder(d.resolved)];
      if (a === b) continue;
      if (!edges.has(a)) edges.set(a, new Map());
      // One example import per folder edge, to name in the message.
      if (!edges.get(a).has(b)) edges.get(a).set(b, `${m.source} → ${d.resolved}`);
    }
  }
  // Tarjan's strongly connected components.
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const cycles = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) cycles.push(scc);
    }
  };
  for (const v of edges.keys()) if (!idx.has(v)) visit(v);
  if (!cycles.length) {
    console.log(`folder cycles: none among ${edges.size} folders`);
    return;
  }
  for (const scc of cycles) {
    console.error(`folder cycle: ${scc.sort().join(' ⇄ ')}`);
    for (const a of scc)
      for (const [b, example] of edges.get(a) ?? []) if (scc.includes(b)) console.error(`  ${example}`);
  }
  process.exit(1);
});
