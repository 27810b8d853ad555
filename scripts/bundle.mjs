#!/usr/bin/env node
// Bundles src/index.ts → dist/index.js (the action) and src/cli.ts → dist/cli.js (the CLI) with ncc.
// With --check, bundles into a temp dir and fails when the committed dist/ differs: a stale bundle.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const ncc = join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');
const entries = [
  { src: 'src/index.ts', out: 'index.js' },
  { src: 'src/cli.ts', out: 'cli.js' },
];

const work = mkdtempSync(join(tmpdir(), 'slimgate-bundle-'));
const stale = [];
try {
  for (const e of entries) {
    const dir = join(work, e.out);
    execFileSync(
      process.execPath,
      [ncc, 'build', join(root, e.src), '-o', dir, '--target', 'es2022', '--quiet'],
      {
        cwd: root,
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    const files = readdirSync(dir).filter((f) => f !== 'package.json');
    if (files.join() !== 'index.js')
      throw new Error(`ncc emitted unexpected files for ${e.src}: ${files.join(', ')}`);
    let code = readFileSync(join(dir, 'index.js'), 'utf8');
    if (e.out === 'cli.js' && !code.startsWith('#!')) code = `#!/usr/bin/env node\n${code}`;
    const target = join(root, 'dist', e.out);
    if (!existsSync(target) || readFileSync(target, 'utf8') !== code) stale.push(e.out);
    if (!check) {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, code);
      if (e.out === 'cli.js') chmodSync(target, 0o755);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (check && stale.length) {
  console.error(`dist/ is stale (${stale.join(', ')}): run "npm run bundle" and commit dist/`);
  process.exit(1);
}
console.log(
  check
    ? 'dist/ is up to date'
    : `bundled dist/ (${stale.length ? `updated ${stale.join(', ')}` : 'unchanged'})`,
);
