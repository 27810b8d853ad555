// The docs stand alone and agree with the code: every link reaches a file in the repository, no doc cites a
// file that is not in it, the action reference's tables of inputs and outputs are action.yml's, and the
// README stays an entrance.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (p: string): string => readFileSync(path.join(repo, p), 'utf8');

const docs = [
  'README.md',
  'ARCHITECTURE.md',
  ...readdirSync(path.join(repo, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
  ...readdirSync(path.join(repo, 'src'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(repo, 'src', d.name, 'README.md')))
    .map((d) => `src/${d.name}/README.md`),
];

/** Markdown link and image targets outside code blocks and spans. */
function links(text: string): string[] {
  const prose = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
}

describe('the docs', () => {
  it.each(docs)('%s links only to files in the repository', (doc) => {
    const broken = links(read(doc))
      .filter((t) => !/^(https?:|mailto:|#)/.test(t))
      .map((t) => t.split('#')[0]!)
      .filter((t) => !existsSync(path.resolve(repo, path.dirname(doc), decodeURIComponent(t))));
    expect(broken).toEqual([]);
  });

  it.each(docs)('%s cites no file outside the repository (DESIGN.md, TESTING.md)', (doc) => {
    expect(read(doc)).not.toMatch(/\b(DESIGN|TESTING)(\.md)?\b/);
  });

  it('the README is an entrance: at most about 300 lines, with an index of docs/', () => {
    const readme = read('README.md');
    expect(links(readme).length).toBeGreaterThan(10);
    expect(readme.split('\n').length).toBeLessThanOrEqual(300);
    for (const page of [
      'action',
      'cli',
      'policy',
      'rules',
      'sizes-and-formats',
      'html-report',
      'security',
      'development',
    ])
      expect(readme).toContain(`(docs/${page}.md)`);
  });
});

/** The first column of the table under `## heading` in a markdown page, backticks removed. */
function tableNames(text: string, heading: string): string[] {
  const start = text.indexOf(`\n${heading}\n`);
  expect(start, heading).toBeGreaterThan(-1);
  const rows = text.slice(start).split('\n').slice(2);
  const first = rows.findIndex((l) => l.startsWith('|'));
  const out: string[] = [];
  for (const l of rows.slice(first + 2)) {
    if (!l.startsWith('|')) break;
    out.push(l.split('|')[1]!.trim().replace(/`/g, ''));
  }
  return out;
}

describe('the action reference and action.yml', () => {
  const action = parse(read('action.yml')) as { inputs: object; outputs: object };
  const page = read('docs/action.md');

  it('the inputs table lists exactly the inputs of action.yml', () => {
    expect([...tableNames(page, '## Inputs')].sort()).toEqual(Object.keys(action.inputs).sort());
  });

  it('the outputs table lists exactly the outputs of action.yml', () => {
    expect([...tableNames(page, '## Outputs')].sort()).toEqual(Object.keys(action.outputs).sort());
  });
});
