// Layer rules (ARCHITECTURE.md): a folder imports only from folders below it, and nothing cycles.
// Rank, bottom up: util/types · sources · scan · flatten · analysis · report · engine · config · surfaces.
const LAYERS = [
  ['util', 'types'],
  ['sources'],
  ['scan'],
  ['flatten'],
  ['analysis'],
  ['report'],
  ['engine'],
  ['config'],
  ['cli', 'action', 'github'],
];

const folder = (names) => `^src/(${names.join('|')})/`;

const forbidden = LAYERS.map((names, rank) => {
  const above = LAYERS.slice(rank + 1).flat();
  return {
    name: `layer-${names.join('-')}`,
    comment: `${names.join(', ')} may import only from the layers below it`,
    severity: 'error',
    from: { path: folder(names) },
    // Surfaces import each other (cli ↔ github ↔ action are one layer); the top layer has nothing above.
    to: { path: above.length ? folder(above) : '^$' },
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
