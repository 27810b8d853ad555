// Layer rules (ARCHITECTURE.md): a folder imports only from folders below it, and nothing cycles.
// Rank, bottom up. Each rank is a list of path patterns under src/; a folder in a rank may import from its
// own rank and the ranks below. `sources/registry` (the registry client) sits below the sources that use it,
// and reaches the image model only through `sources/model/`, so the two folders never import each other.
const LAYERS = [
  ['util/', 'types/'],
  ['sources/model/'],
  ['sources/registry/'],
  ['sources/(?!model/|registry/)'],
  ['formats/'],
  // The OSV client (an edge, on the registry's transport) and its pure matching, below what judges it.
  ['vulns/'],
  ['scan/'],
  ['flatten/'],
  ['analysis/'],
  ['report/'],
  ['engine/'],
  ['config/'],
  ['output/'],
  ['github/'],
  ['action/'],
  ['cli/'],
];

const paths = (patterns) => `^src/(${patterns.join('|')})`;
const label = (patterns) => patterns.map((p) => p.replace(/\(.*\)|\/$/g, '')).join(', ');

const forbidden = LAYERS.map((patterns, rank) => {
  const above = LAYERS.slice(rank + 1).flat();
  return {
    name: `layer-${label(patterns).replace(/[, /]+/g, '-')}`,
    comment: `${label(patterns)} may import only from its rank and the ranks below it`,
    severity: 'error',
    from: { path: paths(patterns) },
    to: { path: above.length ? paths(above) : '^$' },
  };
}).filter((r) => r.to.path !== '^$');

module.exports = {
  forbidden: [
    ...forbidden,
    {
      name: 'entries-are-top',
      comment: 'src/cli.ts and src/index.ts are entry points: nothing imports them',
      severity: 'error',
      from: {},
      to: { path: '^src/(cli|index)\\.ts$' },
    },
    {
      // The CLI bundle (dist/cli.js) stays free of the Actions toolkit: @actions/cache alone brings the
      // Azure storage SDK, 2.5 MB of JavaScript that every `slimgate` start would compile.
      name: 'cli-not-actions',
      comment: 'the CLI imports neither the action nor GitHub adapters; only they use @actions/*',
      severity: 'error',
      from: { path: '^src/(cli\\.ts$|cli/)' },
      to: { path: '^src/(action|github)/' },
    },
    {
      name: 'actions-toolkit-at-the-edge',
      comment: '@actions/* is GitHub I/O: only src/action/, src/github/ and src/index.ts use it',
      severity: 'error',
      from: { pathNot: '^src/(action/|github/|index\\.ts$)' },
      to: { path: 'node_modules/@actions/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      from: { orphan: true, pathNot: ['\\.d\\.ts$', '^src/(cli|index)\\.ts$', '^src/scan/worker\\.ts$'] },
      to: {},
    },
    {
      name: 'src-not-to-tests',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^__tests__/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
